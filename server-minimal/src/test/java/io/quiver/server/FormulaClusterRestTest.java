package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

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

    @Test
    void everyNodeGivesTheHandWorkedAnswers() throws Exception {
        try (TestServers.TwoNodes cluster = TestServers.TwoNodes.start(dir)) {
            List<RestClient> clients = cluster.clients();
            FormulaFixture.create(clients.get(1), "f", ",\"shard_number\":3");
            cluster.awaitCollection("f");
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
