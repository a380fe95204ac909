package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Formula queries on a collection of three shards in a cluster of two in-JVM nodes: each node gives every
 * hand-worked answer of {@link FormulaFixture}, whichever node holds which shard, since the formula runs where the
 * request arrives over the prefetched points (their payloads read from every shard). One instance per test method,
 * used by its thread.
 */
class FormulaClusterRestTest {
    @TempDir
    Path dir;

    private static boolean everyShardActive(JsonNode cluster) {
        Set<Integer> active = new HashSet<>();
        for (String kind : List.of("local_shards", "remote_shards")) {
            for (JsonNode shard : cluster.get(kind)) {
                if (shard.get("state").asText().equals("Active")) {
                    active.add(shard.get("shard_id").asInt());
                }
            }
        }
        return active.size() == cluster.get("shard_count").asInt();
    }

    @Test
    void everyNodeGivesTheHandWorkedAnswers() throws Exception {
        int p2p0 = ServerProcess.freePort();
        int p2p1 = ServerProcess.freePort();
        try (QuiverServer node0 = TestServers.startClusterNode(dir.resolve("n0"), p2p0, null);
             QuiverServer node1 = TestServers.startClusterNode(dir.resolve("n1"), p2p1, p2p0)) {
            List<RestClient> clients = List.of(new RestClient(node0.port()), new RestClient(node1.port()));
            TestServers.awaitCluster(clients, 2);
            FormulaFixture.create(clients.get(1), "f", ",\"shard_number\":3");
            for (RestClient client : clients) {
                client.eventually("/collections/f/exists", e -> e.get("exists").asBoolean(),
                        "the collection on both nodes", Duration.ofSeconds(30));
                client.eventually("/collections/f/cluster", FormulaClusterRestTest::everyShardActive,
                        "every shard active, seen from each node", Duration.ofSeconds(30));
            }
            FormulaFixture.upsert(clients.get(0), "f");
            long stored = 0;
            for (RestClient client : clients) {
                for (JsonNode shard : client.ok("GET", "/collections/f/cluster", null).get("local_shards")) {
                    stored += shard.get("points_count").asLong();
                }
            }
            assertEquals(5, stored, "every point stored once, on one node or the other");
            for (RestClient client : clients) {
                FormulaFixture.checkHandWorked(client, "f");
            }
        }
    }
}
