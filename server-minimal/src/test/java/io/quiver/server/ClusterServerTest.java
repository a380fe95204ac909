package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real server processes form a cluster the way an operator starts one ({@code --uri} on the first,
 * {@code --bootstrap} on the others, {@code QUIVER__CLUSTER__ENABLED=true}): metadata through consensus over HTTP,
 * {@code /cluster/recover}, and fail-over after SIGKILL of the leader.
 */
class ClusterServerTest extends ProcessClusterTest {
    private static JsonNode eventually(RestClient rest, String path, Predicate<JsonNode> done, String what)
            throws InterruptedException {
        return rest.eventually(path, done, what, Duration.ofSeconds(30));
    }

    @Test
    void threeNodesAgreeRecoverAndFailOver() throws Exception {
        nodes.add(startNode(0, null));
        nodes.add(startNode(1, p2pPort(0)));
        nodes.add(startNode(2, p2pPort(0)));
        List<RestClient> rest = nodes.stream().map(n -> new RestClient(n.port())).toList();

        for (RestClient r : rest) {
            JsonNode status = eventually(r, "/cluster", s -> s.path("peers").size() == 3
                    && !s.path("raft_info").path("leader").isNull(), "3 peers and a leader");
            assertEquals("enabled", status.get("status").asText());
            assertTrue(status.get("peer_id").isIntegralNumber());
            for (String key : List.of("term", "commit", "pending_operations", "leader", "role", "is_voter")) {
                assertTrue(status.get("raft_info").has(key), key + " in " + status);
            }
        }

        // Metadata goes through consensus: created on one node, seen on all.
        rest.get(1).ok("PUT", "/collections/shared",
                "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":3,\"replication_factor\":2}");
        for (RestClient r : rest) {
            eventually(r, "/collections/shared/exists", e -> e.get("exists").asBoolean(), "collection on every node");
            assertEquals(3, r.ok("GET", "/collections/shared/cluster", null).get("shard_count").asInt());
        }
        rest.get(2).error(409, "PUT", "/collections/shared", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        rest.get(2).ok("PUT", "/collections/defaulted", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        assertEquals(3, rest.get(2).ok("GET", "/collections/defaulted/cluster", null).get("shard_count").asInt(),
                "without shard_number a collection gets one shard per peer, as in Qdrant");

        // Points written through one node are served by every node: fan-out reads over the shards' replicas.
        StringBuilder points = new StringBuilder("{\"points\":[");
        Map<Integer, float[]> vectors = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int id = 1; id <= 40; id++) {
            float[] v = {random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()};
            vectors.put(id, v);
            points.append(id == 1 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":[")
                    .append(v[0]).append(",").append(v[1]).append(",").append(v[2]).append(",").append(v[3]).append("],")
                    .append("\"payload\":{\"n\":").append(id).append("}}");
        }
        assertEquals("completed", rest.get(1).ok("PUT", "/collections/shared/points?wait=true",
                points.append("]}").toString()).get("status").asText());
        String search = "{\"vector\":[3,1,2,1],\"limit\":5,\"params\":{\"exact\":true}}";
        List<Integer> reference = RestApiTest.bruteForce(vectors, new float[] {3, 1, 2, 1}, "Cosine", 5, false);
        for (RestClient r : rest) {
            assertEquals(40, r.ok("POST", "/collections/shared/points/count", "{}").get("count").asInt());
            JsonNode hits = r.ok("POST", "/collections/shared/points/search", search);
            List<Integer> ids = new ArrayList<>();
            hits.forEach(h -> ids.add(h.get("id").asInt()));
            assertEquals(reference, ids, "exact search through every node equals the single-node reference");
            assertEquals(40, r.ok("POST", "/collections/shared/points/scroll?consistency=majority", "{\"limit\":100}")
                    .get("points").size());
        }

        // recover: a no-op on the leader, accepted on a follower, whose state then equals the leader's.
        long leader = rest.get(0).ok("GET", "/cluster", null).at("/raft_info/leader").asLong();
        int leaderIndex = -1;
        for (int i = 0; i < 3; i++) {
            if (rest.get(i).ok("GET", "/cluster", null).get("peer_id").asLong() == leader) {
                leaderIndex = i;
            }
        }
        assertTrue(leaderIndex >= 0, "leader is one of the three");
        assertTrue(rest.get(leaderIndex).ok("POST", "/cluster/recover", null).asBoolean(),
                "recover on the leader answers true and changes nothing, as in Qdrant");
        int follower = (leaderIndex + 1) % 3;
        assertTrue(rest.get(follower).ok("POST", "/cluster/recover", null).asBoolean());
        eventually(rest.get(follower), "/collections/shared/exists", e -> e.get("exists").asBoolean(),
                "state after recover");

        // Numbers out of range are refused, never wrapped into another (possibly real) id.
        assertTrue(rest.get(0).error(400, "DELETE", "/cluster/peer/18446744073709551615", null).contains("peer_id"));
        assertTrue(rest.get(0).error(400, "POST", "/collections/shared/cluster",
                "{\"drop_replica\":{\"shard_id\":1.5,\"peer_id\":" + leader + "}}").contains("u32"));
        assertTrue(rest.get(0).error(400, "POST", "/collections/shared/cluster",
                "{\"drop_replica\":{\"shard_id\":0,\"peer_id\":99999999999999999999999}}").contains("invalid value"));

        // Fail-over: SIGKILL the leader; a new one takes over and metadata changes go on.
        nodes.get(leaderIndex).kill();
        int survivor = (leaderIndex + 1) % 3;
        eventually(rest.get(survivor), "/cluster", s -> !s.at("/raft_info/leader").isNull()
                && s.at("/raft_info/leader").asLong() != leader, "a new leader");
        rest.get(survivor).ok("PUT", "/collections/after_failover", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        int other = (leaderIndex + 2) % 3;
        eventually(rest.get(other), "/collections/after_failover/exists", e -> e.get("exists").asBoolean(),
                "collection created after fail-over");
        assertTrue(rest.get(other).ok("GET", "/collections/shared/exists", null).get("exists").asBoolean(),
                "no committed change lost");
    }
}
