package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code points/query} with {@code prefetch} over a real socket, every answer checked against the same plan worked out
 * here by brute force from the vectors the test stored: prefetches re-scored by a nearest query (filters, the
 * request's filter passed down, nesting, thresholds, offset and limit, ids left out), RRF and DBSF computed from their
 * formulas, the batch form, and Qdrant's 400/404/422 answers to stages that do not fit together.
 */
class QueryPrefetchTest extends RestServerTest {
    private static final int POINTS = 90;
    private static final int DIM = 5;

    /** The stored vectors (unit length under Cosine, as the collection keeps them), by id. */
    private final Map<Integer, float[]> stored = new TreeMap<>();
    private final Random random = new Random(31);

    /** {@value #POINTS} points with random vectors and payload {@code {"group": id % 4, "even": id % 2 == 0}}. */
    private void createCollection(String name, String distance) {
        assertTrue(rest.ok("PUT", "/collections/" + name,
                "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"" + distance + "\"}}").asBoolean());
        stored.clear();
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < POINTS; id++) {
            float[] v = vector();
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(json(v))
                    .append(",\"payload\":{\"group\":").append(id % 4).append(",\"even\":").append(id % 2 == 0)
                    .append("}}");
            stored.put(id, distance.equals("Cosine") ? unit(v) : v);
        }
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
    }

    private float[] vector() {
        return VectorJson.gaussian(random, DIM);
    }

    // ---- brute force ----------------------------------------------------------------------------------------

    /** A point and its score as the brute force computes it. */
    private record Hit(int id, double score) {}

    private static boolean group(int id, int g) {
        return id % 4 == g;
    }

    private static boolean even(int id) {
        return id % 2 == 0;
    }

    /** The {@code limit} best of {@code among} (null: every point) passing {@code filter}, by dot product with q. */
    private List<Hit> nearest(float[] q, Set<Integer> among, IntPredicate filter, int limit, String distance) {
        float[] query = distance.equals("Cosine") ? unit(q) : q;
        List<Hit> hits = new ArrayList<>();
        for (Map.Entry<Integer, float[]> e : stored.entrySet()) {
            if ((among == null || among.contains(e.getKey())) && filter.test(e.getKey())) {
                double dot = 0;
                for (int i = 0; i < DIM; i++) {
                    dot += (double) query[i] * e.getValue()[i];
                }
                hits.add(new Hit(e.getKey(), dot));
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingInt(Hit::id));
        return new ArrayList<>(hits.subList(0, Math.min(limit, hits.size())));
    }

    private List<Hit> nearest(float[] q, Set<Integer> among, IntPredicate filter, int limit) {
        return nearest(q, among, filter, limit, "Dot");
    }

    @SafeVarargs
    private static Set<Integer> union(List<Hit>... lists) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (List<Hit> list : lists) {
            list.forEach(h -> ids.add(h.id()));
        }
        return ids;
    }

    private static <T> List<T> page(List<T> all, int offset, int limit) {
        return all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit));
    }

    /** RRF as Qdrant writes it, in float and in list order: position p of list i gains 1 / ((p + 1) / w_i + k − 1). */
    private static List<Hit> rrf(int k, float[] weights, List<List<Hit>> lists) {
        Map<Integer, Float> sums = new LinkedHashMap<>();
        for (int l = 0; l < lists.size(); l++) {
            float w = weights == null ? 1f : weights[l];
            for (int p = 0; p < lists.get(l).size(); p++) {
                float gain = w <= 0 ? 0f : 1f / ((float) (p + 1) / w + (float) k - 1f);
                sums.merge(lists.get(l).get(p).id(), gain, Float::sum);
            }
        }
        return sorted(sums);
    }

    /** DBSF from its definition, in double: each list mapped by mean ∓ 3 sample standard deviations onto [0, 1]. */
    private static List<Hit> dbsf(List<List<Hit>> lists) {
        Map<Integer, Float> sums = new LinkedHashMap<>();
        for (List<Hit> list : lists) {
            double mean = list.stream().mapToDouble(Hit::score).average().orElse(0);
            double variance = list.stream().mapToDouble(h -> (h.score() - mean) * (h.score() - mean)).sum()
                    / (list.size() - 1);
            double lo = mean - 3 * Math.sqrt(variance);
            double hi = mean + 3 * Math.sqrt(variance);
            for (Hit h : list) {
                double normalised = list.size() == 1 ? 0.5 : (h.score() - lo) / (hi - lo);
                sums.merge(h.id(), (float) normalised, Float::sum);
            }
        }
        return sorted(sums);
    }

    /** Best first; equal scores by id (the server's rule for fused ties). */
    private static List<Hit> sorted(Map<Integer, Float> scores) {
        List<Hit> out = new ArrayList<>();
        scores.forEach((id, s) -> out.add(new Hit(id, s)));
        out.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingInt(Hit::id));
        return out;
    }

    // ---- assertions -----------------------------------------------------------------------------------------

    private JsonNode query(String collection, String body) {
        JsonNode result = rest.ok("POST", "/collections/" + collection + "/points/query", body);
        assertTrue(result.get("points").isArray(), result::toString);
        return result.get("points");
    }

    /** The answer has exactly the expected ids in order, each with its expected score, and Qdrant's point shape. */
    private static void assertHits(List<Hit> expected, JsonNode points, double tolerance, String what) {
        List<Integer> ids = new ArrayList<>();
        points.forEach(p -> ids.add(p.get("id").asInt()));
        assertEquals(expected.stream().map(Hit::id).toList(), ids, what + ": " + points);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode p = points.get(i);
            assertEquals(expected.get(i).score(), p.get("score").asDouble(), tolerance, what + " score of " + p);
            assertTrue(p.get("version").isIntegralNumber(), what + ": version in " + p);
        }
    }

    // ---- rescoring ------------------------------------------------------------------------------------------

    @Test
    void prefetchedPointsAreRescoredExactlyByTheMainQuery() {
        for (String distance : List.of("Dot", "Cosine")) {
            String c = "r_" + distance.toLowerCase();
            createCollection(c, distance);
            float[] q1 = vector();
            float[] q2 = vector();
            float[] q3 = vector();
            // two prefetches, one filtered; the union re-scored by q3; offset and limit on the re-scored list
            List<Hit> p1 = nearest(q1, null, id -> group(id, 1), 12, distance);
            List<Hit> p2 = nearest(q2, null, id -> true, 7, distance);
            List<Hit> all = nearest(q3, union(p1, p2), id -> true, POINTS, distance);
            String body = """
                    {"prefetch":[{"query":%s,"filter":{"must":[{"key":"group","match":{"value":1}}]},"limit":12},
                                 {"query":{"nearest":%s},"limit":7}],
                     "query":%s,"limit":5,"offset":2,"with_payload":true}""".formatted(json(q1), json(q2), json(q3));
            JsonNode points = query(c, body);
            assertHits(page(all, 2, 5), points, 1e-4, distance + " rescored");
            assertTrue(points.get(0).get("payload").has("group"), points.toString());
            assertFalse(points.get(0).hasNonNull("vector"), "no vector unless asked for");
            assertTrue(union(p1, p2).size() > 12, "the prefetches overlap only in part");

            // the root's score_threshold cuts the re-scored list; with_vector returns the stored vector
            double t = (all.get(3).score() + all.get(4).score()) / 2;
            JsonNode cut = query(c, body.replace("\"limit\":5,\"offset\":2", "\"limit\":50,\"score_threshold\":" + t
                    + ",\"with_vector\":true"));
            assertHits(all.subList(0, 4), cut, 1e-4, distance + " threshold");
            assertEquals(DIM, cut.get(0).get("vector").size());
            assertEquals(stored.get(all.get(0).id())[0], cut.get(0).get("vector").get(0).floatValue(), 1e-6);
        }
    }

    @Test
    void theRequestFilterAppliesToEveryPrefetchAndPrefetchesNest() {
        createCollection("n", "Dot");
        float[] q1 = vector();
        float[] q2 = vector();
        float[] q3 = vector();
        float[] q4 = vector();
        // the root's filter (even) reaches both prefetches, each ANDed with its own
        List<Hit> p1 = nearest(q1, null, QueryPrefetchTest::even, 10);
        List<Hit> p2 = nearest(q2, null, id -> even(id) && group(id, 2), 10);
        JsonNode filtered = query("n", """
                {"prefetch":[{"query":%s,"limit":10},
                             {"query":%s,"limit":10,"filter":{"must":[{"key":"group","match":{"value":2}}]}}],
                 "query":%s,"filter":{"must":[{"key":"even","match":{"value":true}}]},"limit":6}"""
                .formatted(json(q1), json(q2), json(q3)));
        assertHits(nearest(q3, union(p1, p2), id -> true, 6), filtered, 1e-4, "root filter passed down");
        filtered.forEach(p -> assertTrue(even(p.get("id").asInt()), p.toString()));

        // two levels: the inner prefetches' union re-scored by q2 (its top 9 above a threshold), then by q3
        List<Hit> leafA = nearest(q1, null, id -> true, 25);
        List<Hit> leafB = nearest(q4, null, id -> group(id, 0), 25);
        List<Hit> middle = nearest(q2, union(leafA, leafB), id -> true, 9);
        double t = (middle.get(6).score() + middle.get(7).score()) / 2;
        String nested = """
                {"prefetch":{"prefetch":[{"query":%s,"limit":25},
                                         {"query":%s,"limit":25,"filter":{"must":[{"key":"group","match":{"value":0}}]}}],
                             "query":%s,"limit":9,"score_threshold":%s},
                 "query":%s,"limit":4}""".formatted(json(q1), json(q4), json(q2), t, json(q3));
        assertHits(nearest(q3, union(middle.subList(0, 7)), id -> true, 4), query("n", nested), 1e-4, "two levels");

        // three levels, the root filter reaching the leaf
        List<Hit> deepLeaf = nearest(q1, null, QueryPrefetchTest::even, 40);
        List<Hit> deepMid = nearest(q4, union(deepLeaf), id -> true, 20);
        List<Hit> deepTop = nearest(q2, union(deepMid), id -> true, 8);
        JsonNode deep = query("n", """
                {"prefetch":{"prefetch":{"prefetch":{"query":%s,"limit":40},"query":%s,"limit":20},
                             "query":%s,"limit":8},
                 "query":%s,"limit":3,"filter":{"must":[{"key":"even","match":{"value":true}}]}}"""
                .formatted(json(q1), json(q4), json(q2), json(q3)));
        assertHits(nearest(q3, union(deepTop), id -> true, 3), deep, 1e-4, "three levels");

        // a leaf prefetch's own score_threshold, and a leaf without a query: the first points by id
        double leafT = (p1.get(4).score() + p1.get(5).score()) / 2;
        Set<Integer> byId = new LinkedHashSet<>();
        stored.keySet().stream().filter(id -> group(id, 3)).limit(6).forEach(byId::add);
        Set<Integer> candidates = union(p1.subList(0, 5));
        candidates.addAll(byId);
        JsonNode mixed = query("n", """
                {"prefetch":[{"query":%s,"limit":10,"score_threshold":%s,
                              "filter":{"must":[{"key":"even","match":{"value":true}}]}},
                             {"limit":6,"filter":{"must":[{"key":"group","match":{"value":3}}]}}],
                 "query":%s,"limit":20}""".formatted(json(q1), leafT, json(q3)));
        assertHits(nearest(q3, candidates, id -> true, 20), mixed, 1e-4, "leaf threshold and a query-less leaf");
    }

    @Test
    void pointIdsInAnyQueryOfTheTreeAreLeftOutEverywhere() {
        createCollection("ids", "Dot");
        float[] q3 = vector();
        // the root queries by point 7: 7's stored vector, 7 itself never returned; a prefetch by point 5 likewise
        List<Hit> p1 = nearest(stored.get(5), null, id -> id != 5 && id != 7, 10);
        List<Hit> p2 = nearest(q3, null, id -> id != 5 && id != 7, 10);
        JsonNode points = query("ids", """
                {"prefetch":[{"query":5,"limit":10},{"query":{"nearest":%s},"limit":10}],"query":7,"limit":30}"""
                .formatted(json(q3)));
        assertHits(nearest(stored.get(7), union(p1, p2), id -> true, 30), points, 1e-4, "ids left out");
        // a prefetch recommending from examples: their average vector; the examples are left out of every stage
        float[] avg = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            avg[i] = (float) ((stored.get(3)[i] + stored.get(4)[i]) / 2.0 * 2 - stored.get(9)[i]);
        }
        Set<Integer> examples = Set.of(3, 4, 9);
        List<Hit> reco = nearest(avg, null, id -> !examples.contains(id), 12);
        List<Hit> plain = nearest(q3, null, id -> !examples.contains(id), 12);
        JsonNode recommended = query("ids", """
                {"prefetch":[{"query":{"recommend":{"positive":[3,4],"negative":[9]}},"limit":12},
                             {"query":%s,"limit":12}],
                 "query":{"fusion":"rrf"},"limit":10}""".formatted(json(q3)));
        assertHits(page(rrf(2, null, List.of(reco, plain)), 0, 10), recommended, 1e-6, "recommend prefetch");
    }

    // ---- fusion ---------------------------------------------------------------------------------------------

    @Test
    void rrfAndDbsfFuseThePrefetchListsAsTheirFormulasSay() {
        createCollection("f", "Dot");
        float[] q1 = vector();
        float[] q2 = vector();
        float[] q4 = vector();
        List<Hit> a = nearest(q1, null, id -> true, 10);
        List<Hit> b = nearest(q2, null, QueryPrefetchTest::even, 8);
        List<Hit> c = nearest(q4, null, id -> true, 6);
        String prefetches = """
                "prefetch":[{"query":%s,"limit":10},
                            {"query":%s,"limit":8,"filter":{"must":[{"key":"even","match":{"value":true}}]}},
                            {"query":%s,"limit":6}]""".formatted(json(q1), json(q2), json(q4));

        List<Hit> rrf = rrf(2, null, List.of(a, b, c));
        assertHits(page(rrf, 0, 7), query("f", "{" + prefetches + ",\"query\":{\"fusion\":\"rrf\"},\"limit\":7}"),
                1e-6, "rrf, default k");
        assertHits(page(rrf, 0, 7), query("f", "{" + prefetches + ",\"query\":{\"rrf\":{}},\"limit\":7}"), 1e-6,
                "rrf {} = default k");

        List<Hit> weighted = rrf(60, new float[] {2f, 1f, 0.5f}, List.of(a, b, c));
        JsonNode w = query("f", "{" + prefetches + ",\"query\":{\"rrf\":{\"k\":60,\"weights\":[2,1,0.5]}},"
                + "\"limit\":5,\"offset\":2,\"with_payload\":true}");
        assertHits(page(weighted, 2, 5), w, 1e-6, "rrf k 60 with weights, offset");
        assertTrue(w.get(0).get("payload").has("even"), "fused points carry their payload: " + w);

        List<Hit> dbsf = dbsf(List.of(a, b, c));
        assertHits(page(dbsf, 1, 6), query("f", "{" + prefetches + ",\"query\":{\"fusion\":\"dbsf\"},"
                + "\"limit\":6,\"offset\":1}"), 1e-5, "dbsf, offset");
        double t = (dbsf.get(4).score() + dbsf.get(5).score()) / 2;
        JsonNode cut = query("f", "{" + prefetches + ",\"query\":{\"fusion\":\"dbsf\"},\"limit\":50,"
                + "\"score_threshold\":" + t + ",\"with_vector\":true}");
        assertHits(dbsf.subList(0, 5), cut, 1e-5, "dbsf above the threshold");
        assertEquals(DIM, cut.get(0).get("vector").size());

        // a fusion inside a prefetch (its own limit), re-scored with another prefetch by the root's nearest query
        float[] q3 = vector();
        List<Hit> fusedInner = page(rrf(2, null, List.of(a, b)), 0, 5);
        JsonNode nested = query("f", """
                {"prefetch":[{"prefetch":[{"query":%s,"limit":10},
                                          {"query":%s,"limit":8,"filter":{"must":[{"key":"even","match":{"value":true}}]}}],
                              "query":{"fusion":"rrf"},"limit":5},
                             {"query":%s,"limit":6}],
                 "query":%s,"limit":8}""".formatted(json(q1), json(q2), json(q4), json(q3)));
        assertHits(nearest(q3, union(fusedInner, c), id -> true, 8), nested, 1e-4, "fusion inside a prefetch");

        // a fusion of fusions: the inner DBSF's scores are what the outer DBSF normalises
        List<Hit> inner = page(dbsf(List.of(a, c)), 0, 6);
        JsonNode twice = query("f", """
                {"prefetch":[{"prefetch":[{"query":%s,"limit":10},{"query":%s,"limit":6}],
                              "query":{"fusion":"dbsf"},"limit":6},
                             {"query":%s,"limit":8,"filter":{"must":[{"key":"even","match":{"value":true}}]}}],
                 "query":{"fusion":"dbsf"},"limit":4}""".formatted(json(q1), json(q4), json(q2)));
        assertHits(page(dbsf(List.of(inner, b)), 0, 4), twice, 1e-5, "dbsf of a dbsf");
    }

    @Test
    void theBatchFormAnswersEachEntryAsTheSingleEndpoint() {
        createCollection("b", "Dot");
        float[] q1 = vector();
        float[] q2 = vector();
        String rescored = "{\"prefetch\":{\"query\":" + json(q1) + ",\"limit\":15},\"query\":" + json(q2)
                + ",\"limit\":4}";
        String fused = "{\"prefetch\":[{\"query\":" + json(q1) + "},{\"query\":" + json(q2) + "}],"
                + "\"query\":{\"fusion\":\"dbsf\"},\"limit\":3}";
        JsonNode batch = rest.ok("POST", "/collections/b/points/query/batch",
                "{\"searches\":[" + rescored + "," + fused + "]}");
        assertEquals(2, batch.size());
        assertEquals(query("b", rescored), batch.get(0).get("points"));
        assertEquals(query("b", fused), batch.get(1).get("points"));
        assertHits(nearest(q2, union(nearest(q1, null, id -> true, 15)), id -> true, 4), batch.get(0).get("points"),
                1e-4, "batch entry");
        // one bad entry fails the whole batch
        rest.error(400, "POST", "/collections/b/points/query/batch",
                "{\"searches\":[" + rescored + ",{\"query\":{\"fusion\":\"rrf\"}}]}");
    }

    // ---- what Qdrant refuses ----------------------------------------------------------------------------------

    @Test
    void stagesThatDoNotFitTogetherAreQdrantsErrorsNeverA500() {
        createCollection("e", "Dot");
        String path = "/collections/e/points/query";
        String v = json(vector());
        String leaf = "{\"query\":" + v + "}";

        assertTrue(rest.error(400, "POST", path, "{\"query\":{\"fusion\":\"rrf\"}}")
                .contains("cannot apply Fusion without prefetches"));
        rest.error(400, "POST", path, "{\"query\":{\"rrf\":{\"k\":3}}}");
        rest.error(400, "POST", path, "{\"prefetch\":[],\"query\":{\"fusion\":\"dbsf\"}}");
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"fusion\":\"rrf\"}},\"query\":" + v
                + "}").contains("cannot apply Fusion without prefetches"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":" + leaf + "}")
                .contains("A query is needed to merge the prefetches"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"prefetch\":" + leaf + "},\"query\":" + v + "}")
                .contains("A query is needed to merge the prefetches"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"score_threshold\":0.5},\"query\":" + v + "}")
                .contains("A query is needed to use the score_threshold"));
        rest.error(400, "POST", path, "{\"score_threshold\":0.5}");

        // a nested query of the wrong dimension, a nested id that does not exist
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"prefetch\":{\"query\":[1,2,3]},\"query\":" + v
                + "},\"query\":" + v + "}").contains("Vector dimension error: expected dim: " + DIM + ", got 3"));
        rest.error(400, "POST", path, "{\"prefetch\":" + leaf + ",\"query\":[1,2]}");
        rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"recommend\":{\"positive\":[[1,2]]}}},"
                + "\"query\":{\"fusion\":\"rrf\"}}");
        assertTrue(rest.error(404, "POST", path, "{\"prefetch\":{\"prefetch\":{\"query\":12345},\"query\":" + v
                + "},\"query\":" + v + "}").contains("12345"));

        // shapes and ranges inside a prefetch
        assertTrue(rest.error(422, "POST", path, "{\"prefetch\":[" + leaf + ",{\"query\":" + v + ",\"limit\":0}],"
                + "\"query\":" + v + "}").contains("prefetch[1].limit"));
        rest.error(400, "POST", path, "{\"prefetch\":5,\"query\":" + v + "}");
        rest.error(400, "POST", path, "{\"prefetch\":[5],\"query\":" + v + "}");
        rest.error(400, "POST", path, "{\"prefetch\":{\"query\":\"not-a-point\"},\"query\":" + v + "}");
        rest.error(400, "POST", path, "{\"prefetch\":{\"query\":" + v + ",\"filter\":{\"must\":[{\"bogus\":1}]}},"
                + "\"query\":" + v + "}");
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":" + v + ",\"using\":\"image\"},\"query\":"
                + v + "}").contains("Not existing vector name"));
        assertTrue(rest.error(404, "POST", path, "{\"prefetch\":{\"query\":" + v + ",\"lookup_from\":{\"collection\":"
                + "\"no-such\"}},\"query\":" + v + "}").contains("no-such"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":" + v + ",\"lookup_from\":5},\"query\":"
                + v + "}").contains("prefetch.lookup_from"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"nearest\":" + v + ",\"mmr\":"
                + "{\"bogus\":1}}},\"query\":" + v + "}").contains("bogus"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"formula\":{\"sum\":[1]}}},\"query\":"
                + v + "}").contains("cannot apply Formula without prefetches"));

        // fusion parameters
        String two = "\"prefetch\":[" + leaf + "," + leaf + "]";
        assertTrue(rest.error(400, "POST", path, "{" + two + ",\"query\":{\"rrf\":{\"weights\":[1,2,3]}}}")
                .contains("RRF weights length (3) does not match number of prefetches (2)"));
        assertTrue(rest.error(422, "POST", path, "{" + two + ",\"query\":{\"rrf\":{\"k\":0}}}").contains("k"));
        rest.error(400, "POST", path, "{" + two + ",\"query\":{\"rrf\":{\"k\":-1}}}");
        rest.error(400, "POST", path, "{" + two + ",\"query\":{\"rrf\":{\"weights\":[\"heavy\",1]}}}");
        assertTrue(rest.error(400, "POST", path, "{" + two + ",\"query\":{\"rrf\":{\"kk\":1}}}").contains("kk"));
        rest.error(400, "POST", path, "{" + two + ",\"query\":{\"rrf\":5}}");
        rest.error(400, "POST", path, "{" + two + ",\"query\":{\"fusion\":\"bogus\"}}");
        rest.error(400, "POST", path, "{" + two + ",\"query\":{\"fusion\":\"rrf\",\"k\":1}}");

        // Qdrant's depth bound: 64 levels of prefetches pass, 65 do not
        assertEquals(10, query("e", "{" + nestedPrefetches(64, v) + ",\"query\":" + v + "}").size());
        assertTrue(rest.error(400, "POST", path, "{" + nestedPrefetches(65, v) + ",\"query\":" + v + "}")
                .contains("prefetches depth 65 exceeds max depth 64"));
    }

    @Test
    void aPrefetchIgnoresKeysItDoesNotKnowAsQdrantsSerdeModelDoes() {
        createCollection("u", "Dot");
        float[] q1 = vector();
        float[] q2 = vector();
        String plain = "{\"prefetch\":{\"query\":" + json(q1) + ",\"limit\":12},\"query\":" + json(q2)
                + ",\"limit\":5}";
        String extra = "{\"prefetch\":{\"query\":" + json(q1) + ",\"limit\":12,\"offset\":3,\"with_payload\":true,"
                + "\"bogus\":[1]},\"query\":" + json(q2) + ",\"limit\":5}";
        assertEquals(query("u", plain), query("u", extra));
        assertHits(nearest(q2, union(nearest(q1, null, id -> true, 12)), id -> true, 5), query("u", extra), 1e-4,
                "unknown prefetch keys ignored");
    }

    /** {@code "prefetch": {...}} nested {@code levels} deep, each level a nearest query by {@code v}. */
    private static String nestedPrefetches(int levels, String v) {
        String inner = "{\"query\":" + v + "}";
        for (int i = 1; i < levels; i++) {
            inner = "{\"prefetch\":" + inner + ",\"query\":" + v + "}";
        }
        return "\"prefetch\":" + inner;
    }
}
