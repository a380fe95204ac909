package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.AcceptOrds;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized check of the filter stack: random payloads (nested objects, arrays, numbers, strings, bools, nulls,
 * datetimes, geo points) and random filters of every kind and nesting. Checks that (a) the plain evaluator agrees
 * with the brute-force {@link ReferenceFilter}, (b) the evaluator with full-text semantics agrees with the reference
 * given the same text-indexed fields, and (c) index-assisted planning (matchingOrds, acceptOrds) equals evaluating
 * every point, with indexes built incrementally, from scratch, after deletes/updates and after a save/load.
 * Prints its seed; rerun with {@code -Dquiver.seed=N}.
 */
class FilterPropertyTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] STRINGS = {"red", "blue", "Red", "green apple", "good cheap food", "cheap", "",
        "Good, cheap!", "2020-02-15T00:00:00Z", "2021-06-01", "2020-02-15 10:30:00", "2020-02-15T01:00:00+01:00",
        "550e8400-e29b-41d4-a716-446655440000", "550E8400-E29B-41D4-A716-446655440000", "apple pie"};
    private static final String[] TEXTS = {"good cheap food", "cheap apple", "Good, cheap!", "red apple pie",
        "the food is good", "APPLE", ""};
    private static final String[] DATES = {"2020-02-15T00:00:00Z", "2020-02-14T23:59:59.999Z", "2020-03-01",
        "2020-02-15 10:30:00", "2020-02-15T01:00:00+01:00", "2019-12-31T23:00:00-01:00", "not a date"};
    private static final String[] UUIDS = {"550e8400-e29b-41d4-a716-446655440000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "550E8400-E29B-41D4-A716-446655440000", "x-not-uuid"};
    private static final String[] TOP_KEYS = {"a", "n", "b", "c", "d", "t", "u", "tags", "obj.a", "obj.n",
        "obj.tags", "arr[].a", "arr[].n", "arr[].t", "arr[]", "arr[0].a", "tags[]", "mix", "loc", "missing", "arr",
        "obj"};
    private static final String[] NESTED_KEYS = {"a", "n", "t", "tags", "tags[]", "missing"};
    private static final String[][] INDEXES = {{"a", "keyword"}, {"a", "text"}, {"n", "integer"}, {"n", "float"},
        {"b", "float"}, {"b", "integer"}, {"c", "bool"}, {"d", "datetime"}, {"d", "keyword"}, {"t", "text"},
        {"t", "keyword"}, {"u", "uuid"}, {"u", "keyword"}, {"tags", "keyword"}, {"tags", "integer"},
        {"obj.a", "keyword"}, {"obj.n", "integer"}, {"arr[].a", "keyword"}, {"arr[].t", "text"},
        {"arr[].n", "float"}, {"mix", "keyword"}, {"mix", "integer"}, {"mix", "float"}, {"mix", "bool"},
        {"mix", "datetime"}, {"mix", "uuid"}, {"mix", "text"}, {"loc", "keyword"}, {"arr[].a", "text"},
        {"loc", "geo"}, {"mix", "geo"}, {"arr[]", "geo"}};

    private static final int[] STATS = new int[4];
    /** Plans over columns that still needed payload evaluation (filters with conditions columns cannot decide). */
    private static final int[] STATS_LAZY_PLANS = new int[1];

    @TempDir
    Path dir;

    @Test
    void indexesAndEvaluatorAgreeWithReference() throws Exception {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("FilterPropertyTest seed=" + seed + " (rerun with -Dquiver.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int checkedPoints = 0;
        for (int round = 0; round < 30; round++) {
            checkedPoints += round(rnd, seed, round);
        }
        assertTrue(checkedPoints > 10_000, "too few checks: " + checkedPoints);
        System.out.println("filters matching none / some / all points: " + STATS[0] + " / " + STATS[1] + " / "
                + STATS[2] + "; decided by indexes alone: " + STATS[3]);
        assertTrue(STATS[1] > STATS[0] / 4, "too few filters select a proper subset");
    }

    private int round(Random rnd, long seed, int round) throws Exception {
        boolean columns = rnd.nextBoolean();
        TestSegment seg = new TestSegment(columns);
        PayloadIndexes indexes = new PayloadIndexes();
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String[] ix : INDEXES) {
            if (rnd.nextInt(3) == 0 && !chosen.containsKey(ix[0])) {
                chosen.put(ix[0], ix[1]);
            }
        }
        List<Map.Entry<String, String>> early = new ArrayList<>();
        List<Map.Entry<String, String>> late = new ArrayList<>();
        for (Map.Entry<String, String> e : chosen.entrySet()) {
            (rnd.nextBoolean() ? early : late).add(e);
        }
        for (Map.Entry<String, String> e : early) {
            indexes.createIndex(e.getKey(), schema(rnd, e.getValue()), seg);
        }
        int n = 40 + rnd.nextInt(80);
        Set<PointId> used = new HashSet<>();
        for (int i = 0; i < n; i++) {
            PointId id = rnd.nextInt(4) == 0 ? PointId.of(new UUID(rnd.nextInt(3), rnd.nextInt(50)))
                    : PointId.of(rnd.nextInt(300));
            if (!used.add(id)) {
                continue;
            }
            JsonNode payload = payload(rnd);
            indexes.add(seg.add(id, payload), payload);
        }
        mutate(rnd, seg, indexes, used);
        for (Map.Entry<String, String> e : late) {
            indexes.createIndex(e.getKey(), schema(rnd, e.getValue()), seg);
        }
        if (rnd.nextInt(3) == 0) {
            Path file = dir.resolve("round-" + round + ".bin");
            indexes.save(file);
            indexes = PayloadIndexes.load(file);
        }
        Set<String> textKeys = new HashSet<>();
        indexes.schema().forEach((k, s) -> {
            if (s.type() == PayloadSchemaType.TEXT) {
                textKeys.add(k);
            }
        });
        ReferenceFilter plainRef = new ReferenceFilter(Set.of());
        ReferenceFilter textRef = new ReferenceFilter(textKeys);
        FilterEvaluator ev = indexes.evaluator();
        int checked = 0;
        for (int q = 0; q < 30; q++) {
            if (q == 15) { // the columns queries built so far must follow these writes
                mutate(rnd, seg, indexes, used);
            }
            ObjectNode filterJson = filter(rnd, 0, false);
            String ctx = "seed=" + seed + " round=" + round + " query=" + q + " indexes=" + chosen + " columns="
                    + columns + "\nfilter=" + filterJson;
            Filter filter = FilterParser.parse(filterJson);
            assertEquals(filterJson, filter.toJson(), ctx);
            BitSet expected = new BitSet();
            for (int ord = 0; ord < seg.ordBound(); ord++) {
                if (!seg.isLive(ord)) {
                    continue;
                }
                PointId id = seg.pointId(ord);
                JsonNode payload = seg.payload(ord);
                String at = ctx + "\nid=" + id + " payload=" + payload;
                assertEquals(plainRef.matches(filterJson, id, payload), FilterEvaluator.PLAIN.matches(filter, id,
                        payload), "plain evaluator vs reference: " + at);
                boolean want = textRef.matches(filterJson, id, payload);
                assertEquals(want, ev.matches(filter, id, payload), "text-aware evaluator vs reference: " + at);
                if (want) {
                    expected.set(ord);
                }
                checked++;
            }
            BitSet got = indexes.matchingOrds(filter, seg);
            if (!expected.equals(got)) {
                BitSet diff = (BitSet) expected.clone();
                diff.xor(got);
                int ord = diff.nextSetBit(0);
                fail("index-assisted result differs at ord " + ord + " (expected " + expected.get(ord) + "): " + ctx
                        + "\npayload=" + seg.payload(ord));
            }
            AcceptOrds accept = indexes.acceptOrds(filter, seg);
            for (int ord = 0; ord < seg.ordBound() + 3; ord++) {
                assertEquals(expected.get(ord), accept.accept(ord), "acceptOrds at " + ord + ": " + ctx);
            }
            SegmentFilter plan = indexes.plan(filter, seg);
            AcceptOrds planned = plan.accept(); // taken before matching() so that a lazy plan checks lazily
            for (int ord = 0; ord < seg.ordBound() + 3; ord++) {
                assertEquals(expected.get(ord), planned.accept(ord), "plan().accept() at " + ord + ": " + ctx);
            }
            if (columns && !plan.isMaterialised()) {
                STATS_LAZY_PLANS[0]++;
            }
            assertEquals(expected, plan.matching(), "plan().matching(): " + ctx);
            long planned0 = plan.estimate().max();
            assertTrue(plan.estimate().min() <= expected.cardinality() && expected.cardinality() <= planned0,
                    "plan estimate " + plan.estimate() + " vs " + expected.cardinality() + ": " + ctx);
            int live = 0;
            for (int ord = 0; ord < seg.ordBound(); ord++) {
                live += seg.isLive(ord) ? 1 : 0;
            }
            STATS[expected.isEmpty() ? 0 : expected.cardinality() == live ? 2 : 1]++;
            CardinalityEstimation est = indexes.estimate(filter, seg);
            if (est.isExact()) {
                STATS[3]++;
            }
            int count = expected.cardinality();
            assertTrue(est.min() <= count && count <= est.max() && est.min() <= est.exp() && est.exp() <= est.max(),
                    "estimate " + est + " vs count " + count + ": " + ctx);
        }
        return checked;
    }

    /** Deletes about a tenth of the points, overwrites another tenth's payloads and appends a few new points. */
    private void mutate(Random rnd, TestSegment seg, PayloadIndexes indexes, Set<PointId> used) {
        for (int ord = 0; ord < seg.ordBound(); ord++) {
            if (!seg.isLive(ord)) {
                continue;
            }
            int r = rnd.nextInt(10);
            if (r == 0) {
                seg.delete(ord);
                indexes.remove(ord);
            } else if (r == 1) {
                JsonNode payload = payload(rnd);
                seg.setPayload(ord, payload);
                indexes.add(ord, payload);
            }
        }
        for (int i = 0; i < 5; i++) {
            PointId id = PointId.of(1000 + rnd.nextInt(1000));
            if (used.add(id)) {
                JsonNode payload = payload(rnd);
                indexes.add(seg.add(id, payload), payload);
            }
        }
    }

    private static PayloadFieldSchema schema(Random rnd, String type) throws Exception {
        if (type.equals("text") && rnd.nextBoolean()) {
            return PayloadFieldSchema.parse(JSON.readTree("{\"type\":\"text\",\"tokenizer\":\"word\",\"lowercase\":true}"));
        }
        if (rnd.nextBoolean()) {
            return PayloadFieldSchema.parse(JSON.readTree("{\"type\":\"" + type + "\"}"));
        }
        return PayloadFieldSchema.parse(F.textNode(type));
    }

    // ---- payloads ----

    private static JsonNode payload(Random rnd) {
        ObjectNode p = F.objectNode();
        if (rnd.nextInt(10) < 7) {
            p.set("a", rnd.nextInt(5) == 0 ? any(rnd, 1) : F.textNode(pick(rnd, STRINGS)));
        }
        if (rnd.nextInt(10) < 7) {
            p.set("n", rnd.nextInt(5) == 0 ? any(rnd, 1) : number(rnd));
        }
        if (rnd.nextInt(10) < 6) {
            p.set("b", rnd.nextInt(5) == 0 ? any(rnd, 1) : number(rnd));
        }
        if (rnd.nextInt(10) < 6) {
            p.set("c", rnd.nextInt(5) == 0 ? any(rnd, 1) : F.booleanNode(rnd.nextBoolean()));
        }
        if (rnd.nextInt(10) < 6) {
            p.set("d", rnd.nextInt(5) == 0 ? any(rnd, 1) : F.textNode(pick(rnd, DATES)));
        }
        if (rnd.nextInt(10) < 6) {
            p.set("t", rnd.nextInt(4) == 0 ? array(rnd, 1) : F.textNode(pick(rnd, TEXTS)));
        }
        if (rnd.nextInt(10) < 5) {
            p.set("u", rnd.nextInt(5) == 0 ? any(rnd, 1) : F.textNode(pick(rnd, UUIDS)));
        }
        if (rnd.nextInt(10) < 6) {
            p.set("tags", rnd.nextInt(5) == 0 ? any(rnd, 1) : array(rnd, 1));
        }
        if (rnd.nextInt(10) < 5) {
            p.set("obj", rnd.nextInt(6) == 0 ? any(rnd, 1) : element(rnd));
        }
        if (rnd.nextInt(10) < 6) {
            ArrayNode arr = F.arrayNode();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                arr.add(rnd.nextInt(6) == 0 ? any(rnd, 1) : element(rnd));
            }
            p.set("arr", rnd.nextInt(8) == 0 ? element(rnd) : arr);
        }
        if (rnd.nextInt(10) < 3) {
            p.set("loc", geo(rnd));
        }
        if (rnd.nextInt(10) < 5) {
            p.set("mix", any(rnd, 2));
        }
        for (String key : List.copyOf(p.propertyStream().map(Map.Entry::getKey).toList())) {
            if (rnd.nextInt(12) == 0) {
                p.putNull(key);
            }
        }
        return p;
    }

    private static ObjectNode element(Random rnd) {
        ObjectNode o = F.objectNode();
        if (rnd.nextInt(10) < 7) {
            o.set("a", rnd.nextInt(5) == 0 ? any(rnd, 0) : F.textNode(pick(rnd, STRINGS)));
        }
        if (rnd.nextInt(10) < 7) {
            o.set("n", number(rnd));
        }
        if (rnd.nextInt(10) < 5) {
            o.set("t", F.textNode(pick(rnd, TEXTS)));
        }
        if (rnd.nextInt(10) < 4) {
            o.set("tags", array(rnd, 0));
        }
        return o;
    }

    private static JsonNode number(Random rnd) {
        return switch (rnd.nextInt(9)) {
            case 0 -> F.numberNode(rnd.nextBoolean() ? 0.5 : -0.0);
            case 1 -> F.numberNode(2.0);
            case 2 -> F.numberNode(-3.25);
            case 3 -> F.numberNode(3_000_000_000L);
            case 4 -> F.numberNode(new BigInteger("18446744073709551615"));
            default -> F.numberNode(rnd.nextInt(7) - 1);
        };
    }

    private static JsonNode geo(Random rnd) {
        ObjectNode g = F.objectNode();
        g.put("lon", rnd.nextInt(40) - 20 + 0.5);
        g.put("lat", rnd.nextInt(40) - 20 + 0.25);
        return rnd.nextInt(4) == 0 ? F.arrayNode().add(g).add(geo(rnd)) : g;
    }

    private static ArrayNode array(Random rnd, int depth) {
        ArrayNode a = F.arrayNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            int k = rnd.nextInt(10);
            a.add(k < 4 ? F.textNode(pick(rnd, STRINGS)) : k < 7 ? number(rnd) : k < 8 ? F.nullNode() : any(rnd, depth));
        }
        return a;
    }

    private static JsonNode any(Random rnd, int depth) {
        int k = rnd.nextInt(depth > 0 ? 10 : 7);
        return switch (k) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(rnd.nextBoolean());
            case 2, 3 -> F.textNode(pick(rnd, STRINGS));
            case 4, 5 -> number(rnd);
            case 6 -> F.arrayNode();
            case 7 -> array(rnd, depth - 1);
            case 8 -> element(rnd);
            default -> F.arrayNode().add(array(rnd, depth - 1)).add(F.nullNode());
        };
    }

    private static <T> T pick(Random rnd, T[] items) {
        return items[rnd.nextInt(items.length)];
    }

    // ---- filters ----

    private static ObjectNode filter(Random rnd, int depth, boolean nested) {
        ObjectNode f = F.objectNode();
        for (String clause : new String[] {"must", "should", "must_not"}) {
            if (rnd.nextInt(10) < 4) {
                if (rnd.nextInt(4) == 0) {
                    f.set(clause, condition(rnd, depth, nested));
                } else {
                    ArrayNode a = F.arrayNode();
                    for (int i = rnd.nextInt(4); i > 0; i--) {
                        a.add(condition(rnd, depth, nested));
                    }
                    f.set(clause, a);
                }
            }
        }
        if (rnd.nextInt(8) == 0) {
            ObjectNode ms = F.objectNode();
            ArrayNode cs = F.arrayNode();
            for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                cs.add(condition(rnd, depth, nested));
            }
            ms.set("conditions", cs);
            ms.put("min_count", rnd.nextInt(4));
            f.set("min_should", ms);
        }
        return f;
    }

    private static ObjectNode condition(Random rnd, int depth, boolean nested) {
        int k = rnd.nextInt(100);
        if (k < 62 || depth >= 3) {
            return fieldCondition(rnd, nested);
        }
        String key = pick(rnd, nested ? NESTED_KEYS : TOP_KEYS);
        ObjectNode c = F.objectNode();
        if (k < 68) {
            c.set("is_empty", F.objectNode().put("key", key));
        } else if (k < 74) {
            c.set("is_null", F.objectNode().put("key", key));
        } else if (k < 80) {
            ArrayNode ids = F.arrayNode();
            for (int i = rnd.nextInt(6); i > 0; i--) {
                ids.add(rnd.nextInt(5) == 0 ? F.textNode(new UUID(rnd.nextInt(3), rnd.nextInt(50)).toString())
                        : F.numberNode(rnd.nextInt(300)));
            }
            c.set("has_id", ids);
        } else if (k < 82) {
            c.put("has_vector", rnd.nextBoolean() ? "" : "image");
        } else if (k < 91) {
            ObjectNode nestedNode = F.objectNode();
            nestedNode.put("key", nested ? pick(rnd, new String[] {"tags", "missing"})
                    : pick(rnd, new String[] {"arr", "arr[]", "obj", "tags", "mix"}));
            nestedNode.set("filter", filter(rnd, depth + 1, true));
            c.set("nested", nestedNode);
        } else {
            return filter(rnd, depth + 1, nested);
        }
        return c;
    }

    private static ObjectNode fieldCondition(Random rnd, boolean nested) {
        ObjectNode c = F.objectNode();
        c.put("key", pick(rnd, nested ? NESTED_KEYS : TOP_KEYS));
        int parts = rnd.nextInt(12) == 0 ? 2 : 1;
        for (int p = 0; p < parts; p++) {
            int k = rnd.nextInt(100);
            if (k < 14) {
                ObjectNode m = F.objectNode();
                switch (rnd.nextInt(3)) {
                    case 0 -> m.put("value", pick(rnd, STRINGS));
                    case 1 -> m.put("value", rnd.nextInt(7) - 1);
                    default -> m.put("value", rnd.nextBoolean());
                }
                c.set("match", m);
            } else if (k < 32) {
                ObjectNode m = F.objectNode();
                ArrayNode list = F.arrayNode();
                boolean ints = rnd.nextBoolean();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    if (ints) {
                        list.add(rnd.nextInt(7) - 1);
                    } else {
                        list.add(pick(rnd, STRINGS));
                    }
                }
                m.set(rnd.nextBoolean() ? "any" : "except", list);
                c.set("match", m);
            } else if (k < 46) {
                ObjectNode m = F.objectNode();
                String[] words = {"cheap", "good cheap", "apple", "red apple", "Good food", "cheap!", "food is",
                    "APPLE pie", "", "e"};
                m.put(pick(rnd, new String[] {"text", "text_any", "phrase"}), pick(rnd, words));
                c.set("match", m);
            } else if (k < 64) {
                ObjectNode r = F.objectNode();
                for (String b : new String[] {"gt", "gte", "lt", "lte"}) {
                    int x = rnd.nextInt(4);
                    if (x == 0) {
                        r.put(b, rnd.nextInt(9) - 3 + (rnd.nextBoolean() ? 0.5 : 0));
                    } else if (x == 1 && rnd.nextInt(3) == 0) {
                        r.putNull(b);
                    }
                }
                c.set("range", r);
            } else if (k < 74) {
                ObjectNode r = F.objectNode();
                String[] bounds = {"2020-02-15T00:00:00Z", "2020-02-15", "2020-02-14T23:59:59.999999Z",
                    "2020-02-15T10:30:00+00:00", "2020-03-01T00:00:00Z", "2019-12-31T23:59:59Z"};
                r.put(pick(rnd, new String[] {"gt", "gte", "lt", "lte"}), pick(rnd, bounds));
                if (rnd.nextBoolean()) {
                    r.put(pick(rnd, new String[] {"gt", "gte", "lt", "lte"}), pick(rnd, bounds));
                }
                c.set("range", r);
            } else if (k < 84) {
                ObjectNode r = F.objectNode();
                r.put(pick(rnd, new String[] {"gt", "gte", "lt", "lte"}), rnd.nextInt(4));
                c.set("values_count", r);
            } else if (k < 90) {
                c.put("is_empty", rnd.nextBoolean());
            } else if (k < 95) {
                c.put("is_null", rnd.nextBoolean());
            } else if (rnd.nextBoolean()) {
                ObjectNode radius = F.objectNode();
                radius.set("center", F.objectNode().put("lon", rnd.nextInt(20) - 10.0).put("lat", rnd.nextInt(20) - 10.0));
                radius.put("radius", 100_000.0 * (1 + rnd.nextInt(15)));
                c.set("geo_radius", radius);
            } else {
                ObjectNode box = F.objectNode();
                box.set("top_left", F.objectNode().put("lon", -10.0 + rnd.nextInt(5)).put("lat", 10.0 + rnd.nextInt(5)));
                box.set("bottom_right", F.objectNode().put("lon", 5.0 + rnd.nextInt(5)).put("lat", -5.0 - rnd.nextInt(5)));
                c.set("geo_bounding_box", box);
            }
        }
        if (c.size() == 1) {
            c.put("is_null", false);
        }
        return c;
    }
}
