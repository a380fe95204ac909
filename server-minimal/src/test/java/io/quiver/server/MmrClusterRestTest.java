package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static io.quiver.server.VectorJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MMR at the root, in prefetches and in query groups on a collection of three shards in a cluster of two in-JVM
 * nodes (wherever placement puts the shards, a node may hold none and read them all remotely): every node answers
 * what a standalone server answers, since MMR runs where the request arrives, over the candidates merged from every
 * shard (Qdrant's collection-level MMR). Checked on the six hand-worked points of {@link MmrReference#SIX} and on
 * random points against the brute force of {@link MmrReference}.
 */
class MmrClusterRestTest {
    @TempDir
    Path dir;

    private static List<Integer> ids(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    private static void create(TestServers.TwoNodes cluster, String name, String body) throws InterruptedException {
        cluster.clients().get(1).ok("PUT", "/collections/" + name, body);
        cluster.awaitCollection(name);
    }

    @Test
    void everyNodeAnswersWhatAStandaloneServerAnswers() throws Exception {
        try (TestServers.TwoNodes cluster = TestServers.TwoNodes.start(dir)) {
            List<RestClient> clients = cluster.clients();
            create(cluster, "six", "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"},\"shard_number\":3}");
            MmrReference.upsertSix(clients.get(0), "six");
            long stored = 0;
            for (RestClient client : clients) {
                for (JsonNode shard : client.ok("GET", "/collections/six/cluster", null).get("local_shards")) {
                    stored += shard.get("points_count").asLong();
                }
            }
            assertEquals(6, stored, "every point stored once, on one node or the other");
            Map<Integer, float[]> random = new TreeMap<>();
            create(cluster, "random", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":3}");
            Random seeded = new Random(71);
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int id = 0; id < 60; id++) {
                float[] v = VectorJson.gaussian(seeded, 4);
                body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(json(v))
                        .append('}');
                random.put(id, v);
            }
            clients.get(1).ok("PUT", "/collections/random/points?wait=true", body.append("]}").toString());
            float[] q1 = VectorJson.gaussian(seeded, 4);
            float[] q2 = VectorJson.gaussian(seeded, 4);
            List<Integer> picks = MmrReference.mmr(random,
                    MmrReference.nearest(random, q1, "Dot", null, id -> true, 20), q1, "Dot", 0.6, 7);
            String origin = "{\"nearest\":[0.0,0.0],\"mmr\":{\"diversity\":0.5,\"candidates_limit\":6}}";
            for (RestClient client : clients) {
                String query = "/collections/six/points/query";
                // the root: MMR's own pick order, each with its distance
                JsonNode root = client.ok("POST", query, "{\"query\":" + origin + ",\"limit\":4}").get("points");
                assertEquals(List.of(1, 5, 4, 2), ids(root));
                assertEquals(2.0, root.get(1).get("score").asDouble(), 1e-6);
                // a leaf MMR prefetch re-scored at the root, and feeding a fusion
                assertEquals(List.of(4, 1, 5), ids(client.ok("POST", query, "{\"prefetch\":{\"query\":" + origin
                        + ",\"limit\":3},\"query\":[0.0,-1.5]}").get("points")));
                assertEquals(List.of(1, 3, 5, 2, 4), ids(client.ok("POST", query, "{\"prefetch\":[{\"query\":"
                        + origin + ",\"limit\":3},{\"query\":[1.16,0.0],\"limit\":2}],"
                        + "\"query\":{\"rrf\":{\"k\":2,\"weights\":[1,0.7]}}}").get("points")));
                // an MMR prefetch over a prefetch that passed up every point
                assertEquals(List.of(1, 5, 4), ids(client.ok("POST", query, "{\"prefetch\":{\"prefetch\":"
                        + "{\"query\":[0.5,0.0],\"limit\":6},\"query\":{\"nearest\":[0.0,0.0],\"mmr\":{}},\"limit\":3},"
                        + "\"query\":{\"fusion\":\"rrf\"}}").get("points")));
                // query groups in MMR's pick order
                assertEquals(List.of("a: 1 2", "c: 5"), MmrQueryGroupsRestTest.groups(client.ok("POST",
                        "/collections/six/points/query/groups", "{\"query\":" + origin + ",\"group_by\":\"g\","
                                + "\"limit\":2,\"group_size\":2}")));
                assertEquals(List.of("a: 1 2", "b: 4 6"), MmrQueryGroupsRestTest.groups(client.ok("POST",
                        "/collections/six/points/query/groups", "{\"query\":{\"nearest\":[0.0,0.0],\"mmr\":{}},"
                                + "\"group_by\":\"g\",\"limit\":2,\"group_size\":2}")));
                // random points: a leaf MMR prefetch picking 7 of the 20 nearest, re-scored by another vector
                assertEquals(MmrReference.nearest(random, q2, "Dot", Set.copyOf(picks), id -> true, 5),
                        ids(client.ok("POST", "/collections/random/points/query?consistency=all", "{\"prefetch\":"
                                + "{\"query\":{\"nearest\":" + json(q1) + ",\"mmr\":{\"diversity\":0.6,"
                                + "\"candidates_limit\":20}},\"limit\":7,\"params\":{\"exact\":true}},\"query\":"
                                + json(q2) + ",\"limit\":5}").get("points")));
            }
        }
    }
}
