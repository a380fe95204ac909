package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.quiver.engine.snapshot.SnapshotStore;
import io.quiver.hnsw.Distance;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots taken while writers keep upserting contain every write acknowledged before the snapshot began; they
 * recover into a new or an existing collection (from a file or from an HTTP URL on 127.0.0.1); a wrong checksum or a
 * corrupt archive is refused and leaves the existing collection untouched.
 */
class SnapshotTest {
    @TempDir
    Path storage;
    @TempDir
    Path snapshots;

    record Expected(float[] vector, ObjectNode payload) {}

    private static CollectionConfig smallSegments(int dim, int shards) {
        return CollectionConfig.of(dim, Distance.EUCLID).withShardNumber(shards).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(1)); // 32 vectors of 8 floats
    }

    @Test
    void snapshotDuringUpsertsRestoresEveryAcknowledgedPoint() throws Exception {
        long seed = TestSeeds.seed("SnapshotTest");
        Map<PointId, Expected> acked = new ConcurrentHashMap<>();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("live", smallSegments(8, 2));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(seed + writer);
                    for (int batch = 0; !stop.get() && batch < 400; batch++) {
                        List<Point> points = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            float[] v = new float[8];
                            for (int d = 0; d < 8; d++) {
                                v[d] = rnd.nextFloat();
                            }
                            ObjectNode p = JsonNodeFactory.instance.objectNode().put("w", writer).put("b", batch);
                            points.add(new Point(PointId.of(writer * 1_000_000L + batch * 10L + i), v, p));
                        }
                        c.upsert(points, batch % 2 == 0);
                        points.forEach(p -> acked.put(p.id(), new Expected(p.vector(), p.payload())));
                    }
                }));
            }
            while (acked.size() < 1500) {
                Thread.sleep(5);
            }
            Map<PointId, Expected> before = Map.copyOf(acked);
            SnapshotDescription snap = c.createSnapshot(snapshots);
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            System.out.println("snapshot " + snap.toJson() + " with " + before.size() + " points acknowledged before");
            assertTrue(snap.name().matches("live-\\d+-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d\\.snapshot"), snap.name());
            Path file = c.snapshotFile(snapshots, snap.name());
            assertEquals(SnapshotStore.sha256Hex(file), snap.checksum());
            assertEquals(snap.checksum(), Files.readString(file.resolveSibling(snap.name() + ".checksum")).trim());
            assertEquals(Files.size(file), snap.size());
            assertEquals(List.of(snap), c.listSnapshots(snapshots));

            try (var zip = new java.util.zip.ZipFile(file.toFile())) {
                System.out.println("WAL records after the checkpoints, per shard: " + new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(zip.getInputStream(zip.getEntry("manifest.json"))).get("shards").findValues("wal_records"));
            }
            q.recoverSnapshot("restored", file.toUri(), snap.checksum(), snapshots);
            Collection r = q.collection("restored");
            assertEquals(2, r.config().shardNumber());
            for (Map.Entry<PointId, Expected> e : before.entrySet()) {
                Record rec = r.retrieve(e.getKey());
                assertArrayEquals(e.getValue().vector(), rec.vectorOrNull(), "vector of " + e.getKey());
                assertEquals(e.getValue().payload(), rec.payloadOrNull(), "payload of " + e.getKey());
            }
            // whatever else it holds was written by the same writers (a later, consistent state)
            assertTrue(r.pointsCount() >= before.size() && r.pointsCount() <= acked.size(),
                    r.pointsCount() + " points");
            r.awaitIndexing();
            Map.Entry<PointId, Expected> any = before.entrySet().iterator().next();
            assertEquals(any.getKey(), r.search(SearchRequest.topK(any.getValue().vector(), 1)).getFirst().id());
        }
    }

    @Test
    void shardSnapshotRestoresOneShard() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("s", smallSegments(8, 2));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                points.add(new Point(PointId.of(i), new float[] {i, 0, 0, 0, 0, 0, 0, 1},
                        JsonNodeFactory.instance.objectNode().put("i", i)));
            }
            c.upsert(points, true);
            long inShard1 = c.shardPointsCount(1);
            SnapshotDescription snap = c.createShardSnapshot(snapshots, 1, true);
            assertEquals(List.of(snap), c.listShardSnapshots(snapshots, 1));
            Path file = c.shardSnapshotFile(snapshots, 1, snap.name());
            c.delete(PointsSelector.filter(io.quiver.engine.filter.FilterParser.parse(
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree("{}"))), true);
            assertEquals(0, c.pointsCount());

            assertThrows(BadRequestException.class, () -> q.recoverSnapshot("x", file.toUri(), null, snapshots),
                    "one shard of two is not a collection snapshot");
            assertTrue(q.findCollection("x").isEmpty());
            Collection other = q.createCollection("other", smallSegments(4, 1));
            assertThrows(BadRequestException.class, () -> other.recoverShardSnapshot(0, file.toUri(), null, snapshots));

            c.recoverShardSnapshot(1, file.toUri(), snap.checksum(), snapshots);
            assertEquals(inShard1, c.shardPointsCount(1));
            assertEquals(0, c.shardPointsCount(0));
            assertEquals(inShard1, c.pointsCount());
            c.upsert(List.of(new Point(PointId.of(1000), new float[8], null)), true); // the new shard takes writes
            assertEquals(inShard1 + 1, c.pointsCount());
            assertTrue(c.deleteShardSnapshot(snapshots, 1, snap.name()));
        }
    }

    @Test
    void recoverReplacesExistingDataAndRejectsBadArchives() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = numberedPoints(q, "a", 100);
            c.delete(PointsSelector.ids(PointId.of(5)), true);
            c.setPayload(PointsSelector.ids(PointId.of(6)), JsonNodeFactory.instance.objectNode().put("x", "y"), null,
                    true);
            SnapshotDescription first = c.createSnapshot(snapshots, false);
            SnapshotDescription second = c.createSnapshot(snapshots);
            assertFalse(first.name().equals(second.name()), "names are unique within one second");
            assertEquals(2, c.listSnapshots(snapshots).size());

            c.upsert(List.of(new Point(PointId.of(1000), new float[8], null),
                    new Point(PointId.of(1001), new float[8], null)), true);
            c.delete(PointsSelector.ids(PointId.of(7)), true);
            assertEquals(100, c.pointsCount());

            // a wrong checksum and a corrupt archive are refused; the collection is untouched
            Path file = c.snapshotFile(snapshots, second.name());
            assertThrows(BadRequestException.class, () -> q.recoverSnapshot("a", file.toUri(), "00ff", snapshots));
            byte[] bytes = Files.readAllBytes(file);
            Path corrupt = snapshots.resolve("corrupt.snapshot");
            bytes[bytes.length / 2] ^= 0x5A;
            Files.write(corrupt, bytes);
            assertThrows(BadRequestException.class, () -> q.recoverSnapshot("a", corrupt.toUri(), null, snapshots));
            Path truncated = snapshots.resolve("truncated.snapshot");
            Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) (second.size() * 2 / 3)));
            assertThrows(BadRequestException.class, () -> q.recoverSnapshot("a", truncated.toUri(), null, snapshots));
            assertEquals(100, q.collection("a").pointsCount());
            assertNotNull(q.collection("a").retrieve(List.of(PointId.of(1000)), WithPayload.ALL, false).getFirst());

            // recovery from http://127.0.0.1 replaces the data with the snapshot's
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", ex -> {
                byte[] body = Files.readAllBytes(file);
                ex.sendResponseHeaders(200, body.length);
                try (var out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            http.start();
            try {
                q.recoverSnapshot("a", java.net.URI.create("http://127.0.0.1:" + http.getAddress().getPort()
                        + "/" + second.name()), second.checksum(), snapshots);
            } finally {
                http.stop(0);
            }
            Collection a = q.collection("a");
            assertEquals(99, a.pointsCount());
            assertTrue(a.retrieve(List.of(PointId.of(1000), PointId.of(5)), WithPayload.ALL, false).isEmpty());
            assertEquals("y", a.retrieve(PointId.of(6)).payloadOrNull().get("x").asText());
            assertEquals(7f, a.retrieve(PointId.of(7)).vectorOrNull()[0]);
            assertEquals(99, a.info().toJson().at("/payload_schema/i/points").asLong());
            assertEquals(10, a.count(io.quiver.engine.filter.FilterParser.parse(new com.fasterxml.jackson.databind
                    .ObjectMapper().readTree("{\"must\":[{\"key\":\"i\",\"range\":{\"lt\":11}}]}"))));

            // the WAL-less snapshot restores the same state into a new collection
            q.recoverSnapshot("b", c.snapshotFile(snapshots, first.name()).toUri(), null, snapshots);
            assertEquals(99, q.collection("b").pointsCount());

            assertThrows(BadRequestException.class, () -> a.snapshotFile(snapshots, "../x.snapshot"));
            assertThrows(NotFoundException.class, () -> a.snapshotFile(snapshots, "none.snapshot"));
            assertTrue(a.deleteSnapshot(snapshots, first.name()));
            assertFalse(a.deleteSnapshot(snapshots, first.name()));
            assertFalse(Files.exists(snapshots.resolve("a").resolve(first.name() + ".checksum")));
        }
        try (Quiver q = Quiver.open(storage)) { // the recovered collections survive a reopen
            assertEquals(99, q.collection("a").pointsCount());
            assertEquals(99, q.collection("b").pointsCount());
        }
    }

    /**
     * A new one-shard collection of small segments holding points 0..count-1 (vector {@code [i, 1, .., 7]}, payload
     * {@code {"i": i}}) with an integer index on {@code i}.
     */
    @Test
    void recoverRefusesASnapshotWhoseVectorsOrShardsDifferAndKeepsTheCollection() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection euclid = numberedPoints(q, "a", 50);
            for (CollectionConfig other : List.of(CollectionConfig.of(8, Distance.DOT),
                    CollectionConfig.of(4, euclid.config().vectors().distance()),
                    euclid.config().withShardNumber(2))) {
                String name = "other-" + other.vectors().size() + other.vectors().distance() + other.shardNumber();
                Collection c = q.createCollection(name, other);
                Path file = c.snapshotFile(snapshots, c.createSnapshot(snapshots).name());
                BadRequestException e = assertThrows(BadRequestException.class,
                        () -> q.recoverSnapshot("a", file.toUri(), null, snapshots));
                assertTrue(e.getMessage().contains("Snapshot is not compatible with existing collection"),
                        e.getMessage());
            }
            assertEquals(euclid.config(), q.collection("a").config());
            assertEquals(50, q.collection("a").pointsCount());
            assertEquals(7, q.collection("a").retrieve(PointId.of(7)).payloadOrNull().get("i").asInt());
            BadRequestException missing = assertThrows(BadRequestException.class,
                    () -> q.recoverSnapshot("a", snapshots.resolve("nope.snapshot").toUri(), null, snapshots));
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        }
    }

    private static Collection numberedPoints(Quiver q, String name, int count) {
        Collection c = q.createCollection(name, smallSegments(8, 1));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            points.add(new Point(PointId.of(i), new float[] {i, 1, 2, 3, 4, 5, 6, 7},
                    JsonNodeFactory.instance.objectNode().put("i", i)));
        }
        c.upsert(points, true);
        c.createPayloadIndex("i", com.fasterxml.jackson.databind.node.TextNode.valueOf("integer"), true);
        return c;
    }

    /** A small collection's snapshot archive (two segments, a payload index, a WAL tail). */
    private Path smallArchive(Quiver q) {
        Collection c = numberedPoints(q, "small", 40);
        return c.snapshotFile(snapshots, c.createSnapshot(snapshots).name());
    }

    @Test
    void damageAtAnyByteOfAnArchiveIsRefusedWithoutAChecksum() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Path file = smallArchive(q);
            io.quiver.engine.snapshot.SnapshotArchive.extract(file, snapshots.resolve("intact"),
                    json -> io.quiver.wal.WalConfig.defaults()); // the intact archive extracts
            long size = Files.size(file);
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                for (long pos = 0; pos < size; pos++) { // also the ZIP headers and central directory, no CRC there
                    ch.read(one.clear(), pos);
                    byte original = one.get(0);
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (original ^ 0x20)}), pos);
                    long at = pos;
                    assertThrows(BadRequestException.class, () -> io.quiver.engine.snapshot.SnapshotArchive.extract(
                            file, snapshots.resolve("staging-" + at), json -> io.quiver.wal.WalConfig.defaults()),
                            () -> "byte " + at + " of " + size);
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {original}), pos);
                }
            }
        }
    }

    @Test
    void anArchiveOfTheFirstFormatWithoutItsChecksumTrailerIsStillRecovered() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Path file = smallArchive(q);
            Path old = rezip(file, snapshots.resolve("format-1.snapshot"), manifest -> {
                assertEquals(2, manifest.get("format_version").asInt());
                manifest.put("format_version", 1);
            });
            q.recoverSnapshot("old", old.toUri(), null, snapshots);
            assertEquals(40, q.collection("old").pointsCount());

            // the same without its trailer but claiming format 2 is refused
            Path stripped = rezip(file, snapshots.resolve("stripped.snapshot"), manifest -> { });
            assertThrows(BadRequestException.class, () -> q.recoverSnapshot("x", stripped.toUri(), null, snapshots));
        }
    }

    /**
     * Copies the entries of archive {@code from} into a new plain ZIP {@code to} (no checksum trailer), the manifest
     * changed by {@code editManifest}.
     */
    private static Path rezip(Path from, Path to, java.util.function.Consumer<ObjectNode> editManifest)
            throws java.io.IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(from));
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            java.util.zip.ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals("manifest.json")) {
                    ObjectNode manifest = (ObjectNode) mapper.readTree(bytes);
                    editManifest.accept(manifest);
                    bytes = mapper.writeValueAsBytes(manifest);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return to;
    }
}
