package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full storage snapshots in a cluster answer as in Qdrant, which does not refuse them in distributed mode: each node
 * takes its own, holding every collection's snapshot of this node's data and the aliases agreed through consensus.
 */
class FullSnapshotClusterTest {
    @TempDir
    Path dir;

    @Test
    void eachNodeTakesAFullSnapshotOfItsOwnData() throws Exception {
        int p2p0 = ServerProcess.freePort();
        int p2p1 = ServerProcess.freePort();
        try (QuiverServer node0 = clusterNode(dir.resolve("n0"), p2p0, null);
             QuiverServer node1 = clusterNode(dir.resolve("n1"), p2p1, p2p0)) {
            List<RestClient> clients = List.of(new RestClient(node0.port()), new RestClient(node1.port()));
            for (RestClient client : clients) {
                client.eventually("/cluster", s -> s.path("peers").size() == 2
                        && !s.path("raft_info").path("leader").isNull(), "two peers and a leader",
                        Duration.ofSeconds(60));
            }
            clients.get(0).ok("PUT", "/collections/spread",
                    "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},\"shard_number\":2}");
            clients.get(0).ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":"
                    + "{\"collection_name\":\"spread\",\"alias_name\":\"wide\"}}]}");
            for (RestClient client : clients) {
                client.eventually("/aliases", a -> a.get("aliases").size() == 1, "the alias on both nodes",
                        Duration.ofSeconds(30));
            }
            StringBuilder points = new StringBuilder("{\"points\":[");
            for (int i = 0; i < 40; i++) {
                points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                        .append(",1]}");
            }
            clients.get(0).ok("PUT", "/collections/spread/points?wait=true", points.append("]}").toString());

            List<QuiverServer> nodes = List.of(node0, node1);
            for (int n = 0; n < 2; n++) {
                RestClient client = clients.get(n);
                JsonNode created = client.ok("POST", "/snapshots", null);
                String name = created.get("name").asText();
                assertEquals(name, client.ok("GET", "/snapshots", null).get(0).get("name").asText());
                Path file = nodes.get(n).config().snapshotsPath().resolve(name);
                byte[] archive = Files.readAllBytes(file);
                assertEquals(created.get("checksum").asText(), FullSnapshotRestTest.sha256(archive));
                JsonNode config = null;
                List<String> entries = new ArrayList<>();
                try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
                    ZipEntry e;
                    while ((e = zip.getNextEntry()) != null) {
                        entries.add(e.getName());
                        if (e.getName().equals("config.json")) {
                            config = RestClient.JSON.readTree(zip.readAllBytes());
                        }
                    }
                }
                assertTrue(config != null, entries::toString);
                assertTrue(config.at("/collections_mapping/spread").asText().startsWith("spread-"), config::toString);
                assertEquals("{\"wide\":\"spread\"}", config.get("collections_aliases").toString());
                assertEquals(2, entries.size(), entries::toString);
                assertTrue(client.ok("DELETE", "/snapshots/" + name, null).asBoolean());
                client.error(404, "GET", "/snapshots/" + name, null);
            }
        }
    }

    /** A cluster-enabled server in this JVM, on 127.0.0.1, joining through {@code bootstrapP2p} when given. */
    private static QuiverServer clusterNode(Path storage, int p2p, Integer bootstrapP2p) throws Exception {
        List<String> env = new ArrayList<>(List.of("QUIVER__CLUSTER__ENABLED", "true",
                "QUIVER__CLUSTER__P2P__PORT", Integer.toString(p2p),
                "QUIVER__CLUSTER__P2P__URI", "http://127.0.0.1:" + p2p));
        if (bootstrapP2p != null) {
            env.addAll(List.of("QUIVER__CLUSTER__P2P__BOOTSTRAP", "http://127.0.0.1:" + bootstrapP2p));
        }
        return TestServers.start(storage, env.toArray(String[]::new));
    }
}
