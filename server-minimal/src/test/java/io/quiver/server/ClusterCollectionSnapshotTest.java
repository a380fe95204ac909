package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collection snapshots of a collection spread over a two-node cluster (real SOFAJRaft nodes in this JVM, HTTP over
 * 127.0.0.1): a node's snapshot holds the shards it stores; recovery with each {@code priority} restores its replicas
 * and brings the other replicas in line as Qdrant does; a fresh cluster is created from a snapshot; a damaged archive
 * or a wrong checksum changes nothing.
 */
class ClusterCollectionSnapshotTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String C = "snap";

    @TempDir
    Path dir;
    private final List<QuiverServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (QuiverServer s : servers) {
            s.close();
        }
    }

    /** Starts a two-node cluster under {@code dir/<prefix>0} and {@code dir/<prefix>1}; returns a client per node. */
    private List<RestClient> cluster(String prefix) throws Exception {
        int p2p0 = ServerProcess.freePort();
        int p2p1 = ServerProcess.freePort();
        servers.add(TestServers.startClusterNode(dir.resolve(prefix + "0"), p2p0, null));
        servers.add(TestServers.startClusterNode(dir.resolve(prefix + "1"), p2p1, p2p0));
        List<RestClient> clients = List.of(new RestClient(servers.get(servers.size() - 2).port()),
                new RestClient(servers.get(servers.size() - 1).port()));
        TestServers.awaitCluster(clients, 2);
        // ready: the start-up check of the local replicas has run (it would distrust replicas created before it)
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        for (RestClient client : clients) {
            while (client.send("GET", "/readyz", null).status() != 200) {
                assertTrue(System.nanoTime() < deadline, "a node not ready after " + PATIENCE);
                Thread.sleep(50);
            }
        }
        return clients;
    }

    private static void createCollection(List<RestClient> nodes, int shards, int replicationFactor)
            throws InterruptedException {
        assertTrue(nodes.get(0).ok("PUT", "/collections/" + C, "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},"
                + "\"shard_number\":" + shards + ",\"replication_factor\":" + replicationFactor + "}").asBoolean());
        for (RestClient node : nodes) {
            node.eventually("/collections/" + C + "/cluster", s -> allActive(s), "the collection on every node",
                    PATIENCE);
        }
    }

    /** Upserts points 0..n-1 with vector [i, 1] and payload {"n": i} (wait=true). */
    private static void upsert(RestClient node, int n) {
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < n; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                    .append(",1],\"payload\":{\"n\":").append(i).append("}}");
        }
        assertEquals("completed", node.ok("PUT", "/collections/" + C + "/points?wait=true",
                points.append("]}").toString()).get("status").asText());
    }

    /** Deletes the points with an even id (wait=true). */
    private static void deleteEven(RestClient node, int n) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < n; i += 2) {
            ids.append(i == 0 ? "" : ",").append(i);
        }
        node.ok("POST", "/collections/" + C + "/points/delete?wait=true", "{\"points\":[" + ids + "]}");
    }

    /** The ids every shard's readable replica answers (a scroll through {@code node}), each checked against its payload. */
    private static TreeSet<Integer> ids(RestClient node) {
        JsonNode page = node.ok("POST", "/collections/" + C + "/points/scroll",
                "{\"limit\":1000,\"with_payload\":true,\"with_vector\":true}");
        TreeSet<Integer> out = new TreeSet<>();
        for (JsonNode p : page.get("points")) {
            int id = p.get("id").asInt();
            assertEquals(id, p.at("/payload/n").asInt(), p::toString);
            assertEquals((float) id, (float) p.get("vector").get(0).asDouble(), p::toString);
            out.add(id);
        }
        return out;
    }

    private static TreeSet<Integer> range(int from, int to, int step) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int i = from; i < to; i += step) {
            out.add(i);
        }
        return out;
    }

    /** This node's replicas: shard id → [points_count, state]. */
    private static Map<Integer, List<String>> local(RestClient node) {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (JsonNode s : node.ok("GET", "/collections/" + C + "/cluster", null).get("local_shards")) {
            out.put(s.get("shard_id").asInt(), List.of(s.get("points_count").asText(), s.get("state").asText()));
        }
        return out;
    }

    private static boolean allActive(JsonNode clusterInfo) {
        for (String side : List.of("local_shards", "remote_shards")) {
            for (JsonNode s : clusterInfo.get(side)) {
                if (!s.get("state").asText().equals("Active")) {
                    return false;
                }
            }
        }
        return clusterInfo.get("shard_transfers").isEmpty();
    }

    /**
     * Waits until every replica of the collection is Active, no transfer runs, and each node's replicas hold
     * {@code points} points in all ({@code -1}: any number).
     */
    private static void awaitReplicas(List<RestClient> nodes, int points, String what) throws InterruptedException {
        for (RestClient node : nodes) {
            node.eventually("/collections/" + C + "/cluster", s -> {
                int held = 0;
                for (JsonNode l : s.get("local_shards")) {
                    held += l.get("points_count").asInt();
                }
                return allActive(s) && (points < 0 || held == points);
            }, what, PATIENCE);
        }
    }

    private static List<Integer> archiveShards(byte[] archive) throws Exception {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals("manifest.json")) {
                    List<Integer> out = new ArrayList<>();
                    RestClient.JSON.readTree(zip.readAllBytes()).get("shards")
                            .forEach(s -> out.add(s.get("shard_id").asInt()));
                    return out;
                }
            }
        }
        throw new AssertionError("no manifest in the archive");
    }

    private static byte[] download(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        return response.body();
    }

    /** A multipart/form-data POST of {@code archive} in the field {@code snapshot}. */
    private static RestClient.Reply upload(RestClient node, String path, byte[] archive) {
        String boundary = "----quiver-test-" + Long.toHexString(System.nanoTime());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; "
                + "filename=\"s.snapshot\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        body.writeBytes(archive);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return node.sendBytes("POST", path, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    private static String recoverBody(String location, String priorityOrNull) {
        return "{\"location\":\"" + location + "\"" + (priorityOrNull == null ? "" : ",\"priority\":\"" + priorityOrNull
                + "\"") + "}";
    }

    /**
     * Two shards, one replica each: every node's snapshot holds exactly the shard it stores; after deletes, each node
     * recovers its own snapshot (downloaded from itself over HTTP) and every point is back. List, download and delete
     * answer as standalone.
     */
    @Test
    void eachNodeSnapshotsItsShardsAndRecoversThem() throws Exception {
        List<RestClient> nodes = cluster("n");
        createCollection(nodes, 2, 1);
        upsert(nodes.get(0), 60);
        assertEquals(range(0, 60, 1), ids(nodes.get(1)));

        List<String> names = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            RestClient node = nodes.get(n);
            JsonNode created = node.ok("POST", "/collections/" + C + "/snapshots", null);
            String name = created.get("name").asText();
            names.add(name);
            JsonNode listed = node.ok("GET", "/collections/" + C + "/snapshots", null);
            assertEquals(1, listed.size(), listed::toString);
            assertEquals(name, listed.get(0).get("name").asText());
            byte[] archive = download(servers.get(n).port(), "/collections/" + C + "/snapshots/" + name);
            assertEquals(created.get("size").asLong(), archive.length);
            assertEquals(created.get("checksum").asText(), FullSnapshotRestTest.sha256(archive));
            assertEquals(List.copyOf(local(node).keySet()), archiveShards(archive),
                    "a node's snapshot holds the shards it stores, and only those");
        }

        deleteEven(nodes.get(1), 60);
        assertEquals(range(1, 60, 2), ids(nodes.get(0)));

        for (int n = 0; n < 2; n++) {
            String location = "http://127.0.0.1:" + servers.get(n).port() + "/collections/" + C + "/snapshots/"
                    + names.get(n);
            assertTrue(nodes.get(n).ok("PUT", "/collections/" + C + "/snapshots/recover",
                    recoverBody(location, null)).asBoolean());
        }
        for (RestClient node : nodes) {
            assertEquals(range(0, 60, 1), ids(node), "every deleted point is back");
        }
        awaitReplicas(nodes, -1, "each shard's only replica Active again");

        for (int n = 0; n < 2; n++) {
            assertTrue(nodes.get(n).ok("DELETE", "/collections/" + C + "/snapshots/" + names.get(n), null)
                    .asBoolean());
            assertEquals(0, nodes.get(n).ok("GET", "/collections/" + C + "/snapshots", null).size());
            nodes.get(n).error(404, "GET", "/collections/" + C + "/snapshots/" + names.get(n), null);
        }
    }

    /**
     * One shard on both nodes. {@code no_sync} restores node 0's replica alone; {@code replica} then re-syncs it from
     * node 1's (the deletes win); {@code snapshot} makes node 0's the truth and re-syncs node 1's from it.
     */
    @Test
    void priorityDecidesWhichReplicaWins() throws Exception {
        List<RestClient> nodes = cluster("n");
        createCollection(nodes, 1, 2);
        upsert(nodes.get(1), 40);
        String name = nodes.get(0).ok("POST", "/collections/" + C + "/snapshots", null).get("name").asText();
        Path archive = servers.get(0).config().snapshotsPath().resolve(C).resolve(name);
        assertTrue(Files.isRegularFile(archive), archive::toString);
        assertEquals(List.of(0), archiveShards(Files.readAllBytes(archive)));
        deleteEven(nodes.get(0), 40);
        awaitReplicas(nodes, 20, "both replicas with the deletes");

        assertTrue(nodes.get(0).ok("PUT", "/collections/" + C + "/snapshots/recover",
                recoverBody(archive.toUri().toString(), "no_sync")).asBoolean());
        assertEquals(Map.of(0, List.of("40", "Active")), local(nodes.get(0)), "no_sync: node 0 has the snapshot's data");
        assertEquals(Map.of(0, List.of("20", "Active")), local(nodes.get(1)), "no_sync: node 1 is left alone");

        assertTrue(nodes.get(0).ok("PUT", "/collections/" + C + "/snapshots/recover",
                recoverBody(archive.toUri().toString(), "replica")).asBoolean());
        awaitReplicas(nodes, 20, "replica: node 0 re-synced from node 1");
        for (RestClient node : nodes) {
            assertEquals(range(1, 40, 2), ids(node));
        }

        assertTrue(nodes.get(0).ok("PUT", "/collections/" + C + "/snapshots/recover",
                recoverBody(archive.toUri().toString(), "snapshot")).asBoolean());
        awaitReplicas(nodes, 40, "snapshot: node 1 re-synced from node 0");
        for (RestClient node : nodes) {
            assertEquals(range(0, 40, 1), ids(node));
            assertEquals(40, node.ok("POST", "/collections/" + C + "/points/count?consistency=all",
                    "{\"exact\":true}").get("count").asInt());
        }
    }

    /**
     * A snapshot of a two-node cluster recovered into a fresh cluster where the collection does not exist: uploaded
     * with {@code priority=snapshot}, it creates the collection through consensus with the snapshot's config, and
     * the other node's replicas are filled from the recovered ones.
     */
    @Test
    void recoverIntoAFreshCluster() throws Exception {
        List<RestClient> old = cluster("old");
        createCollection(old, 2, 2);
        upsert(old.get(0), 50);
        old.get(0).ok("PUT", "/collections/" + C + "/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
        String name = old.get(1).ok("POST", "/collections/" + C + "/snapshots", null).get("name").asText();
        byte[] archive = download(servers.get(1).port(), "/collections/" + C + "/snapshots/" + name);
        assertEquals(List.of(0, 1), archiveShards(archive));
        servers.remove(1).close();
        servers.remove(0).close();

        List<RestClient> fresh = cluster("fresh");
        fresh.get(1).error(404, "GET", "/collections/" + C, null);
        RestClient.Reply reply = upload(fresh.get(1), "/collections/" + C + "/snapshots/upload?priority=snapshot",
                archive);
        assertEquals(200, reply.status(), reply::toString);
        JsonNode info = fresh.get(0).ok("GET", "/collections/" + C, null);
        assertEquals(2, info.at("/config/params/shard_number").asInt(), info::toString);
        assertEquals(2, info.at("/config/params/replication_factor").asInt(), info::toString);
        awaitReplicas(fresh, 50, "both nodes hold every point");
        for (RestClient node : fresh) {
            assertEquals(range(0, 50, 1), ids(node));
            // the payload index came with the snapshot's config, on every replica (a range filter needs it)
            assertEquals(10, node.ok("POST", "/collections/" + C + "/points/count?consistency=all",
                    "{\"exact\":true,\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":10}}]}}")
                    .get("count").asInt());
        }
        for (int n = 0; n < 2; n++) {
            for (int shard = 0; shard < 2; shard++) {
                Path config = servers.get(n).config().storagePath().resolve("replicas").resolve("collections")
                        .resolve(C + "~" + shard).resolve("config.json");
                JsonNode schema = RestClient.JSON.readTree(config.toFile()).get("payload_schema");
                assertTrue(schema.has("n"), () -> config + ": " + schema);
            }
        }

        // A plain PUT recover through the other node into a second, missing collection, with the default priority:
        // the replicas the recovery just created hold nothing, so the snapshot's data wins there too.
        Path file = dir.resolve("copy.snapshot");
        Files.write(file, archive);
        assertTrue(fresh.get(0).ok("PUT", "/collections/copy/snapshots/recover",
                recoverBody(file.toUri().toString(), null)).asBoolean());
        for (RestClient node : fresh) {
            node.eventually("/collections/copy/cluster", ClusterCollectionSnapshotTest::allActive,
                    "copy's replicas Active", PATIENCE);
            assertEquals(50, node.ok("POST", "/collections/copy/points/count?consistency=all", "{\"exact\":true}")
                    .get("count").asInt());
        }
    }

    /**
     * A damaged archive, a checksum that does not match and a snapshot of another collection's shape are refused
     * (400) and change nothing: the points and replica states stay, and a missing collection is not created.
     */
    @Test
    void aBadArchiveChangesNothing() throws Exception {
        List<RestClient> nodes = cluster("n");
        createCollection(nodes, 2, 2);
        upsert(nodes.get(0), 30);
        String name = nodes.get(0).ok("POST", "/collections/" + C + "/snapshots", null).get("name").asText();
        byte[] archive = Files.readAllBytes(servers.get(0).config().snapshotsPath().resolve(C).resolve(name));
        deleteEven(nodes.get(0), 30);

        byte[] damaged = archive.clone();
        damaged[damaged.length / 2] ^= 0x5A;
        Path damagedFile = dir.resolve("damaged.snapshot");
        Files.write(damagedFile, damaged);
        Path goodFile = dir.resolve("good.snapshot");
        Files.write(goodFile, archive);

        nodes.get(0).error(400, "PUT", "/collections/" + C + "/snapshots/recover",
                recoverBody(damagedFile.toUri().toString(), "snapshot"));
        String mismatch = nodes.get(1).error(400, "PUT", "/collections/" + C + "/snapshots/recover",
                "{\"location\":\"" + goodFile.toUri() + "\",\"checksum\":\"" + "0".repeat(64) + "\"}");
        assertTrue(mismatch.contains("checksum"), mismatch);
        assertEquals(400, upload(nodes.get(1), "/collections/" + C + "/snapshots/upload?priority=snapshot", damaged)
                .status());
        // another shape: a collection of vectors of size 3
        nodes.get(0).ok("PUT", "/collections/other", "{\"vectors\":{\"size\":3,\"distance\":\"Dot\"},"
                + "\"shard_number\":2,\"replication_factor\":2}");
        nodes.get(0).error(400, "PUT", "/collections/other/snapshots/recover",
                recoverBody(goodFile.toUri().toString(), "snapshot"));

        // a shard recovery with the default priority (which would mark this replica Dead) checks the archive first
        nodes.get(1).error(400, "PUT", "/collections/" + C + "/shards/0/snapshots/recover",
                "{\"location\":\"" + damagedFile.toUri() + "\",\"checksum\":\"" + "0".repeat(64) + "\"}");
        nodes.get(1).error(400, "PUT", "/collections/" + C + "/shards/0/snapshots/recover",
                recoverBody(damagedFile.toUri().toString(), null));

        // into a collection that does not exist: refused before the collection is created
        nodes.get(1).error(400, "PUT", "/collections/missing/snapshots/recover",
                recoverBody(damagedFile.toUri().toString(), null));
        assertEquals(400, upload(nodes.get(0), "/collections/missing/snapshots/upload", damaged).status());

        for (RestClient node : nodes) {
            node.error(404, "GET", "/collections/missing", null);
            JsonNode cluster = node.ok("GET", "/collections/" + C + "/cluster", null);
            assertTrue(allActive(cluster), cluster::toString);
            assertEquals(range(1, 30, 2), ids(node), "the refused recoveries changed nothing");
            int localPoints = 0;
            for (List<String> replica : local(node).values()) {
                localPoints += Integer.parseInt(replica.get(0));
            }
            assertEquals(15, localPoints, "each node still holds the 15 points left, no more");
        }
    }
}
