package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two normal nodes and one Listener node ({@code QUIVER__STORAGE__NODE_TYPE=Listener}), each a real server process
 * on 127.0.0.1: every write reaches the Listener, which never serves a search; a write sent to it keeps the
 * client's wait for the Active replicas and survives SIGKILL; its snapshot holds its data; and after both normal nodes lose their data
 * directories, {@code replicate_shard} from the Listener rebuilds them with every acknowledged point.
 */
class ListenerClusterTest {
    private static final String COLLECTION = "backup";
    private static final int SHARDS = 2;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final ServerProcess[] nodes = new ServerProcess[4];
    private final int[] p2pPorts = new int[3];
    private final Map<Integer, float[]> written = new HashMap<>();
    private final Random random = new Random(11);

    @AfterEach
    void stop() throws InterruptedException {
        for (ServerProcess node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private ServerProcess start(int index, boolean listener) throws Exception {
        if (p2pPorts[index] == 0) {
            p2pPorts[index] = ServerProcess.freePort();
        }
        nodes[index] = ServerProcess.startClusterNode(dir, index, p2pPorts[index], index > 0 ? p2pPorts[0] : null,
                listener ? Map.of("QUIVER__STORAGE__NODE_TYPE", "Listener") : Map.of());
        return nodes[index].awaitReady(PATIENCE);
    }

    private RestClient rest(int index) {
        return new RestClient(nodes[index].port());
    }

    private static JsonNode eventually(RestClient rest, String path, Predicate<JsonNode> done, String what)
            throws InterruptedException {
        return rest.eventually(path, done, what, PATIENCE);
    }

    /** Upserts points {@code from..to} through a node; returns the operation's status. */
    private String upsert(int node, int from, int to, boolean wait) {
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = from; id <= to; id++) {
            float[] v = {random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()};
            body.append(id == from ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":[").append(v[0])
                    .append(',').append(v[1]).append(',').append(v[2]).append(',').append(v[3])
                    .append("],\"payload\":{\"n\":").append(id).append("}}");
            written.put(id, v);
        }
        return rest(node).ok("PUT", "/collections/" + COLLECTION + "/points?wait=" + wait, body.append("]}").toString())
                .get("status").asText();
    }

    private static long localSearches(RestClient rest) {
        for (String line : rest.send("GET", "/metrics", null).body().split("\n")) {
            if (line.startsWith("local_searches_total ")) {
                return Long.parseLong(line.substring("local_searches_total ".length()).trim());
            }
        }
        throw new AssertionError("no local_searches_total in /metrics");
    }

    /** Sum of the points of this node's own replicas, from {@code GET /collections/{c}/cluster}. */
    private static long localPoints(JsonNode clusterInfo) {
        long total = 0;
        for (JsonNode s : clusterInfo.get("local_shards")) {
            total += s.get("points_count").asLong();
        }
        return total;
    }

    private static boolean localStatesAre(JsonNode clusterInfo, String state) {
        JsonNode local = clusterInfo.get("local_shards");
        if (local.size() != SHARDS) {
            return false;
        }
        for (JsonNode s : local) {
            if (!s.get("state").asText().equals(state)) {
                return false;
            }
        }
        return true;
    }

    /** Exact search through a node equals brute force over every acknowledged point, for a few queries. */
    private void assertExactSearch(int node) {
        Random queries = new Random(5);
        for (int q = 0; q < 3; q++) {
            float[] query = {queries.nextFloat(), queries.nextFloat(), queries.nextFloat(), queries.nextFloat()};
            List<Integer> reference = RestApiTest.bruteForce(written, query, "Euclid", 7, false);
            JsonNode hits = rest(node).ok("POST", "/collections/" + COLLECTION + "/points/search",
                    "{\"vector\":[" + query[0] + "," + query[1] + "," + query[2] + "," + query[3]
                            + "],\"limit\":7,\"params\":{\"exact\":true}}");
            List<Integer> ids = new ArrayList<>();
            hits.forEach(h -> ids.add(h.get("id").asInt()));
            assertEquals(reference, ids, "exact search through node " + node);
        }
    }

    /** Every acknowledged point is retrievable through a node, with its payload. */
    private void assertAllPoints(int node) {
        StringBuilder ids = new StringBuilder("{\"ids\":[");
        written.keySet().stream().sorted().forEach(id -> ids.append(ids.length() > 8 ? "," : "").append(id));
        JsonNode got = rest(node).ok("POST", "/collections/" + COLLECTION + "/points", ids.append("]}").toString());
        assertEquals(written.size(), got.size(), "every acknowledged point through node " + node);
        for (JsonNode p : got) {
            assertEquals(p.get("id").asInt(), p.get("payload").get("n").asInt());
        }
        assertEquals(written.size(), rest(node).ok("POST", "/collections/" + COLLECTION + "/points/count",
                "{\"exact\":true}").get("count").asInt());
    }

    @Test
    void listenerStoresEverythingServesNoSearchAndRestoresTheCluster() throws Exception {
        start(0, false);
        start(1, false);
        start(2, true);
        JsonNode status = eventually(rest(2), "/cluster", s -> s.path("peers").size() == 3
                && !s.path("raft_info").path("leader").isNull(), "3 peers and a leader");
        assertEquals("Listener", status.get("node_type").asText());
        long listenerId = status.get("peer_id").asLong();
        assertEquals("Listener", status.get("peers").get(Long.toString(listenerId)).get("node_type").asText());
        long normal0 = rest(0).ok("GET", "/cluster", null).get("peer_id").asLong();
        assertEquals("Normal", status.get("peers").get(Long.toString(normal0)).get("node_type").asText());

        rest(0).ok("PUT", "/collections/" + COLLECTION, "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},"
                + "\"shard_number\":" + SHARDS + ",\"replication_factor\":3}");
        eventually(rest(2), "/collections/" + COLLECTION + "/cluster", c -> localStatesAre(c, "Listener"),
                "the Listener's replicas in state Listener");
        eventually(rest(0), "/collections/" + COLLECTION + "/cluster", c -> localStatesAre(c, "Active"),
                "the normal node's replicas Active");

        // Writes sent to every node reach the Listener; its replica acks at WAL, the Active replicas keep the
        // client's wait (the reply is the highest status, as Qdrant's merge of the replicas' results).
        assertEquals("completed", upsert(0, 1, 40, true));
        assertEquals("completed", upsert(1, 41, 80, true));
        assertEquals("completed", upsert(2, 81, 120, true), "through a Listener node the Active replicas still wait");
        assertEquals("acknowledged", upsert(2, 81, 120, false));
        eventually(rest(2), "/collections/" + COLLECTION + "/cluster", c -> localPoints(c) == 120,
                "all 120 points stored on the Listener");

        // Searches through any node, the Listener included, are exact and never run on the Listener.
        long before0 = localSearches(rest(0));
        long before1 = localSearches(rest(1));
        for (int node = 0; node < 3; node++) {
            assertExactSearch(node);
        }
        assertEquals(0, localSearches(rest(2)), "the Listener ran no search");
        assertTrue(localSearches(rest(0)) + localSearches(rest(1)) - before0 - before1 >= 9 * SHARDS,
                "the normal nodes ran the searches (one per shard each)");

        // A snapshot taken on the Listener holds its data: recovered into a standalone server, it serves it all.
        JsonNode snapshot = rest(2).ok("POST", "/collections/" + COLLECTION + "/snapshots?wait=true", null);
        String name = snapshot.get("name").asText();
        byte[] archive = download(nodes[2].port(), "/collections/" + COLLECTION + "/snapshots/" + name);
        assertEquals(snapshot.get("size").asLong(), archive.length);
        assertEquals(snapshot.get("checksum").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)));
        JsonNode shardSnapshot = rest(2).ok("POST", "/collections/" + COLLECTION + "/shards/1/snapshots", null);
        assertEquals(1, rest(2).ok("GET", "/collections/" + COLLECTION + "/shards/1/snapshots", null).size());
        assertTrue(shardSnapshot.get("size").asLong() > 0);
        nodes[3] = ServerProcess.start(dir.resolve("standalone.log"), Map.of(
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve("standalone").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("standalone-snap").toString()), List.of())
                .awaitReady(PATIENCE);
        RestClient standalone = new RestClient(nodes[3].port());
        standalone.ok("PUT", "/collections/restored/snapshots/recover", "{\"location\":\"http://127.0.0.1:"
                + nodes[2].port() + "/collections/" + COLLECTION + "/snapshots/" + name + "\",\"checksum\":\""
                + snapshot.get("checksum").asText() + "\"}");
        assertEquals(120, standalone.ok("POST", "/collections/restored/points/count", "{}").get("count").asInt(),
                "the Listener's snapshot holds every point");
        nodes[3].close();
        nodes[3] = null;

