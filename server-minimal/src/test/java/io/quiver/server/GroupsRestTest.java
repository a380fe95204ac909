package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

import static io.quiver.server.VectorJson.json;
import static io.quiver.server.VectorJson.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code points/search/groups}, {@code points/recommend/groups}, {@code points/query/groups} and {@code facet} over a
 * real socket, on collections of {@value #POINTS} points whose payloads mix keyword and integer values, arrays,
 * missing keys, empty values and values that put a point in no group. Every grouped answer is checked against the
 * brute-force definition worked out here: rank every point passing the filter (and threshold) by the score the
 * server gives it — read from one exact search over all points, and checked against the score computed here — then
 * take the {@code limit} groups whose best hit is best, each with its {@code group_size} best hits. Facet counts are
 * counted here from the stored payloads. Plus the 400/404/422 answers. Randomized: {@code -Dquiver.seed=} replays.
 */
class GroupsRestTest {
    private static final int POINTS = 300;
    private static final int DIM = 4;
    private static final String[] CITIES = {"Oslo", "Bergen", "Lyon", "Porto", "Graz", "Cork", "Turku", "Ghent"};
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path dir;
    private QuiverServer server;
    private RestClient rest;
    private long seed;
    private Random random;
    /** The stored vectors (unit length under Cosine, as the collection keeps them) and payloads, by id. */
    private final Map<Integer, float[]> stored = new TreeMap<>();
    private final Map<Integer, ObjectNode> payloads = new TreeMap<>();

    @BeforeEach
    void start() throws Exception {
        seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("GroupsRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        random = new Random(seed);
        server = TestServers.start(dir);
        rest = new RestClient(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- data -----------------------------------------------------------------------------------------------

    /** A city, Oslo far more often than the others. */
    private String city() {
        return random.nextInt(10) < 4 ? "Oslo" : CITIES[1 + random.nextInt(CITIES.length - 1)];
    }

    /**
     * {@value #POINTS} points with random vectors and payload {@code city} (keyword: missing, [], a city, an array of
     * cities with repeats, an integer, or a city next to a float, which puts the point in no group), {@code n}
     * (integer: missing, a number, an array, or 1.5), {@code flag} (bool) and {@code tags}; payload indexes on
     * {@code city} (keyword), {@code n} (integer) and {@code flag} (bool).
     */
    private void createCollection(String name, String distance) {
        assertTrue(rest.ok("PUT", "/collections/" + name,
                "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"" + distance + "\"}}").asBoolean());
        stored.clear();
        payloads.clear();
        ArrayNode points = F.arrayNode();
        for (int id = 0; id < POINTS; id++) {
            float[] v = vector();
            ObjectNode p = F.objectNode();
            int c = random.nextInt(100);
            if (c < 8) {
                // no city
            } else if (c < 12) {
                p.putArray("city");
            } else if (c < 60) {
                p.put("city", city());
            } else if (c < 88) {
                ArrayNode cities = p.putArray("city");
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    cities.add(city());
                }
                if (random.nextBoolean()) {
                    cities.add(cities.get(0).textValue());
                }
            } else if (c < 94) {
                p.put("city", 7);
            } else {
                p.putArray("city").add(city()).add(2.5);
            }
            int n = random.nextInt(10);
            if (n < 6) {
                p.put("n", random.nextInt(6) - 1);
            } else if (n < 8) {
                p.putArray("n").add(random.nextInt(6) - 1).add(random.nextInt(6) - 1);
            } else if (n < 9) {
                p.put("n", 1.5);
            }
            p.put("flag", random.nextBoolean());
            p.putArray("tags").add("t" + random.nextInt(4));
            payloads.put(id, p);
            stored.put(id, distance.equals("Cosine") ? unit(v) : v);
            ObjectNode point = points.addObject();
            point.put("id", id);
            ArrayNode vector = point.putArray("vector");
            for (float x : v) {
                vector.add(x);
            }
            point.set("payload", p);
        }
        ObjectNode body = F.objectNode();
        body.set("points", points);
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.toString());
        for (String[] index : new String[][] {{"city", "keyword"}, {"n", "integer"}, {"flag", "bool"}}) {
            rest.ok("PUT", "/collections/" + name + "/index?wait=true",
                    "{\"field_name\":\"" + index[0] + "\",\"field_schema\":\"" + index[1] + "\"}");
        }
    }

    private float[] vector() {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    // ---- brute force ----------------------------------------------------------------------------------------

    /** The score of a stored point for the query, computed here in double. */
    private double score(float[] q, int id, String distance) {
        float[] query = distance.equals("Cosine") ? unit(q) : q;
        float[] v = stored.get(id);
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            switch (distance) {
                case "Cosine", "Dot" -> s += (double) query[i] * v[i];
                case "Euclid" -> s += ((double) query[i] - v[i]) * ((double) query[i] - v[i]);
                default -> s += Math.abs((double) query[i] - v[i]);
            }
        }
        return distance.equals("Euclid") ? Math.sqrt(s) : s;
    }

    private static boolean higherIsBetter(String distance) {
        return distance.equals("Cosine") || distance.equals("Dot");
    }

    /**
     * Every point's score as the server computes it (one search over all points), checked against {@link #score};
     * the ranking below uses the server's scores, so that float rounding cannot reorder close points.
     */
    private Map<Integer, Float> serverScores(String collection, float[] q, String distance) {
        JsonNode all = rest.ok("POST", "/collections/" + collection + "/points/search",
                "{\"vector\":" + json(q) + ",\"limit\":" + POINTS + ",\"params\":{\"exact\":true}}");
        assertEquals(POINTS, all.size());
        Map<Integer, Float> scores = new HashMap<>();
        for (JsonNode p : all) {
            int id = p.get("id").asInt();
            scores.put(id, p.get("score").floatValue());
            assertEquals(score(q, id, distance), p.get("score").asDouble(), 1e-4, "score of " + id);
        }
        return scores;
    }

    /** The ids passing {@code filter} and the threshold, best first by {@code scores}, equal scores by id. */
    private List<Integer> ranked(Map<Integer, Float> scores, boolean higherIsBetter, IntPredicate filter,
            Float threshold) {
        List<Integer> ids = new ArrayList<>();
        for (int id : stored.keySet()) {
            float s = scores.get(id);
            if (filter.test(id) && (threshold == null || (higherIsBetter ? s >= threshold : s <= threshold))) {
                ids.add(id);
            }
        }
        Comparator<Integer> byScore = Comparator.comparingDouble(scores::get);
        ids.sort((higherIsBetter ? byScore.reversed() : byScore).thenComparing(Comparator.naturalOrder()));
        return ids;
    }

    /**
     * The group values of a point under {@code key}: strings and integers, arrays split, each once; null when one of
     * them is anything else (the point is in no group).
     */
    private List<JsonNode> groupValues(int id, String key) {
        JsonNode v = payloads.get(id).get(key);
        List<JsonNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<JsonNode> elements = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(elements::add);
        } else {
            elements.add(v);
        }
        for (JsonNode e : elements) {
            JsonNode key0 = e.isTextual() ? F.textNode(e.textValue())
                    : e.isIntegralNumber() ? F.numberNode(e.longValue()) : null;
            if (key0 == null) {
                return null;
            }
            if (!out.contains(key0)) {
                out.add(key0);
            }
        }
        return out;
    }

    /** The brute-force answer as lines "value: id id id", groups best first, hits best first. */
    private List<String> expectedGroups(List<Integer> ranked, String key, int groupSize, int limit) {
        Map<JsonNode, List<Integer>> groups = new LinkedHashMap<>();
        for (int id : ranked) {
            List<JsonNode> values = groupValues(id, key);
            if (values != null) {
                values.forEach(value -> groups.computeIfAbsent(value, x -> new ArrayList<>()).add(id));
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<JsonNode, List<Integer>> e : groups.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            List<Integer> hits = e.getValue().subList(0, Math.min(groupSize, e.getValue().size()));
            out.add(e.getKey() + ": " + String.join(" ", hits.stream().map(String::valueOf).toList()));
        }
        return out;
    }

    /**
     * The answer's groups as lines, after checking Qdrant's shape (a {@code groups} array of {@code {"hits":[…],
     * "id":string|integer}}, each hit a ScoredPoint) and that each hit carries the score the server gives it.
     */
    private static List<String> lines(JsonNode result, Map<Integer, Float> scores) {
        assertTrue(result.isObject() && result.get("groups").isArray(), result::toString);
        List<String> out = new ArrayList<>();
        for (JsonNode g : result.get("groups")) {
            JsonNode id = g.get("id");
            assertTrue(id.isTextual() || id.isIntegralNumber(), g::toString);
            assertTrue(g.get("hits").isArray() && !g.get("hits").isEmpty(), g::toString);
            List<String> hits = new ArrayList<>();
            for (JsonNode h : g.get("hits")) {
                for (String field : List.of("id", "version", "score", "payload", "vector")) {
                    assertTrue(h.has(field), field + " in " + h);
                }
                int hitId = h.get("id").asInt();
                if (scores != null) {
                    assertEquals(scores.get(hitId), h.get("score").floatValue(), 1e-5, h.toString());
                }
                hits.add(String.valueOf(hitId));
            }
            out.add(id + ": " + String.join(" ", hits));
        }
        return out;
    }

    private boolean flag(int id) {
        return payloads.get(id).get("flag").booleanValue();
    }

    // ---- search/groups --------------------------------------------------------------------------------------

    @Test
    void searchGroupsEqualTheBruteForceDefinitionForEveryDistance() {
        for (String distance : List.of("Cosine", "Dot", "Euclid", "Manhattan")) {
            String c = "s_" + distance.toLowerCase();
            createCollection(c, distance);
            boolean higher = higherIsBetter(distance);
            float[] q = vector();
            Map<Integer, Float> scores = serverScores(c, q, distance);
            String path = "/collections/" + c + "/points/search/groups";
            String what = distance + " seed " + seed;
            List<Integer> all = ranked(scores, higher, id -> true, null);
            // by a keyword key: arrays count in every group, the skewed Oslo group fills first
            for (int[] sizes : new int[][] {{3, 4}, {1, 1}, {1, 20}, {50, 2}, {POINTS, 100}, {5, 3}}) {
                JsonNode got = rest.ok("POST", path, "{\"vector\":" + json(q) + ",\"group_by\":\"city\",\"group_size\":"
                        + sizes[0] + ",\"limit\":" + sizes[1] + "}");
                assertEquals(expectedGroups(all, "city", sizes[0], sizes[1]), lines(got, scores),
                        what + " city " + sizes[0] + "x" + sizes[1]);
            }
            // by an integer key, with a filter
            List<Integer> flagged = ranked(scores, higher, this::flag, null);
            JsonNode byN = rest.ok("POST", path, "{\"vector\":" + json(q) + ",\"group_by\":\"n\",\"group_size\":4,"
                    + "\"limit\":10,\"filter\":{\"must\":[{\"key\":\"flag\",\"match\":{\"value\":true}}]}}");
            assertEquals(expectedGroups(flagged, "n", 4, 10), lines(byN, scores), what + " n, flag");
            // score_threshold between the two middle scores; only points on the good side of it count
            List<Float> sorted = new ArrayList<>(scores.values());
            sorted.sort(null);
            float threshold = (sorted.get(POINTS / 2) + sorted.get(POINTS / 2 + 1)) / 2;
            JsonNode cut = rest.ok("POST", path, "{\"vector\":" + json(q) + ",\"group_by\":\"city\",\"group_size\":6,"
                    + "\"limit\":5,\"score_threshold\":" + threshold + "}");
            assertEquals(expectedGroups(ranked(scores, higher, id -> true, threshold), "city", 6, 5),
                    lines(cut, scores), what + " threshold " + threshold);
            // the request's params pass through (an exact search gives the same answer)
            JsonNode exact = rest.ok("POST", path, "{\"vector\":{\"name\":\"\",\"vector\":" + json(q) + "},"
                    + "\"group_by\":\"n\",\"group_size\":2,\"limit\":3,\"params\":{\"exact\":true,\"hnsw_ef\":16}}");
            assertEquals(expectedGroups(all, "n", 2, 3), lines(exact, scores), what + " exact");
        }
    }

    @Test
    void hitsCarryThePayloadAndVectorAskedForAndNothingElse() {
        createCollection("p", "Dot");
        float[] q = vector();
        String path = "/collections/p/points/search/groups";
        String base = "\"vector\":" + json(q) + ",\"group_by\":\"city\",\"group_size\":2,\"limit\":3";
        for (JsonNode g : rest.ok("POST", path, "{" + base + "}").get("groups")) {
            for (JsonNode h : g.get("hits")) {
                assertTrue(h.get("payload").isNull(), "no payload by default: " + h);
                assertTrue(h.get("vector").isNull(), "no vector by default: " + h);
            }
        }
        for (JsonNode g : rest.ok("POST", path, "{" + base + ",\"with_payload\":true,\"with_vector\":true}")
                .get("groups")) {
            for (JsonNode h : g.get("hits")) {
                int id = h.get("id").asInt();
                assertEquals(payloads.get(id), h.get("payload"), h.toString());
                assertEquals(DIM, h.get("vector").size(), h.toString());
                assertEquals(stored.get(id)[0], h.get("vector").get(0).floatValue(), 1e-6, h.toString());
            }
        }
        for (JsonNode g : rest.ok("POST", path, "{" + base + ",\"with_payload\":[\"flag\"]}").get("groups")) {
            for (JsonNode h : g.get("hits")) {
                assertEquals(List.of("flag"), fieldNames(h.get("payload")), h.toString());
            }
        }
    }

    @Test
    void nestedAndWildcardKeysGroupByEveryElement() {
        assertTrue(rest.ok("PUT", "/collections/w", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}").asBoolean());
        rest.ok("PUT", "/collections/w/points?wait=true", """
                {"points":[
                  {"id":1,"vector":[1,0],"payload":{"doc":{"tags":["a","b"]},"rows":[{"k":"x"},{"k":"y"}]}},
                  {"id":2,"vector":[0.9,0],"payload":{"doc":{"tags":"b"},"rows":[{"k":"y"}]}},
                  {"id":3,"vector":[0.8,0],"payload":{"doc":{"tags":[5,"a"]},"rows":[{"k":true}]}},
                  {"id":4,"vector":[0.7,0],"payload":{"doc":{"tags":[]},"rows":[]}},
                  {"id":5,"vector":[0.6,0],"payload":{"doc":{"tags":["c",null]},"rows":[{"k":"x"},{"k":3.5}]}}]}""");
        JsonNode nested = rest.ok("POST", "/collections/w/points/search/groups",
                "{\"vector\":[1,0],\"group_by\":\"doc.tags\",\"group_size\":5,\"limit\":10}");
        assertEquals(List.of("\"a\": 1 3", "\"b\": 1 2", "5: 3"), lines(nested, null));
        JsonNode wildcard = rest.ok("POST", "/collections/w/points/search/groups",
                "{\"vector\":[1,0],\"group_by\":\"rows[].k\",\"group_size\":5,\"limit\":10,\"with_payload\":true}");
        assertEquals(List.of("\"x\": 1", "\"y\": 1 2"), lines(wildcard, null));
        assertEquals("x", wildcard.get("groups").get(0).get("hits").get(0).get("payload").get("rows").get(0).get("k")
                .asText());
    }

    // ---- recommend/groups and query/groups ------------------------------------------------------------------

    @Test
    void recommendGroupsSearchTheAverageVectorAndLeaveTheExamplesOut() {
        createCollection("r", "Cosine");
        // positive 3 and 11, negative 20: avg(positive) + (avg(positive) - avg(negative)) of the stored vectors
        float[] q = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            double pos = ((double) stored.get(3)[i] + stored.get(11)[i]) / 2;
            q[i] = (float) (pos + (pos - stored.get(20)[i]));
        }
        Map<Integer, Float> scores = serverScores("r", q, "Cosine");
        Set<Integer> examples = Set.of(3, 11, 20);
        JsonNode got = rest.ok("POST", "/collections/r/points/recommend/groups", """
                {"positive":[3,11],"negative":[20],"group_by":"city","group_size":3,"limit":4,
                 "filter":{"must_not":[{"key":"flag","match":{"value":false}}]}}""");
        List<Integer> ranked = ranked(scores, true, id -> !examples.contains(id) && flag(id), null);
        assertEquals(expectedGroups(ranked, "city", 3, 4), lines(got, scores), "seed " + seed);
    }

    @Test
    void queryGroupsTakeEveryQueryFormIncludingPrefetch() {
        createCollection("q", "Euclid");
        String path = "/collections/q/points/query/groups";
        float[] q = vector();
        Map<Integer, Float> scores = serverScores("q", q, "Euclid");
        List<Integer> all = ranked(scores, false, id -> true, null);
        // a plain vector; defaults: group_size 3, limit 10
        JsonNode plain = rest.ok("POST", path, "{\"query\":" + json(q) + ",\"group_by\":\"city\"}");
        assertEquals(expectedGroups(all, "city", 3, 10), lines(plain, scores), "plain, seed " + seed);
        // nearest to a stored point: the point itself is left out
        Map<Integer, Float> byPoint = serverScores("q", stored.get(42), "Euclid");
        JsonNode nearest = rest.ok("POST", path, "{\"query\":{\"nearest\":42},\"group_by\":\"n\",\"group_size\":2,"
                + "\"limit\":4,\"with_payload\":true}");
        assertEquals(expectedGroups(ranked(byPoint, false, id -> id != 42, null), "n", 2, 4),
                lines(nearest, byPoint), "by id, seed " + seed);
        nearest.get("groups").forEach(g -> g.get("hits").forEach(h ->
                assertEquals(payloads.get(h.get("id").asInt()), h.get("payload"))));
        // a prefetch (its limit times the groups covers every point) re-scored by the root query, both filtered
        JsonNode prefetched = rest.ok("POST", path, """
                {"prefetch":{"query":%s,"limit":100,"filter":{"must":[{"key":"flag","match":{"value":true}}]}},
                 "query":%s,"group_by":"city","group_size":4,"limit":3,
                 "filter":{"must_not":[{"key":"n","match":{"value":0}}]}}""".formatted(json(vector()), json(q)));
        IntPredicate notZero = id -> {
            JsonNode n = payloads.get(id).get("n");
            if (n == null) {
                return true;
            }
            for (JsonNode x : n.isArray() ? n : F.arrayNode().add(n)) {
                if (x.isIntegralNumber() && x.asLong() == 0) {
                    return false;
                }
            }
            return true;
        };
        assertEquals(expectedGroups(ranked(scores, false, id -> flag(id) && notZero.test(id), null), "city", 4, 3),
                lines(prefetched, scores), "prefetch, seed " + seed);
        // no query: points by id, score 1 (Qdrant's listed points)
        Map<Integer, Float> one = new HashMap<>();
        stored.keySet().forEach(id -> one.put(id, 1f));
        JsonNode byId = rest.ok("POST", path, "{\"group_by\":\"city\",\"group_size\":2,\"limit\":5}");
        assertEquals(expectedGroups(ranked(one, false, id -> true, null), "city", 2, 5), lines(byId, one));
        // a fusion of two prefetches: groups ranked by the fused score, hits too
        JsonNode fused = rest.ok("POST", path, "{\"prefetch\":[{\"query\":" + json(q) + ",\"limit\":30},{\"query\":"
                + json(vector()) + ",\"limit\":30}],\"query\":{\"fusion\":\"rrf\"},\"group_by\":\"city\","
                + "\"group_size\":2,\"limit\":3}");
        List<Double> best = new ArrayList<>();
        for (JsonNode g : fused.get("groups")) {
            double previous = Double.MAX_VALUE;
            for (JsonNode h : g.get("hits")) {
                assertTrue(h.get("score").asDouble() <= previous, fused::toString);
                previous = h.get("score").asDouble();
            }
            best.add(g.get("hits").get(0).get("score").asDouble());
        }
        assertEquals(3, best.size(), fused::toString);
        assertTrue(best.get(0) >= best.get(1) && best.get(1) >= best.get(2), fused::toString);
    }

    // ---- facet ----------------------------------------------------------------------------------------------

    /** Facet counts computed here: points (passing the filter) holding each value of the index's type once. */
    private Map<JsonNode, Integer> countValues(String key, java.util.function.Predicate<JsonNode> ofType,
            IntPredicate filter) {
        Map<JsonNode, Integer> counts = new HashMap<>();
        for (int id : payloads.keySet()) {
            JsonNode v = payloads.get(id).get(key);
            if (v == null || !filter.test(id)) {
                continue;
            }
            Set<JsonNode> distinct = new LinkedHashSet<>();
            for (JsonNode x : v.isArray() ? v : F.arrayNode().add(v)) {
                if (ofType.test(x)) {
                    distinct.add(x.isIntegralNumber() ? F.numberNode(x.asLong()) : x);
                }
            }
            distinct.forEach(x -> counts.merge(x, 1, Integer::sum));
        }
        return counts;
    }

    /** The expected hits as "value=count" strings: count descending, then value ascending. */
    private static List<String> expectedFacet(Map<JsonNode, Integer> counts, Comparator<JsonNode> byValue, int limit) {
        List<Map.Entry<JsonNode, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<JsonNode, Integer>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey(byValue)));
        return entries.stream().limit(limit).map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static List<String> facetHits(JsonNode result) {
        assertTrue(result.isObject() && result.get("hits").isArray(), result::toString);
        List<String> out = new ArrayList<>();
        for (JsonNode h : result.get("hits")) {
            assertEquals(List.of("value", "count"), fieldNames(h), h.toString());
            assertTrue(h.get("count").isIntegralNumber(), h.toString());
            out.add(h.get("value") + "=" + h.get("count"));
        }
        return out;
    }

    @Test
    void facetCountsEachValueOfTheIndexedKeyAgainstACountMadeHere() {
        createCollection("f", "Dot");
        String path = "/collections/f/facet";
        Comparator<JsonNode> byText = Comparator.comparing(JsonNode::textValue);
        Comparator<JsonNode> byNumber = Comparator.comparingLong(JsonNode::asLong);
        // keyword: strings only (the integer 7 and the float are not in a keyword index), once per point
        Map<JsonNode, Integer> cities = countValues("city", JsonNode::isTextual, id -> true);
        assertEquals(expectedFacet(cities, byText, 10), facetHits(rest.ok("POST", path, "{\"key\":\"city\"}")));
        assertEquals(expectedFacet(cities, byText, 3),
                facetHits(rest.ok("POST", path, "{\"key\":\"city\",\"limit\":3,\"exact\":true}")));
        // with a filter
        Map<JsonNode, Integer> flagged = countValues("city", JsonNode::isTextual, this::flag);
        assertEquals(expectedFacet(flagged, byText, 10), facetHits(rest.ok("POST", path,
                "{\"key\":\"city\",\"filter\":{\"must\":[{\"key\":\"flag\",\"match\":{\"value\":true}}]}}")));
        // integer: integers only; equal counts by value
        Map<JsonNode, Integer> ns = countValues("n", JsonNode::isIntegralNumber, id -> true);
        assertEquals(expectedFacet(ns, byNumber, 100),
                facetHits(rest.ok("POST", path, "{\"key\":\"n\",\"limit\":100}")));
        // bool
        Map<JsonNode, Integer> flags = countValues("flag", JsonNode::isBoolean, id -> true);
        assertEquals(expectedFacet(flags, Comparator.comparing(JsonNode::booleanValue), 10),
                facetHits(rest.ok("POST", path, "{\"key\":\"flag\"}")));
        // ties go by value: two values with equal counts
        assertTrue(rest.ok("PUT", "/collections/ties", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}")
                .asBoolean());
        rest.ok("PUT", "/collections/ties/index?wait=true", "{\"field_name\":\"k\",\"field_schema\":\"keyword\"}");
        rest.ok("PUT", "/collections/ties/points?wait=true", """
                {"points":[{"id":1,"vector":[1,0],"payload":{"k":["b","a"]}},
                           {"id":2,"vector":[1,0],"payload":{"k":"c"}},
                           {"id":3,"vector":[1,0],"payload":{"k":"c"}}]}""");
        assertEquals(List.of("\"c\"=2", "\"a\"=1", "\"b\"=1"),
                facetHits(rest.ok("POST", "/collections/ties/facet", "{\"key\":\"k\"}")));
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    @Test
    void badRequestsAreRefusedAsQdrantRefusesThem() {
        createCollection("e", "Dot");
        String v = json(vector());
        String search = "/collections/e/points/search/groups";
        assertTrue(rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_size\":1,\"limit\":1}")
                .contains("missing field `group_by`"));
        assertTrue(rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"limit\":1}")
                .contains("missing field `group_size`"));
        assertTrue(rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":1}")
                .contains("missing field `limit`"));
        assertTrue(rest.error(422, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":0,"
                + "\"limit\":1}").contains("group_size"));
        assertTrue(rest.error(422, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":1,"
                + "\"limit\":0}").contains("limit"));
        rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"\",\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":5,\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"a..b\",\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":\"1\","
                + "\"limit\":1}");
        assertTrue(rest.error(404, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":1,"
                + "\"limit\":1,\"with_lookup\":\"other\"}").contains("Collection other not found"));
        assertTrue(rest.error(400, "POST", search, "{\"vector\":[1,2],\"group_by\":\"city\",\"group_size\":1,"
                + "\"limit\":1}").contains("Vector dimension error"));
        rest.error(400, "POST", search, "{\"group_by\":\"city\",\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", search, "{\"vector\":" + v + ",\"group_by\":\"city\",\"group_size\":1,\"limit\":1,"
                + "\"filter\":{\"must\":[{\"bogus\":1}]}}");
        rest.error(404, "POST", "/collections/none/points/search/groups", "{\"vector\":" + v + ",\"group_by\":\"city\","
                + "\"group_size\":1,\"limit\":1}");

        String recommend = "/collections/e/points/recommend/groups";
        rest.error(400, "POST", recommend, "{\"group_by\":\"city\",\"group_size\":1,\"limit\":1}");
        rest.error(404, "POST", recommend, "{\"positive\":[12345],\"group_by\":\"city\",\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", recommend, "{\"negative\":[1],\"strategy\":\"average_vector\",\"group_by\":\"city\","
                + "\"group_size\":1,\"limit\":1}");
        rest.error(400, "POST", recommend, "{\"positive\":[1],\"group_by\":\"city\",\"limit\":1}");

        String query = "/collections/e/points/query/groups";
        rest.error(400, "POST", query, "{\"query\":" + v + "}");
        rest.error(422, "POST", query, "{\"query\":" + v + ",\"group_by\":\"city\",\"limit\":0}");
        rest.error(422, "POST", query, "{\"query\":" + v + ",\"group_by\":\"city\",\"group_size\":0}");
        assertTrue(rest.error(422, "POST", query, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":2}},"
                + "\"group_by\":\"city\"}").contains("query.mmr.diversity"));
        rest.error(400, "POST", query, "{\"query\":{\"fusion\":\"rrf\"},\"group_by\":\"city\"}");
        rest.error(404, "POST", query, "{\"query\":" + v + ",\"group_by\":\"city\","
                + "\"with_lookup\":{\"collection\":\"x\"}}");

        String facet = "/collections/e/facet";
        assertTrue(rest.error(400, "POST", facet, "{}").contains("missing field `key`"));
        assertTrue(rest.error(400, "POST", facet, "{\"key\":\"tags\"}").contains("No appropriate index for faceting"));
        rest.error(422, "POST", facet, "{\"key\":\"city\",\"limit\":0}");
        rest.error(400, "POST", facet, "{\"key\":\"city\",\"exact\":\"yes\"}");
        rest.error(400, "POST", facet, "{\"key\":\"\"}");
        rest.error(404, "POST", "/collections/none/facet", "{\"key\":\"city\"}");
        // an empty collection answers no hits, index or not (Qdrant's empty segments never look for one)
        assertTrue(rest.ok("PUT", "/collections/empty", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}").asBoolean());
        assertEquals(0, rest.ok("POST", "/collections/empty/facet", "{\"key\":\"tags\"}").get("hits").size());
        assertEquals(0, rest.ok("POST", "/collections/empty/points/search/groups",
                "{\"vector\":[1,0],\"group_by\":\"city\",\"group_size\":1,\"limit\":1}").get("groups").size());
        // nothing was changed by any of it
        assertEquals(POINTS, rest.ok("POST", "/collections/e/points/count", "{}").get("count").asInt());
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
