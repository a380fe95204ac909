package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collection's operation ids (Qdrant's {@code operation_id}, per collection in Quiver): taken only by operations
 * that reach a WAL, one per payload index operation, never going backwards across reopens (checkpoints and WAL
 * truncation included), and equal to the version of the points the operation wrote. Runs on the test thread; each
 * test owns its storage directory.
 */
class OperationIdsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    private static CollectionConfig config(int shards, int walCapacityMb) throws Exception {
        return CollectionConfig.fromCreateRequest(JSON.readTree("{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},"
                + "\"shard_number\":" + shards + ",\"wal_config\":{\"wal_capacity_mb\":" + walCapacityMb + "}}"), null);
    }

    private static Point point(long id, float x) {
        ObjectNode payload = JSON.createObjectNode().put("n", id);
        return new Point(PointId.of(id), new float[] {x, id, 1, 0}, payload);
    }

    /** Every point's version, as search reports it. */
    private static Map<PointId, Long> versions(Collection c) {
        Map<PointId, Long> out = new HashMap<>();
        int n = (int) Math.max(1, c.count(null));
        for (ScoredPoint p : c.search(SearchRequest.topK(new float[] {0, 0, 0, 0}, n).withExact(true))) {
            out.put(p.id(), p.version());
        }
        return out;
    }

    @Test
    void failedWritesTakeNoOperationId() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("ids", config(1, 1));
            long first = c.upsert(List.of(point(1, 0)), true).operationId();
            // checked by the shard's update worker, before its WAL append
            assertThrows(NotFoundException.class, () -> c.setPayload(PointsSelector.ids(PointId.of(404)),
                    JSON.createObjectNode().put("a", 1), null, true));
            assertThrows(NotFoundException.class, () -> c.clearPayload(PointsSelector.ids(PointId.of(404)), false));
            // larger than a 1 MB WAL segment
            ObjectNode big = JSON.createObjectNode().put("s", "x".repeat(1_200_000));
            assertThrows(BadRequestException.class, () -> c.upsert(
                    List.of(new Point(PointId.of(2), new float[] {1, 2, 3, 4}, big)), false));
            // checked before anything is submitted
            assertThrows(BadRequestException.class, () -> c.upsert(
                    List.of(new Point(PointId.of(3), new float[] {1, 2, 3}, null)), true));
            assertThrows(BadRequestException.class, () -> c.setPayload(PointsSelector.ids(PointId.of(1)), null,
                    null, true));
            long next = c.upsert(List.of(point(4, 0)), true).operationId();
            assertEquals(first + 1, next, "the failed writes took no operation id");
        }
    }

    @Test
    void payloadIndexOperationsTakeTheirOwnIds() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("ids", config(1, 32));
            long upsert = c.upsert(List.of(point(1, 0)), true).operationId();
            long create = c.createPayloadIndex("n", JSON.getNodeFactory().textNode("integer"), true).operationId();
            long drop = c.deletePayloadIndex("n", false).operationId();
            long after = c.upsert(List.of(point(2, 0)), true).operationId();
            assertEquals(List.of(upsert + 1, upsert + 2, upsert + 3), List.of(create, drop, after));
        }
        try (Quiver q = Quiver.open(storage)) { // the last id was an index operation: it survives the checkpoint
            Collection c = q.collection("ids");
            long drop = c.deletePayloadIndex("n", true).operationId();
            assertEquals(5, drop);
        }
    }

    @Test
    void idsNeverGoBackAcrossReopens() throws Exception {
        long seed = TestSeeds.seed("OperationIdsTest.idsNeverGoBackAcrossReopens");
        Random rnd = new Random(seed);
        long last = 0;
        EngineOptions options = EngineOptions.defaults().withFlushInterval(Duration.ofMillis(20));
        for (int round = 0; round < 4; round++) {
            try (Quiver q = Quiver.open(storage, options)) {
                Collection c = round == 0 ? q.createCollection("ids", config(3, 1)) : q.collection("ids");
                for (int i = 0; i < 60; i++) {
                    long id;
                    switch (rnd.nextInt(6)) {
                        case 0, 1 -> id = c.upsert(List.of(point(rnd.nextInt(50), rnd.nextFloat())),
                                rnd.nextBoolean()).operationId();
                        case 2 -> id = c.delete(PointsSelector.ids(PointId.of(1000 + rnd.nextInt(50))), false)
                                .operationId(); // missing ids: still an operation in the WAL
                        case 3 -> id = c.delete(PointsSelector.filter(FilterParser.parse(JSON.readTree(
                                "{\"must\":[{\"key\":\"n\",\"match\":{\"value\":" + rnd.nextInt(50) + "}}]}"))),
                                false).operationId();
                        case 4 -> id = c.createPayloadIndex("n", JSON.getNodeFactory().textNode("integer"), false)
                                .operationId();
                        default -> {
                            try {
                                id = c.setPayload(PointsSelector.ids(PointId.of(2000)),
                                        JSON.createObjectNode().put("a", 1), null, false).operationId();
                            } catch (NotFoundException e) {
                                continue; // takes no id
                            }
                        }
                    }
                    assertTrue(id > last, "round " + round + ": operation id " + id + " after " + last);
                    last = id;
                    if (rnd.nextInt(10) == 0) {
                        c.flush(); // checkpoint: the WAL before it is truncated
                    }
                }
            }
        }
        try (Quiver q = Quiver.open(storage)) {
            long id = q.collection("ids").upsert(List.of(point(7, 0)), true).operationId();
            assertTrue(id > last, id + " after " + last);
        }
    }

    @Test
    void aPointsVersionIsTheIdOfTheOperationThatWroteIt() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection one = q.createCollection("one", config(1, 32));
            long a = one.upsert(List.of(point(1, 0), point(2, 0)), true).operationId();
            long b = one.setPayload(PointsSelector.ids(PointId.of(2)), JSON.createObjectNode().put("x", 1), null,
                    true).operationId();
            assertEquals(Map.of(PointId.of(1), a, PointId.of(2), b), versions(one));

            Collection three = q.createCollection("three", config(3, 32));
            List<Point> batch = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                batch.add(point(i, 0));
            }
            long before = three.upsert(List.of(point(100, 0)), true).operationId();
            long batchId = three.upsert(batch, true).operationId();
            Map<PointId, Long> v = versions(three);
            assertEquals(before, v.get(PointId.of(100)), "a single-point write: its version is the operation id");
            long max = 0;
            for (int i = 0; i < 30; i++) {
                long version = v.get(PointId.of(i));
                assertTrue(version > before && version <= batchId, "version " + version + " of point " + i
                        + " is the id of its shard's part of operation " + batchId);
                max = Math.max(max, version);
            }
            assertEquals(batchId, max, "the operation answers the largest id of its parts");
            long again = three.upsert(List.of(point(5, 1)), true).operationId();
            assertEquals(again, versions(three).get(PointId.of(5)));
            assertTrue(again > batchId);
        }
        try (Quiver q = Quiver.open(storage)) { // versions are recovered, and later writes are higher still
            Collection three = q.collection("three");
            long v5 = versions(three).get(PointId.of(5));
            long next = three.upsert(List.of(point(5, 2)), false).operationId();
            assertTrue(next > v5);
            assertEquals(next, versions(three).get(PointId.of(5)));
            assertEquals(Distance.EUCLID, three.config().vectors().distance());
        }
    }
}
