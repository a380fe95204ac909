package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link PointGrouping} over an exact in-memory source, against the brute-force definition: the {@code limit} groups
 * whose best hit is best, each with its {@code groupSize} best hits. Payloads mix strings, integers, arrays, missing
 * keys and values that put a point in no group; group sizes are skewed so that paging has to skip full groups.
 */
class PointGroupingTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A stored point: its payload and its (distinct) score. */
    private record Stored(PointId id, ObjectNode payload, float score) {}

    /** An exact source: every point passing the filter, best first (ties by id), payload as selected. */
    private static final class ExactSource implements PointGrouping.Source {
        final List<Stored> points;
        final boolean higherIsBetter;
        int calls;

        ExactSource(List<Stored> points, boolean higherIsBetter) {
            this.points = points;
            this.higherIsBetter = higherIsBetter;
        }

        @Override
        public List<ScoredPoint> best(io.quiver.engine.filter.Filter filter, int limit, WithPayload withPayload) {
            calls++;
            List<Stored> passing = new ArrayList<>();
            for (Stored s : points) {
                if (filter.matches(s.id(), s.payload())) {
                    passing.add(s);
                }
            }
            passing.sort(order(higherIsBetter));
            List<ScoredPoint> out = new ArrayList<>();
            for (Stored s : passing.subList(0, Math.min(limit, passing.size()))) {
                out.add(new ScoredPoint(s.id(), 1, s.score(), withPayload.select(s.payload()), null));
            }
            return out;
        }
    }

    private static Comparator<Stored> order(boolean higherIsBetter) {
        Comparator<Stored> byScore = Comparator.comparingDouble(Stored::score);
        return (higherIsBetter ? byScore.reversed() : byScore).thenComparing(Stored::id);
    }

    /** A random group value: mostly a few strings and integers, with one value much more frequent than the rest. */
    private static JsonNode value(Random random) {
        int r = random.nextInt(100);
        if (r < 35) {
            return F.textNode("hot");
        }
        if (r < 65) {
            return F.textNode("s" + random.nextInt(12));
        }
        if (r < 90) {
            return F.numberNode((long) random.nextInt(9) - 2);
        }
        if (r < 93) {
            return F.numberNode(BigInteger.ONE.shiftLeft(63).add(BigInteger.valueOf(random.nextInt(2))));
        }
        if (r < 95) {
            return F.numberNode(1.5);
        }
        if (r < 97) {
            return F.booleanNode(true);
        }
        return F.nullNode();
    }

    /** The payload at {@code g}: missing, a value, an array of values (sometimes repeating one), or empty. */
    private static ObjectNode payload(Random random) {
        ObjectNode p = F.objectNode();
        p.put("other", random.nextInt(3));
        int r = random.nextInt(10);
        if (r == 0) {
            return p;
        }
        if (r < 7) {
            p.set("g", value(random));
        } else if (r < 9) {
            ArrayNode a = p.putArray("g");
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                a.add(value(random));
            }
            if (random.nextBoolean()) {
                a.add(a.get(0));
            }
        } else {
            p.putArray("g");
        }
        return p;
    }

    /** The group values of a payload by Qdrant's rules; null when the point is in no group. */
    private static List<JsonNode> keys(ObjectNode payload) {
        JsonNode g = payload.get("g");
        if (g == null) {
            return List.of();
        }
        List<JsonNode> elements = new ArrayList<>();
        if (g.isArray()) {
            g.forEach(elements::add);
        } else {
            elements.add(g);
        }
        Set<JsonNode> out = new LinkedHashSet<>();
        for (JsonNode e : elements) {
            if (e.isTextual()) {
                out.add(F.textNode(e.textValue()));
            } else if (e.isIntegralNumber() && e.canConvertToLong()) {
                out.add(F.numberNode(e.longValue()));
            } else if (e.isIntegralNumber() && e.bigIntegerValue().signum() > 0
                    && e.bigIntegerValue().bitLength() <= 64) {
                out.add(F.numberNode(e.bigIntegerValue()));
            } else {
                return null;
            }
        }
        return new ArrayList<>(out);
    }

    /** The brute-force answer as "value: id id id" lines. */
    private static List<String> bruteForce(List<Stored> points, int groupSize, int limit, boolean higherIsBetter) {
        List<Stored> ranked = new ArrayList<>(points);
        ranked.sort(order(higherIsBetter));
        Map<JsonNode, List<Stored>> groups = new LinkedHashMap<>();
        for (Stored s : ranked) {
            List<JsonNode> keys = keys(s.payload());
            if (keys != null) {
                keys.forEach(k -> groups.computeIfAbsent(k, x -> new ArrayList<>()).add(s));
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<JsonNode, List<Stored>> e : groups.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            List<Stored> hits = e.getValue().subList(0, Math.min(groupSize, e.getValue().size()));
            out.add(e.getKey() + ": " + String.join(" ", hits.stream().map(h -> h.id().toString()).toList()));
        }
        return out;
    }

    private static List<String> lines(List<PointGrouping.Group> groups) {
        List<String> out = new ArrayList<>();
        for (PointGrouping.Group g : groups) {
            out.add(g.id() + ": " + String.join(" ", g.hits().stream().map(h -> h.id().toString()).toList()));
        }
        return out;
    }

    @Test
    void groupsEqualTheBruteForceDefinition() {
        long seed = TestSeeds.seed("PointGroupingTest.groupsEqualTheBruteForceDefinition");
        Random random = new Random(seed);
        for (int round = 0; round < 60; round++) {
            int n = 1 + random.nextInt(round < 10 ? 30 : 600);
            List<Float> scores = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                scores.add((float) i / n);
            }
            Collections.shuffle(scores, random);
            List<Stored> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                points.add(new Stored(PointId.of(i), payload(random), scores.get(i)));
            }
            boolean higherIsBetter = random.nextBoolean();
            int groupSize = 1 + random.nextInt(random.nextBoolean() ? 3 : 12);
            int limit = 1 + random.nextInt(random.nextBoolean() ? 4 : 30);
            ExactSource source = new ExactSource(points, higherIsBetter);
            List<PointGrouping.Group> got = new PointGrouping("g", groupSize, limit, higherIsBetter).run(source);
            String what = "seed " + seed + " round " + round + " n=" + n + " groupSize=" + groupSize + " limit="
                    + limit + " higherIsBetter=" + higherIsBetter;
            assertEquals(bruteForce(points, groupSize, limit, higherIsBetter), lines(got), what);
            for (PointGrouping.Group g : got) {
                for (ScoredPoint hit : g.hits()) {
                    assertTrue(hit.payloadOrNull().size() <= 1, what + ": hits carry the key only: " + hit);
                }
            }
            assertTrue(source.calls <= 2 * limit + 20, what + ": " + source.calls + " pages");
        }
    }

    /**
     * A source that returns at most {@code cap} points per call (as an MMR query picks from its
     * {@code candidates_limit} nearest) is paged on while calls come back full up to the cap, to the same answer as
     * the uncapped source; taken as the uncapped kind, its first short call would end the paging.
     */
    @Test
    void aSourceCappedPerCallIsPagedToTheEnd() {
        long seed = TestSeeds.seed("PointGroupingTest.aSourceCappedPerCallIsPagedToTheEnd");
        Random random = new Random(seed);
        for (int round = 0; round < 30; round++) {
            int n = 1 + random.nextInt(300);
            List<Stored> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                points.add(new Stored(PointId.of(i), payload(random), (float) random.nextInt(n * 10) / n + i * 1e-6f));
            }
            int groupSize = 1 + random.nextInt(6);
            int limit = 1 + random.nextInt(12);
            int cap = 1 + random.nextInt(8);
            ExactSource exact = new ExactSource(points, true);
            PointGrouping.Source capped = (filter, asked, withPayload) ->
                    exact.best(filter, Math.min(asked, cap), withPayload);
            String what = "seed " + seed + " round " + round + " n=" + n + " groupSize=" + groupSize + " limit="
                    + limit + " cap=" + cap;
            assertEquals(bruteForce(points, groupSize, limit, true),
                    lines(new PointGrouping("g", groupSize, limit, true).run(capped, cap)), what);
        }
        List<Stored> three = List.of(new Stored(PointId.of(1), (ObjectNode) F.objectNode().put("g", "a"), 3f),
                new Stored(PointId.of(2), (ObjectNode) F.objectNode().put("g", "b"), 2f),
                new Stored(PointId.of(3), (ObjectNode) F.objectNode().put("g", "c"), 1f));
        ExactSource exact = new ExactSource(three, true);
        PointGrouping.Source oneAtATime = (filter, asked, withPayload) -> exact.best(filter, 1, withPayload);
        assertEquals(List.of("\"a\": 1"), lines(new PointGrouping("g", 1, 3, true).run(oneAtATime)),
                "uncapped, a short call is the end of the source");
        assertEquals(List.of("\"a\": 1", "\"b\": 2", "\"c\": 3"),
                lines(new PointGrouping("g", 1, 3, true).run(oneAtATime, 1)));
        assertEquals(List.of(), new PointGrouping("g", 1, 3, true).run(oneAtATime, 0), "a cap of 0 finds nothing");
    }

    @Test
    void aNestedKeyAndArraysOfObjectsGroupByEveryElement() {
        List<Stored> points = new ArrayList<>();
        String[] docs = {"[{\"t\":\"a\"},{\"t\":\"b\"}]", "[{\"t\":\"b\"}]", "[{\"t\":7}]", "[{\"x\":1}]",
                "[{\"t\":\"a\"},{\"t\":1.5}]"};
        for (int i = 0; i < docs.length; i++) {
            ObjectNode p = F.objectNode();
            try {
                p.set("d", new com.fasterxml.jackson.databind.ObjectMapper().readTree(docs[i]));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError(e);
            }
            points.add(new Stored(PointId.of(i), p, 10 - i));
        }
        List<PointGrouping.Group> got = new PointGrouping("d[].t", 5, 10, true)
                .run(new ExactSource(points, true));
        assertEquals(List.of("\"a\": 0", "\"b\": 0 1", "7: 2"), lines(got));
    }
}
