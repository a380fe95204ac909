package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restoring a full storage snapshot as Qdrant does, by starting a new server process with
 * {@code --storage-snapshot <archive>}: a snapshot taken while writes go on brings back every collection (points,
 * payloads, vectors, payload indexes, config) and the aliases as they were when it was taken; a missing or corrupt
 * archive, or one whose collections exist, stops the start with one clear line unless {@code --force-snapshot}.
 */
class FullSnapshotRecoveryTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final String SCROLL_ALL = "{\"limit\":10000,\"with_payload\":true,\"with_vector\":true}";

    @TempDir
    Path dir;

    @Test
    void aSnapshotTakenWhileWritesGoOnRestoresEveryCollectionAndAliasIntoAnEmptyStorage() throws Exception {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("FullSnapshotRecoveryTest seed: -Dquiver.seed=" + seed);
        Random random = new Random(seed);
        Path archive = dir.resolve("full.snapshot");
        Map<String, JsonNode> expected = new TreeMap<>();
        JsonNode expectedAliases;
        int before;
        int after;
        try (QuiverServer source = TestServers.start(dir.resolve("source"))) {
            RestClient rest = new RestClient(source.port());
            rest.ok("PUT", "/collections/cities", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"shard_number\":2}");
            fill(rest, "cities", 4, 300, random);
            rest.ok("PUT", "/collections/cities/index?wait=true", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");
            rest.ok("PUT", "/collections/cities/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
            rest.ok("POST", "/collections/cities/points/delete?wait=true", "{\"points\":[3,5,8,13]}");
            rest.ok("POST", "/collections/cities/points/payload?wait=true",
                    "{\"payload\":{\"extra\":{\"nested\":[1,2]}},\"points\":[1,2]}");
            rest.ok("PUT", "/collections/plain", "{\"vectors\":{\"size\":3,\"distance\":\"Euclid\"}}");
            fill(rest, "plain", 3, 50, random);
            rest.ok("PUT", "/collections/busy", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
            rest.ok("POST", "/collections/aliases", "{\"actions\":["
                    + "{\"create_alias\":{\"collection_name\":\"cities\",\"alias_name\":\"towns\"}},"
                    + "{\"create_alias\":{\"collection_name\":\"cities\",\"alias_name\":\"places\"}},"
                    + "{\"create_alias\":{\"collection_name\":\"busy\",\"alias_name\":\"hot\"}}]}");
            for (String c : List.of("cities", "plain")) {
                expected.put(c, state(rest, c));
            }
            expectedAliases = rest.ok("GET", "/aliases", null);

            // one writer upserts points 0, 1, 2, ... into "busy", each waited for, through the snapshot
            AtomicInteger acked = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("busy-writer").start(() -> {
                RestClient w = new RestClient(source.port());
                try {
                    for (int i = 0; !stop.get() && i < 100_000; i++) {
                        w.ok("PUT", "/collections/busy/points?wait=true", "{\"points\":[{\"id\":" + i
                                + ",\"vector\":[" + i + "," + (i + 1) + "],\"payload\":{\"i\":" + i + "}}]}");
                        acked.set(i + 1);
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            try {
                awaitAtLeast(acked, 50, failed);
                before = acked.get();
                JsonNode created = rest.ok("POST", "/snapshots?wait=true", null);
                after = acked.get();
                awaitAtLeast(acked, after + 30, failed); // writes after the snapshot, which it must not hold
                stop.set(true);
                writer.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(failed.get() == null, () -> "writer failed: " + failed.get());

                // changes after the snapshot, which the restored storage must not show
                rest.ok("POST", "/collections/cities/points/delete?wait=true", "{\"points\":[1,2,100]}");
                rest.ok("POST", "/collections/aliases", "{\"actions\":[{\"delete_alias\":{\"alias_name\":\"places\"}}]}");
                rest.ok("PUT", "/collections/late", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");

                String name = created.get("name").asText();
                HttpResponse<Path> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + source.port() + "/snapshots/" + name)).timeout(Duration.ofSeconds(60))
                        .build(), HttpResponse.BodyHandlers.ofFile(archive));
                assertEquals(200, download.statusCode());
                assertEquals(created.get("checksum").asText(),
                        FullSnapshotRestTest.sha256(Files.readAllBytes(archive)));
            } finally {
                stop.set(true);
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        Map<String, String> env = Map.of(
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve("restored").resolve("storage").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("restored").resolve("snapshots").toString());
        try (ServerProcess restored = ServerProcess.start(dir.resolve("restored.log"), env,
                List.of("--storage-snapshot", archive.toString()))) {
            restored.awaitReady(START);
            RestClient rest = new RestClient(restored.port());
            List<String> names = new ArrayList<>();
            rest.ok("GET", "/collections", null).get("collections").forEach(c -> names.add(c.get("name").asText()));
            assertEquals(List.of("busy", "cities", "plain"), names.stream().sorted().toList());
            for (var e : expected.entrySet()) {
                assertEquals(e.getValue(), state(rest, e.getKey()), "collection " + e.getKey() + " as at snapshot time");
            }
            assertEquals(expectedAliases, rest.ok("GET", "/aliases", null));
            assertEquals(1, rest.ok("POST", "/collections/towns/points/count", "{\"filter\":{\"must\":["
                    + "{\"key\":\"city\",\"match\":{\"value\":\"c7\"}},{\"key\":\"n\",\"match\":{\"value\":7}}]}}")
                    .get("count").asInt(), "the payload indexes answer filters");

            // "busy" holds a prefix of the writes: all acknowledged before the snapshot began, none made after it ended
            JsonNode points = rest.ok("POST", "/collections/hot/points/scroll", SCROLL_ALL).get("points");
            int k = points.size();
            int lower = before;
            int upper = after + 1; // the one write in flight when the snapshot answered may be in it
            assertTrue(k >= lower && k <= upper, () -> k + " points, expected " + lower + ".." + upper);
            for (int i = 0; i < k; i++) {
                JsonNode p = points.get(i);
                assertEquals(i, p.get("id").asInt(), p::toString);
                assertEquals("{\"i\":" + i + "}", p.get("payload").toString());
                assertEquals("[" + (float) i + "," + (float) (i + 1) + "]", p.get("vector").toString());
            }
            assertTrue(restored.log().contains("restored collections [busy, cities, plain]"), restored::log);
        }
    }

    @Test
    void aMissingOrCorruptArchiveStopsTheStartWithOneLine() throws Exception {
        Path missing = dir.resolve("nowhere").resolve("full-snapshot-2024-01-01-00-00-00.snapshot");
        assertStartFails("missing", List.of("--storage-snapshot", missing.toString()), 1,
                "quiver: cannot start: cannot restore the storage snapshot " + missing + ": " + missing
                        + " does not exist or is not a file");
        Path garbage = dir.resolve("garbage.snapshot");
        Files.writeString(garbage, "not an archive");
        assertStartFails("garbage", List.of("--storage-snapshot", garbage.toString()), 1,
                "quiver: cannot start: cannot restore the storage snapshot " + garbage
                        + ": the storage snapshot is corrupt: no config.json");
        assertStartFails("cluster", List.of("--storage-snapshot", garbage.toString()), 2,
                "quiver: invalid configuration: --storage-snapshot restores a standalone node's storage",
                "QUIVER__CLUSTER__ENABLED", "true");
        assertTrue(!Files.exists(dir.resolve("missing").resolve("storage").resolve("collections"))
                || isEmpty(dir.resolve("missing").resolve("storage").resolve("collections")));
    }

    @Test
    void existingCollectionsAreReplacedOnlyWithForceSnapshot() throws Exception {
        Path storageDir = dir.resolve("node");
        Path archive = dir.resolve("three.snapshot");
        try (QuiverServer server = TestServers.start(storageDir)) {
            RestClient rest = new RestClient(server.port());
            rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
            rest.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0]},"
                    + "{\"id\":2,\"vector\":[0,1]},{\"id\":3,\"vector\":[1,1]}]}");
            rest.ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":"
                    + "{\"collection_name\":\"c\",\"alias_name\":\"ca\"}}]}");
            String name = rest.ok("POST", "/snapshots", null).get("name").asText();
            Files.copy(storageDir.resolve("snapshots").resolve(name), archive);
            // after the snapshot: other points, another config, and the alias moved elsewhere
            rest.ok("DELETE", "/collections/c", null);
            rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":5,\"distance\":\"Euclid\"}}");
            rest.ok("PUT", "/collections/d", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
            rest.ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":"
                    + "{\"collection_name\":\"d\",\"alias_name\":\"ca\"}}]}");
        }
        List<String> args = List.of("--storage-snapshot", archive.toString());
        Map<String, String> env = Map.of(
                "QUIVER__STORAGE__STORAGE_PATH", storageDir.resolve("storage").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", storageDir.resolve("snapshots").toString());
        try (ServerProcess refused = ServerProcess.start(dir.resolve("refused.log"), env, args)) {
            assertTrue(refused.process().waitFor(60, TimeUnit.SECONDS), refused::log);
            assertEquals(1, refused.process().exitValue(), refused::log);
            assertTrue(refused.log().contains("quiver: cannot start: cannot restore the storage snapshot " + archive
                    + ": Collection c already exists. Use --force-snapshot to overwrite it."), refused::log);
        }
        try (ServerProcess forced = ServerProcess.start(dir.resolve("forced.log"), env,
                List.of("--storage-snapshot", archive.toString(), "--force-snapshot"))) {
            forced.awaitReady(START);
            RestClient rest = new RestClient(forced.port());
            JsonNode info = rest.ok("GET", "/collections/c", null);
            assertEquals(2, info.at("/config/params/vectors/size").asInt(), info::toString);
            assertEquals(3, rest.ok("POST", "/collections/ca/points/count", "{}").get("count").asInt(),
                    "the alias points to the restored collection again");
            assertTrue(rest.ok("GET", "/collections/d/exists", null).get("exists").asBoolean(),
                    "a collection the snapshot does not hold is left alone");
        }
    }

    private void assertStartFails(String name, List<String> args, int exit, String line, String... env)
            throws Exception {
        Map<String, String> vars = new java.util.HashMap<>(Map.of(
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve(name).resolve("storage").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve(name).resolve("snapshots").toString()));
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        try (ServerProcess server = ServerProcess.start(dir.resolve(name + ".log"), vars, args)) {
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server::log);
            assertEquals(exit, server.process().exitValue(), server::log);
            List<String> lines = server.log().lines().filter(l -> l.startsWith("quiver: ")).toList();
            assertEquals(1, lines.size(), server::log);
            assertTrue(lines.get(0).startsWith(line), () -> "expected " + line + "\n" + server.log());
            assertTrue(server.log().lines().noneMatch(l -> l.contains("\tat ")), () -> "no stack trace:\n" + server.log());
        }
    }

    /** Points {@code 0..count-1} with random vectors and payloads {@code city}, {@code n}, {@code tags}. */
    private static void fill(RestClient rest, String collection, int dim, int count, Random random) {
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[");
            for (int d = 0; d < dim; d++) {
                body.append(d == 0 ? "" : ",").append(random.nextFloat() * 2 - 1);
            }
            body.append("],\"payload\":{\"city\":\"c").append(i % 10).append("\",\"n\":").append(i)
                    .append(",\"tags\":[\"t").append(random.nextInt(5)).append("\"]}}");
        }
        rest.ok("PUT", "/collections/" + collection + "/points?wait=true", body.append("]}").toString());
    }

    /** What must survive: every point with payload and vector, the config's params and the payload schema. */
    private static JsonNode state(RestClient rest, String collection) {
        var out = RestClient.JSON.createObjectNode();
        JsonNode scroll = rest.ok("POST", "/collections/" + collection + "/points/scroll", SCROLL_ALL);
        assertTrue(scroll.get("next_page_offset").isNull(), "one page holds every point");
        out.set("points", scroll.get("points"));
        JsonNode info = rest.ok("GET", "/collections/" + collection, null);
        out.set("params", info.at("/config/params"));
        out.set("payload_schema", info.get("payload_schema"));
        out.set("points_count", info.get("points_count"));
        return out;
    }

    private static void awaitAtLeast(AtomicInteger acked, int n, AtomicReference<Throwable> failed)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.get() < n && failed.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(failed.get() == null, () -> "writer failed: " + failed.get());
        assertTrue(acked.get() >= n, () -> "only " + acked.get() + " writes within 60 s, waited for " + n);
    }

    private static boolean isEmpty(Path directory) throws Exception {
        try (var children = Files.list(directory)) {
            return children.findAny().isEmpty();
        }
    }
}