        // A write sent to the Listener is completed and survives SIGKILL of the Listener.
        assertEquals("completed", upsert(2, 121, 140, true));
        nodes[2].kill();
        start(2, true);
        eventually(rest(2), "/collections/" + COLLECTION + "/cluster",
                c -> localStatesAre(c, "Listener") && localPoints(c) == 140, "the restarted Listener holds 140 points");
        for (int node = 0; node < 3; node++) {
            assertAllPoints(node);
        }

        // Both normal nodes lose their data directories: their replicas are Dead, no search is served from them
        // (nor from the Listener), and replicate_shard from the Listener rebuilds them.
        long[] normalIds = {rest(0).ok("GET", "/cluster", null).get("peer_id").asLong(),
                rest(1).ok("GET", "/cluster", null).get("peer_id").asLong()};
        nodes[0].kill();
        nodes[1].kill();
        for (int i = 0; i < 2; i++) {
            deleteTree(dir.resolve("node" + i).resolve("replicas"));
        }
        start(0, false);
        start(1, false);
        eventually(rest(2), "/collections/" + COLLECTION + "/cluster", c -> {
            int dead = 0;
            for (JsonNode s : c.get("remote_shards")) {
                dead += s.get("state").asText().equals("Dead") ? 1 : 0;
            }
            return dead == 2 * SHARDS;
        }, "every replica of the normal nodes Dead after the loss of their data");
        String refused = rest(0).error(503, "POST", "/collections/" + COLLECTION + "/points/search",
                "{\"vector\":[0.5,0.5,0.5,0.5],\"limit\":3}");
        assertTrue(refused.contains("active replica"), refused);
        rest(2).error(503, "POST", "/collections/" + COLLECTION + "/points/search",
                "{\"vector\":[0.5,0.5,0.5,0.5],\"limit\":3}");
        assertEquals(0, localSearches(rest(2)), "the Listener was not promoted to serve searches");

        for (int shard = 0; shard < SHARDS; shard++) {
            rest(2).ok("POST", "/collections/" + COLLECTION + "/cluster", "{\"replicate_shard\":{\"shard_id\":"
                    + shard + ",\"from_peer_id\":" + listenerId + ",\"to_peer_id\":" + normalIds[0] + "}}");
        }
        eventually(rest(0), "/collections/" + COLLECTION + "/cluster", c -> localStatesAre(c, "Active"),
                "node 0 rebuilt from the Listener");
        eventually(rest(1), "/collections/" + COLLECTION + "/cluster", c -> localStatesAre(c, "Active")
                && localPoints(c) == 140, "node 1 recovered from node 0");
        assertEquals(140, localPoints(rest(0).ok("GET", "/collections/" + COLLECTION + "/cluster", null)));
        for (int node = 0; node < 3; node++) {
            assertAllPoints(node);
            assertExactSearch(node);
        }
        assertEquals(0, localSearches(rest(2)), "the Listener still ran no search");
    }

    private static byte[] download(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static void deleteTree(Path root) throws Exception {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
