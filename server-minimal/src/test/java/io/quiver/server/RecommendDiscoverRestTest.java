package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;

import static io.quiver.server.VectorJson.json;
import static io.quiver.server.VectorJson.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's recommend strategies {@code best_score} and {@code sum_scores} and its discovery and context searches over
 * a real socket: {@code points/recommend} (and batch, groups), {@code points/discover} (and batch) and the
 * {@code recommend}/{@code discover}/{@code context} queries of {@code points/query} (and batch, prefetch, groups),
 * every answer checked against a brute force worked out here from the stored vectors with Qdrant's formulas (exact
 * search params), the example points left out, and the 400/404/422 answers to bad input.
 */
class RecommendDiscoverRestTest extends RestServerTest {
    private static final int POINTS = 80;
    private static final int DIM = 5;
    private static final String EXACT = "\"params\":{\"exact\":true}";

    private final Random random = new Random(17);
    /** The stored vectors (unit length under Cosine, as the collection keeps them), by id. */
    private final Map<Integer, float[]> stored = new TreeMap<>();
    private String distance;

    /** {@value #POINTS} points with random vectors and payload {@code {"group": id % 3}}. */
    private void createCollection(String name, String distance) {
        this.distance = distance;
        assertTrue(rest.ok("PUT", "/collections/" + name,
                "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"" + distance + "\"}}").asBoolean());
        stored.clear();
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < POINTS; id++) {
            float[] v = vector();
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(json(v))
                    .append(",\"payload\":{\"group\":").append(id % 3).append("}}");
            stored.put(id, asStored(v));
        }
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
    }

    private float[] vector() {
        return VectorJson.gaussian(random, DIM);
    }

    private float[] asStored(float[] v) {
        return distance.equals("Cosine") ? unit(v) : v;
    }

    // ---- brute force ----------------------------------------------------------------------------------------

    /** The collection distance's similarity, larger is better: dot, or minus the squared Euclidean distance. */
    private double sim(float[] example, float[] point) {
        float[] e = asStored(example);
        double sum = 0;
        for (int d = 0; d < DIM; d++) {
            sum += distance.equals("Euclid") ? -((double) e[d] - point[d]) * ((double) e[d] - point[d])
                    : (double) e[d] * point[d];
        }
        return sum;
    }

    private static double sigmoid(double x) {
        return 0.5 * (x / (1 + Math.abs(x)) + 1);
    }

    /** An example as a request names it (a point id or a raw vector) and the vector it stands for. */
    private record Example(String json, float[] vector) {}

    private Example id(int id) {
        return new Example(String.valueOf(id), stored.get(id));
    }

    private Example raw() {
        float[] v = vector();
        return new Example(json(v), v);
    }

    private static String list(List<Example> examples) {
        return "[" + String.join(",", examples.stream().map(Example::json).toList()) + "]";
    }

    private ToDoubleFunction<float[]> bestScore(List<Example> positive, List<Example> negative) {
        return p -> {
            double pos = positive.stream().mapToDouble(e -> sim(e.vector(), p)).max().orElse(Double.NEGATIVE_INFINITY);
            double neg = negative.stream().mapToDouble(e -> sim(e.vector(), p)).max().orElse(Double.NEGATIVE_INFINITY);
            return pos > neg ? sigmoid(pos) : -sigmoid(neg);
        };
    }

    private ToDoubleFunction<float[]> sumScores(List<Example> positive, List<Example> negative) {
        return p -> positive.stream().mapToDouble(e -> sim(e.vector(), p)).sum()
                - negative.stream().mapToDouble(e -> sim(e.vector(), p)).sum();
    }

    /** Discovery: +1 / -1 per pair by which side is more similar, plus the target's sigmoid. */
    private ToDoubleFunction<float[]> discovery(Example target, List<Example[]> pairs) {
        return p -> {
            int rank = 0;
            for (Example[] pair : pairs) {
                rank += Double.compare(sim(pair[0].vector(), p), sim(pair[1].vector(), p));
            }
            return rank + sigmoid(sim(target.vector(), p));
        };
    }

    /** Context: per pair, fastSigmoid(min(pos − neg − ε, 0)). */
    private ToDoubleFunction<float[]> context(List<Example[]> pairs) {
        return p -> {
            double loss = 0;
            for (Example[] pair : pairs) {
                double d = Math.min(sim(pair[0].vector(), p) - sim(pair[1].vector(), p) - Math.ulp(1f), 0);
                loss += d / (1 + Math.abs(d));
            }
            return loss;
        };
    }

    private static String pairs(List<Example[]> pairs) {
        List<String> out = new ArrayList<>();
        for (Example[] pair : pairs) {
            out.add("{\"positive\":" + pair[0].json() + ",\"negative\":" + pair[1].json() + "}");
        }
        return "[" + String.join(",", out) + "]";
    }

    private record Hit(int id, double score) {}

    /** Every point passing {@code filter} and not among {@code excluded}, by {@code score}, best first. */
    private List<Hit> ranked(ToDoubleFunction<float[]> score, IntPredicate filter, Set<Integer> excluded) {
        List<Hit> hits = new ArrayList<>();
        stored.forEach((id, v) -> {
            if (filter.test(id) && !excluded.contains(id)) {
                hits.add(new Hit(id, score.applyAsDouble(v)));
            }
        });
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingInt(Hit::id));
        return hits;
    }

    private static List<Hit> page(List<Hit> all, int offset, int limit) {
        return all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit));
    }

    /**
     * The answer ranks as the brute force does: each rank's score equals the expected one, each point's score is its
     * own, no point twice, no excluded point (robust to ties, which may come in either order).
     */
    private void assertRanked(List<Hit> expected, JsonNode points, ToDoubleFunction<float[]> score,
            Set<Integer> excluded, String what) {
        assertTrue(points.isArray(), what + ": " + points);
        assertEquals(expected.size(), points.size(), what + ": " + points);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < expected.size(); i++) {
            JsonNode p = points.get(i);
            int id = p.get("id").asInt();
            double tolerance = 1e-4 * Math.max(1, Math.abs(expected.get(i).score()));
            assertEquals(expected.get(i).score(), p.get("score").asDouble(), tolerance, what + " rank " + i);
            assertEquals(score.applyAsDouble(stored.get(id)), p.get("score").asDouble(), tolerance, what + " " + p);
            assertTrue(seen.add(id), what + ": point " + id + " twice");
            assertFalse(excluded.contains(id), what + ": example point " + id + " came back");
            assertTrue(p.get("version").isIntegralNumber(), what + ": " + p);
        }
    }

    private static Set<Integer> ids(Integer... ids) {
        return Set.of(ids);
    }

    // ---- recommend --------------------------------------------------------------------------------------------

    @Test
    void bestScoreAndSumScoresRankAsQdrantScores() {
        for (String d : List.of("Euclid", "Cosine")) {
            String c = "r_" + d.toLowerCase();
            createCollection(c, d);
            String base = "/collections/" + c + "/points/";
            // point 7 is its own best match: only its exclusion keeps it out of the first place
            List<Example> positive = List.of(id(7), raw(), id(12));
            List<Example> negative = List.of(id(30));
            Set<Integer> examples = ids(7, 12, 30);
            String request = "\"positive\":" + list(positive) + ",\"negative\":" + list(negative);
            for (String strategy : List.of("best_score", "sum_scores")) {
                ToDoubleFunction<float[]> score = strategy.equals("best_score") ? bestScore(positive, negative)
                        : sumScores(positive, negative);
                List<Hit> all = ranked(score, id -> true, examples);
                String body = "{" + request + ",\"strategy\":\"" + strategy + "\",\"limit\":6," + EXACT;
                String what = d + " " + strategy;
                assertRanked(page(all, 0, 6), rest.ok("POST", base + "recommend", body + "}"), score, examples, what);
                assertRanked(page(all, 3, 4), rest.ok("POST", base + "recommend", "{" + request + ",\"strategy\":\""
                        + strategy + "\",\"limit\":4,\"offset\":3," + EXACT + "}"), score, examples, what + " offset");
                // the same recommendation as a query, alone and in a batch
                String query = "{\"query\":{\"recommend\":{" + request + ",\"strategy\":\"" + strategy + "\"}},"
                        + "\"limit\":6," + EXACT + "}";
                assertRanked(page(all, 0, 6), rest.ok("POST", base + "query", query).get("points"), score, examples,
                        what + " query");
                JsonNode batch = rest.ok("POST", base + "query/batch", "{\"searches\":[" + query + "," + query + "]}");
                assertRanked(page(all, 0, 6), batch.get(1).get("points"), score, examples, what + " query batch");
                // a filter, with payloads: only group 1 (where example 7 is), still without the examples
                List<Hit> inGroup = ranked(score, id -> id % 3 == 1, examples);
                JsonNode filtered = rest.ok("POST", base + "recommend", body
                        + ",\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":1}}]},\"with_payload\":true}");
                assertRanked(page(inGroup, 0, 6), filtered, score, examples, what + " filtered");
                filtered.forEach(p -> assertEquals(1, p.get("payload").get("group").asInt(), p.toString()));
                // score_threshold keeps the higher scores, whatever the distance
                double t = (all.get(4).score() + all.get(5).score()) / 2;
                assertRanked(page(all, 0, 5), rest.ok("POST", base + "recommend", "{" + request + ",\"strategy\":\""
                        + strategy + "\",\"limit\":50,\"score_threshold\":" + t + "," + EXACT + "}"), score,
                        examples, what + " threshold");
            }
            // the batch mixes strategies, each answered as alone
            List<Hit> average = averageVectorRanking(positive, negative, examples);
            JsonNode mixed = rest.ok("POST", base + "recommend/batch", "{\"searches\":[{" + request
                    + ",\"strategy\":\"sum_scores\",\"limit\":3," + EXACT + "},{" + request + ",\"limit\":3," + EXACT
                    + "},{" + request + ",\"strategy\":\"best_score\",\"limit\":2," + EXACT + "}]}");
            assertRanked(page(ranked(sumScores(positive, negative), id -> true, examples), 0, 3), mixed.get(0),
                    sumScores(positive, negative), examples, d + " batch sum_scores");
            assertEquals(average.stream().limit(3).map(Hit::id).toList(), idsOf(mixed.get(1)), d + " batch average");
            assertRanked(page(ranked(bestScore(positive, negative), id -> true, examples), 0, 2), mixed.get(2),
                    bestScore(positive, negative), examples, d + " batch best_score");
        }
    }

    /** Nearest to avg(pos) + (avg(pos) − avg(neg)) by the distance: the average_vector strategy, for the batch. */
    private List<Hit> averageVectorRanking(List<Example> positive, List<Example> negative, Set<Integer> excluded) {
        float[] q = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            int dim = d;
            double pos = positive.stream().mapToDouble(e -> e.vector()[dim]).average().orElseThrow();
            double neg = negative.stream().mapToDouble(e -> e.vector()[dim]).average().orElseThrow();
            q[d] = (float) (2 * pos - neg);
        }
        return ranked(p -> sim(q, p), id -> true, excluded);
    }

    private static List<Integer> idsOf(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    @Test
    void bestScoreTakesNegativesAloneAndRanksTheFarthestFirst() {
        createCollection("neg", "Euclid");
        List<Example> negative = List.of(id(3), raw());
        ToDoubleFunction<float[]> score = bestScore(List.of(), negative);
        List<Hit> all = ranked(score, id -> true, ids(3));
        JsonNode hits = rest.ok("POST", "/collections/neg/points/recommend", "{\"negative\":" + list(negative)
                + ",\"strategy\":\"best_score\",\"limit\":5," + EXACT + "}");
        assertRanked(page(all, 0, 5), hits, score, ids(3), "negatives only");
        hits.forEach(p -> assertTrue(p.get("score").asDouble() < 0, "a negative pick scores below 0: " + p));
        JsonNode query = rest.ok("POST", "/collections/neg/points/query", "{\"query\":{\"recommend\":{\"negative\":"
                + list(negative) + ",\"strategy\":\"best_score\"}},\"limit\":5," + EXACT + "}");
        assertRanked(page(all, 0, 5), query.get("points"), score, ids(3), "negatives only, query");
    }

    @Test
    void recommendGroupsAndQueryGroupsRankGroupsByTheirBestScore() {
        createCollection("g", "Cosine");
        List<Example> positive = List.of(id(4), raw());
        List<Example> negative = List.of(id(9), raw());
        ToDoubleFunction<float[]> score = bestScore(positive, negative);
        Set<Integer> examples = ids(4, 9);
        List<Hit> all = ranked(score, id -> true, examples);
        // brute force: groups in the order of their best hit, each with its 2 best hits
        Map<Integer, List<Hit>> groups = new LinkedHashMap<>();
        all.forEach(h -> groups.computeIfAbsent(h.id() % 3, g -> new ArrayList<>()).add(h));
        String request = "\"positive\":" + list(positive) + ",\"negative\":" + list(negative);
        JsonNode recommended = rest.ok("POST", "/collections/g/points/recommend/groups", "{" + request
                + ",\"strategy\":\"best_score\",\"group_by\":\"group\",\"group_size\":2,\"limit\":3," + EXACT + "}");
        JsonNode queried = rest.ok("POST", "/collections/g/points/query/groups", "{\"query\":{\"recommend\":{"
                + request + ",\"strategy\":\"best_score\"}},\"group_by\":\"group\",\"group_size\":2,\"limit\":3,"
                + EXACT + "}");
        for (JsonNode answer : List.of(recommended, queried)) {
            JsonNode got = answer.get("groups");
            assertEquals(3, got.size(), answer.toString());
            List<Integer> order = new ArrayList<>(groups.keySet());
            for (int g = 0; g < 3; g++) {
                int group = order.get(g);
                assertEquals(group, got.get(g).get("id").asInt(), answer.toString());
                assertRanked(groups.get(group).subList(0, 2), got.get(g).get("hits"), score, examples,
                        "group " + group);
            }
        }
    }

    // ---- discover and context ---------------------------------------------------------------------------------

    @Test
    void discoverAndContextSearchesRankAsQdrantScores() {
        for (String d : List.of("Dot", "Euclid")) {
            String c = "d_" + d.toLowerCase();
            createCollection(c, d);
            String base = "/collections/" + c + "/points/";
            Example target = id(21);
            List<Example[]> pairs = List.of(new Example[] {id(2), raw()}, new Example[] {raw(), id(40)});
            Set<Integer> examples = ids(21, 2, 40);
            ToDoubleFunction<float[]> discovery = discovery(target, pairs);
            List<Hit> all = ranked(discovery, id -> true, examples);
            String what = d + " discover";
            String request = "\"target\":" + target.json() + ",\"context\":" + pairs(pairs);
            JsonNode hits = rest.ok("POST", base + "discover", "{" + request + ",\"limit\":7," + EXACT + "}");
            assertRanked(page(all, 0, 7), hits, discovery, examples, what);
            assertFalse(hits.get(0).hasNonNull("payload"), "no payload by default");
            // offset, filter, payload and vector, as a search takes them
            List<Hit> even = ranked(discovery, id -> id % 3 == 2, examples);
            JsonNode paged = rest.ok("POST", base + "discover", "{" + request + ",\"limit\":3,\"offset\":2,"
                    + "\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":2}}]},\"with_payload\":true,"
                    + "\"with_vector\":true," + EXACT + "}");
            assertRanked(page(even, 2, 3), paged, discovery, examples, what + " page");
            assertEquals(2, paged.get(0).get("payload").get("group").asInt());
            assertEquals(DIM, paged.get(0).get("vector").size());
            // a target alone: its sigmoid part only
            ToDoubleFunction<float[]> alone = discovery(target, List.of());
            assertRanked(page(ranked(alone, id -> true, ids(21)), 0, 4), rest.ok("POST", base + "discover",
                    "{\"target\":21,\"limit\":4," + EXACT + "}"), alone, ids(21), what + " target only");
            // no target: context search, whose best score is 0
            ToDoubleFunction<float[]> context = context(pairs);
            List<Hit> contextAll = ranked(context, id -> true, ids(2, 40));
            JsonNode contextHits = rest.ok("POST", base + "discover", "{\"context\":" + pairs(pairs) + ",\"limit\":10,"
                    + EXACT + "}");
            assertRanked(page(contextAll, 0, 10), contextHits, context, ids(2, 40), d + " context");
            contextHits.forEach(p -> assertTrue(p.get("score").asDouble() <= 0, p.toString()));
            // the batch answers each request as alone
            JsonNode batch = rest.ok("POST", base + "discover/batch", "{\"searches\":[{" + request + ",\"limit\":7,"
                    + EXACT + "},{\"context\":" + pairs(pairs) + ",\"limit\":10," + EXACT + "}]}");
            assertRanked(page(all, 0, 7), batch.get(0), discovery, examples, what + " batch");
            assertRanked(page(contextAll, 0, 10), batch.get(1), context, ids(2, 40), d + " context batch");

            // the same as queries: discover, context (a list, or one pair), with a score threshold
            assertRanked(page(all, 0, 7), rest.ok("POST", base + "query", "{\"query\":{\"discover\":{" + request
                    + "}},\"limit\":7," + EXACT + "}").get("points"), discovery, examples, what + " query");
            assertRanked(page(contextAll, 0, 10), rest.ok("POST", base + "query", "{\"query\":{\"context\":"
                    + pairs(pairs) + "},\"limit\":10," + EXACT + "}").get("points"), context, ids(2, 40),
                    d + " context query");
            List<Example[]> one = List.<Example[]>of(pairs.get(0));
            String onePair = pairs(one);
            assertRanked(page(ranked(context(one), id -> true, ids(2)), 0, 5), rest.ok("POST", base + "query",
                    "{\"query\":{\"context\":" + onePair.substring(1, onePair.length() - 1) + "},\"limit\":5,"
                            + EXACT + "}").get("points"), context(one), ids(2), d + " one pair");
            double t = (all.get(2).score() + all.get(3).score()) / 2;
            assertRanked(page(all, 0, 3), rest.ok("POST", base + "query", "{\"query\":{\"discover\":{" + request
                    + "}},\"limit\":20,\"score_threshold\":" + t + "," + EXACT + "}").get("points"), discovery,
                    examples, what + " query threshold");
        }
    }

    @Test
    void examplesQueriesRescorePrefetchedPointsAndGroup() {
        createCollection("p", "Dot");
        float[] near = vector();
        Example target = raw();
        List<Example[]> pairs = List.<Example[]>of(new Example[] {id(5), id(6)});
        ToDoubleFunction<float[]> discovery = discovery(target, pairs);
        // the prefetch: the 30 nearest to a vector (not the examples); the root re-scores them by discovery
        List<Hit> prefetched = ranked(p -> sim(near, p), id -> true, ids(5, 6)).subList(0, 30);
        Set<Integer> among = new HashSet<>();
        prefetched.forEach(h -> among.add(h.id()));
        List<Hit> expected = ranked(discovery, among::contains, ids(5, 6));
        JsonNode points = rest.ok("POST", "/collections/p/points/query", "{\"prefetch\":{\"query\":" + json(near)
                + ",\"limit\":30},\"query\":{\"discover\":{\"target\":" + target.json() + ",\"context\":"
                + pairs(pairs) + "}},\"limit\":5}").get("points");
        assertRanked(page(expected, 0, 5), points, discovery, ids(5, 6), "discover over a prefetch");

        // a context query as the prefetch, fused with a nearest one
        JsonNode fused = rest.ok("POST", "/collections/p/points/query", "{\"prefetch\":[{\"query\":{\"context\":"
                + pairs(pairs) + "},\"limit\":10," + EXACT + "},{\"query\":" + json(near) + ",\"limit\":10}],"
                + "\"query\":{\"fusion\":\"rrf\"},\"limit\":5}").get("points");
        assertEquals(5, fused.size(), fused.toString());
        fused.forEach(p -> assertFalse(Set.of(5, 6).contains(p.get("id").asInt()), p.toString()));

        // query groups by a discover query: groups ordered by their best hit, highest first
        JsonNode groups = rest.ok("POST", "/collections/p/points/query/groups", "{\"query\":{\"discover\":{"
                + "\"target\":" + target.json() + ",\"context\":" + pairs(pairs) + "}},\"group_by\":\"group\","
                + "\"group_size\":1,\"limit\":3," + EXACT + "}").get("groups");
        List<Hit> all = ranked(discovery, id -> true, ids(5, 6));
        Map<Integer, Hit> bestPerGroup = new LinkedHashMap<>();
        all.forEach(h -> bestPerGroup.putIfAbsent(h.id() % 3, h));
        List<Hit> groupBests = new ArrayList<>(bestPerGroup.values());
        for (int g = 0; g < 3; g++) {
            assertRanked(List.of(groupBests.get(g)), groups.get(g).get("hits"), discovery, ids(5, 6), "group " + g);
        }
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    @Test
    void badInputIsRefusedAsQdrantRefusesIt() {
        createCollection("e", "Dot");
        String recommend = "/collections/e/points/recommend";
        String discover = "/collections/e/points/discover";
        String query = "/collections/e/points/query";
        String v = json(vector());

        // recommend: example counts per strategy (checked before ids are looked up), unknown ids, dimensions
        assertTrue(rest.error(400, "POST", recommend, "{\"strategy\":\"best_score\",\"limit\":3}")
                .contains("At least one positive or negative vector ID required with this strategy"));
        assertTrue(rest.error(400, "POST", recommend, "{\"positive\":[],\"negative\":[],\"strategy\":\"sum_scores\","
                + "\"limit\":3}").contains("At least one positive or negative"));
        assertTrue(rest.error(400, "POST", recommend, "{\"negative\":[1],\"limit\":3}")
                .contains("At least one positive vector ID required with this strategy"));
        assertTrue(rest.error(400, "POST", recommend, "{\"negative\":[999],\"strategy\":\"average_vector\","
                + "\"limit\":3}").contains("positive"));
        assertTrue(rest.error(400, "POST", recommend, "{\"positive\":[1],\"strategy\":\"closest\",\"limit\":3}")
                .contains("unknown variant"));
        assertTrue(rest.error(404, "POST", recommend, "{\"negative\":[999],\"strategy\":\"best_score\",\"limit\":3}")
                .contains("No point with id 999 found"));
        assertTrue(rest.error(404, "POST", recommend, "{\"positive\":[1,999],\"strategy\":\"sum_scores\","
                + "\"limit\":3}").contains("999"));
        assertTrue(rest.error(400, "POST", recommend, "{\"positive\":[[1,2]],\"strategy\":\"best_score\","
                + "\"limit\":3}").contains("Vector dimension error: expected dim: 5, got 2"));
        rest.error(400, "POST", recommend, "{\"positive\":[1],\"strategy\":\"best_score\"}");
        rest.error(422, "POST", recommend, "{\"positive\":[1],\"strategy\":\"best_score\",\"limit\":0}");
        rest.error(400, "POST", recommend, "{\"positive\":1,\"strategy\":\"best_score\",\"limit\":3}");
        rest.error(400, "POST", "/collections/e/points/recommend/batch", "{\"searches\":[{\"positive\":[1],"
                + "\"strategy\":\"best_score\",\"limit\":3},{\"strategy\":\"best_score\",\"limit\":3}]}");
        rest.error(400, "POST", "/collections/e/points/recommend/groups", "{\"strategy\":\"best_score\","
                + "\"group_by\":\"group\",\"group_size\":1,\"limit\":1}");
        rest.error(404, "POST", "/collections/none/points/recommend", "{\"positive\":[1],\"strategy\":\"best_score\","
                + "\"limit\":3}");

        // discover: a target or a pair is needed; pairs need both sides; ids must exist; vectors must fit
        assertTrue(rest.error(400, "POST", discover, "{\"limit\":3}")
                .contains("target and/or context_pairs must be specified"));
        assertTrue(rest.error(400, "POST", discover, "{\"context\":[],\"limit\":3}")
                .contains("target and/or context_pairs must be specified"));
        assertTrue(rest.error(400, "POST", discover, "{\"context\":[{\"positive\":1}],\"limit\":3}")
                .contains("negative"));
        rest.error(400, "POST", discover, "{\"context\":{\"positive\":1,\"negative\":2},\"limit\":3}");
        rest.error(400, "POST", discover, "{\"context\":[[1,2]],\"limit\":3}");
        rest.error(400, "POST", discover, "{\"target\":1}");
        rest.error(422, "POST", discover, "{\"target\":1,\"limit\":0}");
        assertTrue(rest.error(404, "POST", discover, "{\"target\":999,\"limit\":3}")
                .contains("No point with id 999 found"));
        assertTrue(rest.error(404, "POST", discover, "{\"target\":1,\"context\":[{\"positive\":2,\"negative\":998}],"
                + "\"limit\":3}").contains("998"));
        assertTrue(rest.error(400, "POST", discover, "{\"target\":[1,2,3],\"limit\":3}")
                .contains("Vector dimension error"));
        rest.error(400, "POST", discover, "{\"target\":\"not-an-id\",\"limit\":3}");
        assertTrue(rest.error(404, "POST", discover, "{\"target\":1,\"limit\":3,\"lookup_from\":{\"collection\":"
                + "\"no-such\"}}").contains("no-such"));
        assertTrue(rest.error(400, "POST", discover, "{\"target\":1,\"limit\":3,\"lookup_from\":{}}")
                .contains("collection"));
        assertTrue(rest.error(400, "POST", discover, "{\"target\":1,\"limit\":3,\"using\":\"image\"}")
                .contains("image"));
        rest.error(404, "POST", "/collections/none/points/discover", "{\"target\":" + v + ",\"limit\":3}");
        rest.error(400, "POST", "/collections/e/points/discover/batch", "{\"searches\":[{\"target\":1,\"limit\":3},"
                + "{\"limit\":3}]}");
        rest.error(400, "POST", "/collections/e/points/discover/batch", "{\"searches\":[5]}");
        // a DiscoverRequest has no score_threshold: it is ignored
        assertEquals(3, rest.ok("POST", discover, "{\"target\":1,\"limit\":3,\"score_threshold\":1e9}").size());

        // queries: discover needs its target; context takes pairs; unknown ids are 404s; no extra keys
        assertTrue(rest.error(400, "POST", query, "{\"query\":{\"discover\":{}}}").contains("target"));
        // Qdrant's DiscoverInput has no default for `context`: no pairs must be said with an explicit null
        assertEquals("Format error in JSON body: query.discover: missing field `context`",
                rest.error(400, "POST", query, "{\"query\":{\"discover\":{\"target\":1}}}"));
        assertEquals(3, rest.ok("POST", query, "{\"query\":{\"discover\":{\"target\":1,\"context\":null}},"
                + "\"limit\":3}").get("points").size());
        rest.error(400, "POST", query, "{\"query\":{\"discover\":[1]}}");
        rest.error(400, "POST", query, "{\"query\":{\"discover\":{\"target\":1,\"context\":5}}}");
        assertTrue(rest.error(404, "POST", query, "{\"query\":{\"discover\":{\"target\":999,\"context\":[]}}}")
                .contains("999"));
        assertTrue(rest.error(404, "POST", query, "{\"query\":{\"context\":[{\"positive\":1,\"negative\":997}]}}")
                .contains("997"));
        rest.error(400, "POST", query, "{\"query\":{\"context\":5}}");
        rest.error(400, "POST", query, "{\"query\":{\"context\":[{\"positive\":1}]}}");
        assertTrue(rest.error(400, "POST", query, "{\"query\":{\"context\":[],\"bogus\":1}}").contains("bogus"));
        rest.error(400, "POST", query, "{\"query\":{\"recommend\":{\"strategy\":\"best_score\"}}}");
        assertTrue(rest.error(400, "POST", query, "{\"query\":{\"recommend\":{\"negative\":[1]}}}")
                .contains("Positive vectors should not be empty"));
        assertTrue(rest.error(400, "POST", query, "{\"prefetch\":{\"query\":{\"discover\":{\"target\":[1],"
                + "\"context\":null}}},\"query\":" + v + "}").contains("dimension"));
        // a context without pairs scores every point 0
        JsonNode flat = rest.ok("POST", query, "{\"query\":{\"context\":null},\"limit\":4}").get("points");
        assertEquals(4, flat.size());
        flat.forEach(p -> assertEquals(0.0, p.get("score").asDouble(), p.toString()));
    }
}
