package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
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
 * {@code {"nearest": v, "mmr": {…}}} inside a prefetch of {@code points/query}, over a real socket: a prefetch without
 * prefetches passes up the points MMR picks from its {@code candidates_limit} nearest, which a root re-scoring or a
 * fusion then uses; a prefetch with prefetches runs MMR over every point those passed up (Qdrant's shard-level MMR).
 * Checked on six points by hand ({@link MmrReference#SIX}) and on random points against the plan worked out by brute
 * force in {@link MmrReference}; plus the 400/422 answers.
 */
class MmrPrefetchRestTest extends RestServerTest {
    private static final String ORIGIN = "[0.0,0.0]";

    private List<Integer> ids(String collection, String body) {
        List<Integer> out = new ArrayList<>();
        rest.ok("POST", "/collections/" + collection + "/points/query", body).get("points")
                .forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    private static String mmrPrefetch(String vector, double diversity, Integer candidates, int limit) {
        return "{\"query\":{\"nearest\":" + vector + ",\"mmr\":{\"diversity\":" + diversity
                + (candidates == null ? "" : ",\"candidates_limit\":" + candidates) + "}},\"limit\":" + limit + "}";
    }

    @Test
    void aLeafPrefetchPassesUpItsDiversePicksToARescoring() {
        MmrReference.createSix(rest, "six", "");
        // MMR picks 1, 5, 4 out of all six; the root ranks them by distance to 4's position
        JsonNode points = rest.ok("POST", "/collections/six/points/query", "{\"prefetch\":"
                + mmrPrefetch(ORIGIN, 0.5, 6, 3) + ",\"query\":[0.0,-1.5],\"with_payload\":true}").get("points");
        assertEquals(List.of(4, 1, 5), List.of(points.get(0).get("id").asInt(), points.get(1).get("id").asInt(),
                points.get(2).get("id").asInt()));
        assertEquals(3, points.size(), "only what the prefetch passed up");
        assertEquals(0.0, points.get(0).get("score").asDouble(), 1e-6);
        assertEquals(Math.sqrt(3.25), points.get(1).get("score").asDouble(), 1e-5, "the root's own score");
        assertEquals(Math.sqrt(6.25), points.get(2).get("score").asDouble(), 1e-5);
        assertEquals("c", points.get(2).get("payload").get("g").asText());
        // the same prefetch without mmr passes up the east cluster
        assertEquals(List.of(1, 2, 3), ids("six", "{\"prefetch\":{\"query\":" + ORIGIN + ",\"limit\":3},"
                + "\"query\":[0.0,-1.5]}"));
        // candidates_limit defaults to the prefetch's limit: MMR can only reorder the three nearest
        assertEquals(List.of(1, 2, 3), ids("six", "{\"prefetch\":" + mmrPrefetch(ORIGIN, 0.5, null, 3)
                + ",\"query\":[0.0,-1.5]}"));
        // diversity 0 is relevance alone
        assertEquals(List.of(1, 2, 3), ids("six", "{\"prefetch\":" + mmrPrefetch(ORIGIN, 0.0, 6, 3)
                + ",\"query\":[0.0,-1.5]}"));
        // the request's filter reaches the prefetch: without the west point MMR's second pick is 4, then 2
        assertEquals(List.of(4, 1, 2), ids("six", "{\"prefetch\":" + mmrPrefetch(ORIGIN, 0.5, 6, 3)
                + ",\"query\":[0.0,-1.5],\"filter\":{\"must_not\":[{\"key\":\"g\",\"match\":{\"value\":\"c\"}}]}}"));
        // the prefetch's score_threshold bounds its candidates (distance at most 1.3: 1, 2, 3)
        assertEquals(List.of(1, 2, 3), ids("six", "{\"prefetch\":{\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"candidates_limit\":6}},\"limit\":3,\"score_threshold\":1.3},\"query\":[0.0,-1.5]}"));
        // a point id as the prefetch's query: its stored vector (1.2, 0), the point left out everywhere; MMR picks
        // 2, then 1 (−0.02 + 0.005 beats 6's −1.885 + 1.78), then 6 (closest to 1 by 3.37, against 4's 3.25)
        assertEquals(List.of(6, 1, 2), ids("six", "{\"prefetch\":{\"query\":{\"nearest\":3,\"mmr\":"
                + "{\"candidates_limit\":6}},\"limit\":3},\"query\":[-2.0,0.0]}"));
    }

    @Test
    void aLeafPrefetchFeedsAFusion() {
        MmrReference.createSix(rest, "six", "");
        // RRF, k 2, weights 1 and 0.7 over [1, 5, 4] (MMR) and [3, 2] (nearest to (1.16, 0)):
        // 1: 1/2, 3: 1/(1/0.7 + 1), 5: 1/3, 2: 1/(2/0.7 + 1), 4: 1/4
        String body = "{\"prefetch\":[" + mmrPrefetch(ORIGIN, 0.5, 6, 3) + ",{\"query\":[1.16,0.0],\"limit\":2}],"
                + "\"query\":{\"rrf\":{\"k\":2,\"weights\":[1,0.7]}}";
        JsonNode points = rest.ok("POST", "/collections/six/points/query", body + "}").get("points");
        List<Integer> order = new ArrayList<>();
        points.forEach(p -> order.add(p.get("id").asInt()));
        assertEquals(List.of(1, 3, 5, 2, 4), order);
        double[] expected = {0.5, 1 / (1 / 0.7 + 1), 1 / 3.0, 1 / (2 / 0.7 + 1), 0.25};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], points.get(i).get("score").asDouble(), 1e-5, "fused score of " + order.get(i));
        }
        // offset and limit page the fused list
        assertEquals(List.of(5, 2), ids("six", body + ",\"offset\":2,\"limit\":2}"));
        // the batch form runs the same plan
        JsonNode batch = rest.ok("POST", "/collections/six/points/query/batch", "{\"searches\":[" + body + "}]}");
        assertEquals(5, batch.get(0).get("points").size());
        assertEquals(3, batch.get(0).get("points").get(1).get("id").asInt());
    }

    @Test
    void aPrefetchWithPrefetchesRunsMmrOverEverythingTheyPassedUp() {
        MmrReference.createSix(rest, "six", "");
        // the inner prefetch passes all six up; MMR picks 1, 5, 4 among them. candidates_limit and score_threshold
        // are not used at this level (Qdrant's shard-level MMR), so 1 and 0.1 change nothing
        String outer = "{\"prefetch\":{\"query\":[0.5,0.0],\"limit\":6},\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"diversity\":0.5,\"candidates_limit\":1}},\"score_threshold\":0.1,\"limit\":3}";
        // RRF over one list keeps its order
        assertEquals(List.of(1, 5, 4), ids("six", "{\"prefetch\":" + outer + ",\"query\":{\"fusion\":\"rrf\"}}"));
        // re-scored at the root by distance to the west point
        assertEquals(List.of(5, 4, 1), ids("six", "{\"prefetch\":" + outer + ",\"query\":[-2.0,0.0]}"));
        // an inner prefetch that passes up only the east cluster leaves MMR nothing else to pick
        assertEquals(List.of(1, 2, 3), ids("six", "{\"prefetch\":{\"prefetch\":{\"query\":[1.1,0.0],\"limit\":3},"
                + "\"query\":{\"nearest\":" + ORIGIN + ",\"mmr\":{\"diversity\":0.5}},\"limit\":3},"
                + "\"query\":{\"fusion\":\"rrf\"}}"));
    }

    /**
     * Random points, every distance: a leaf MMR prefetch re-scored at the root, and an MMR prefetch over two nearest
     * prefetches fused at the root, against the same plan worked out by brute force.
     */
    @Test
    void randomPointsMatchTheBruteForcePlan() {
        Random random = new Random(57);
        for (String distance : List.of("Dot", "Cosine", "Euclid", "Manhattan")) {
            String name = "r_" + distance.toLowerCase();
            Map<Integer, float[]> stored = new TreeMap<>();
            rest.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":4,\"distance\":\"" + distance + "\"}}");
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int id = 0; id < 80; id++) {
                float[] v = VectorJson.gaussian(random, 4);
                body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(json(v))
                        .append(",\"payload\":{\"even\":").append(id % 2 == 0).append("}}");
                stored.put(id, distance.equals("Cosine") ? unit(v) : v);
            }
            rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
            float[] q1 = VectorJson.gaussian(random, 4);
            float[] q2 = VectorJson.gaussian(random, 4);
            float[] q3 = VectorJson.gaussian(random, 4);
            IntPredicate even = id -> id % 2 == 0;
            String evenFilter = "{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}";
            for (double diversity : List.of(0.2, 0.5, 0.9)) {
                String where = distance + " diversity " + diversity;
                List<Integer> picks = MmrReference.mmr(stored,
                        MmrReference.nearest(stored, q1, distance, null, even, 25), q1, distance, diversity, 8);
                List<Integer> expected = MmrReference.nearest(stored, q2, distance, Set.copyOf(picks), id -> true, 5);
                JsonNode points = rest.ok("POST", "/collections/" + name + "/points/query", "{\"prefetch\":"
                        + "{\"query\":{\"nearest\":" + json(q1) + ",\"mmr\":{\"diversity\":" + diversity
                        + ",\"candidates_limit\":25}},\"limit\":8,\"params\":{\"exact\":true}},\"query\":" + json(q2)
                        + ",\"limit\":5,\"filter\":" + evenFilter + "}").get("points");
                List<Integer> got = new ArrayList<>();
                points.forEach(p -> got.add(p.get("id").asInt()));
                assertEquals(expected, got, where + ": leaf MMR prefetch re-scored");
                for (JsonNode p : points) {
                    assertEquals(MmrReference.score(stored.get(p.get("id").asInt()), q2, distance),
                            p.get("score").asDouble(), 1e-4, where + ": the root's score");
                }
                // an MMR prefetch over two nearest prefetches: MMR over their union, in order of first appearance
                Set<Integer> union = new LinkedHashSet<>(MmrReference.nearest(stored, q1, distance, null, i -> true,
                        15));
                union.addAll(MmrReference.nearest(stored, q3, distance, null, i -> true, 15));
                List<Integer> nested = MmrReference.mmr(stored, new ArrayList<>(union), q2, distance, diversity, 6);
                assertEquals(nested, ids(name, "{\"prefetch\":{\"prefetch\":[{\"query\":" + json(q1)
                        + ",\"limit\":15,\"params\":{\"exact\":true}},{\"query\":" + json(q3)
                        + ",\"limit\":15,\"params\":{\"exact\":true}}],\"query\":{\"nearest\":" + json(q2)
                        + ",\"mmr\":{\"diversity\":" + diversity + "}},\"limit\":6},\"query\":{\"fusion\":\"rrf\"}}"),
                        where + ": MMR over the union");
            }
        }
    }

    @Test
    void prefetchMmrValuesAreCheckedAsAtTheRoot() {
        MmrReference.createSix(rest, "six", "");
        String path = "/collections/six/points/query";
        assertTrue(rest.error(422, "POST", path, "{\"prefetch\":[{\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"diversity\":1.5}}}],\"query\":{\"fusion\":\"rrf\"}}")
                .contains("prefetch[0].query.mmr.diversity: value 1.5 invalid, must be from 0.0 to 1.0"));
        assertTrue(rest.error(422, "POST", path, "{\"prefetch\":[{\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"candidates_limit\":16385}}}],\"query\":{\"fusion\":\"rrf\"}}")
                .contains("prefetch[0].query.mmr.candidates_limit: value 16385 invalid, must be 16384 or smaller"));
        rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"candidates_limit\":-1}}},\"query\":{\"fusion\":\"rrf\"}}");
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"nearest\":" + ORIGIN
                + ",\"mmr\":{\"lambda\":0.5}}},\"query\":{\"fusion\":\"rrf\"}}").contains("lambda"));
        assertTrue(rest.error(400, "POST", path, "{\"prefetch\":{\"query\":{\"nearest\":[1.0,2.0,3.0],"
                + "\"mmr\":{}}},\"query\":{\"fusion\":\"rrf\"}}").contains("dimension"));
        rest.error(404, "POST", path, "{\"prefetch\":{\"query\":{\"nearest\":99,\"mmr\":{}}},"
                + "\"query\":{\"fusion\":\"rrf\"}}");
        // a nested MMR prefetch still needs a query to merge its own prefetches, like any stage
        rest.error(400, "POST", path, "{\"prefetch\":{\"prefetch\":{\"query\":" + ORIGIN + "}},"
                + "\"query\":{\"nearest\":" + ORIGIN + ",\"mmr\":{}}}");
        rest.ok("POST", path, "{\"prefetch\":{\"query\":{\"nearest\":" + ORIGIN + ",\"mmr\":{\"candidates_limit\":"
                + "16384}}},\"query\":{\"fusion\":\"rrf\"}}");
    }
}
