package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real server processes, one replica per shard: a node killed with SIGKILL that loses its replica's data comes
 * back with that replica Dead (lost), and recovering the collection snapshot it took before, through its own HTTP
 * API, brings its shard back Active with every point, readable and writable through every node.
 */
class ClusterSnapshotDisasterRecoveryTest extends ProcessClusterTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static TreeSet<Integer> ids(RestClient node) {
        JsonNode page = node.ok("POST", "/collections/c/points/scroll", "{\"limit\":1000,\"with_payload\":true}");
        TreeSet<Integer> out = new TreeSet<>();
        for (JsonNode p : page.get("points")) {
            assertEquals(p.get("id").asInt() * 3, p.at("/payload/triple").asInt(), p::toString);
            out.add(p.get("id").asInt());
        }
        return out;
    }

    private static JsonNode localShard(RestClient node) {
        JsonNode local = node.ok("GET", "/collections/c/cluster", null).get("local_shards");
        assertEquals(1, local.size(), local::toString);
        return local.get(0);
    }

    @Test
    void aNodeThatLostItsReplicaRecoversItFromItsSnapshot() throws Exception {
        nodes.add(startNode(0, null));
        nodes.add(startNode(1, p2pPort(0)));
        nodes.add(startNode(2, p2pPort(0)));
        List<RestClient> rest = new ArrayList<>(nodes.stream().map(n -> new RestClient(n.port())).toList());
        TestServers.awaitCluster(rest, 3);
        rest.get(0).ok("PUT", "/collections/c",
                "{\"vectors\":{\"size\":3,\"distance\":\"Euclid\"},\"shard_number\":3,\"replication_factor\":1}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        TreeSet<Integer> all = new TreeSet<>();
        for (int i = 0; i < 90; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                    .append(",1,2],\"payload\":{\"triple\":").append(3 * i).append("}}");
            all.add(i);
        }
        rest.get(1).ok("PUT", "/collections/c/points?wait=true", points.append("]}").toString());
        assertEquals(all, ids(rest.get(2)));

        int shard = localShard(rest.get(2)).get("shard_id").asInt();
        int held = localShard(rest.get(2)).get("points_count").asInt();
        assertTrue(held > 0 && held < 90, "node 2 holds one of three shards: " + held);
        String name = rest.get(2).ok("POST", "/collections/c/snapshots", null).get("name").asText();
        Path archive = dir.resolve("snap2").resolve("c").resolve(name);
        assertTrue(Files.isRegularFile(archive), archive::toString);

        // node 2 dies and its replica's data is lost
        nodes.get(2).kill();
        Path replica = dir.resolve("node2").resolve("replicas").resolve("collections").resolve("c~" + shard);
        assertTrue(Files.isDirectory(replica), replica::toString);
        try (var walk = Files.walk(replica)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        nodes.set(2, startNode(2, p2pPort(0)));
        rest.set(2, new RestClient(nodes.get(2).port()));
        rest.get(2).eventually("/collections/c/cluster",
                s -> s.at("/local_shards/0/state").asText().equals("Dead"), "the lost replica marked Dead", PATIENCE);
        // the shard has no readable replica left: a read that needs it fails
        RestClient.Reply count = rest.get(0).send("POST", "/collections/c/points/count", "{\"exact\":true}");
        assertEquals(503, count.status(), count::toString);

        assertTrue(rest.get(2).ok("PUT", "/collections/c/snapshots/recover",
                "{\"location\":\"" + archive.toUri() + "\"}").asBoolean());
        JsonNode recovered = localShard(rest.get(2));
        assertEquals("Active", recovered.get("state").asText(), recovered::toString);
        assertEquals(held, recovered.get("points_count").asInt());
        for (RestClient r : rest) {
            assertEquals(all, ids(r), "every point is back, seen through every node");
        }

        // the recovered replica takes writes again
        rest.get(0).ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":1000,\"vector\":[1000,1,2],"
                + "\"payload\":{\"triple\":3000}}]}");
        all.add(1000);
        for (RestClient r : rest) {
            assertEquals(all, ids(r));
        }
    }
}
