package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point writes and reads through the embedded API, for integer and UUID ids. */
class PointOperationsTest {
    @TempDir
    Path storage;

    private static IntFunction<PointId> ids(boolean uuid) {
        return i -> uuid ? PointId.of(new UUID(0x1234L, i)) : PointId.of(i);
    }

    @ParameterizedTest(name = "uuid ids: {0}")
    @ValueSource(booleans = {false, true})
    void upsertOverwriteDeleteRetrieveScrollCount(boolean uuid) {
        IntFunction<PointId> id = ids(uuid);
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("points", CollectionConfig.of(4, Distance.DOT));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                points.add(new Point(id.apply(i), new float[] {i, 1, 2, 3}, TestJson.object("{\"n\":" + i + "}")));
            }
            UpdateResult r = c.upsert(points, true);
            assertEquals(UpdateStatus.COMPLETED, r.status());
            assertEquals(10, c.count(null));

            // overwrite point 3: vector and payload replaced, payload null -> {}
            UpdateResult r2 = c.upsert(List.of(new Point(id.apply(3), new float[] {9, 9, 9, 9}, null)), false);
            assertEquals(UpdateStatus.ACKNOWLEDGED, r2.status());
            assertTrue(r2.operationId() > r.operationId());
            Record p3 = c.retrieve(id.apply(3));
            assertArrayEquals(new float[] {9, 9, 9, 9}, p3.vectorOrNull());
            assertEquals(TestJson.object("{}"), p3.payloadOrNull());
            assertEquals(10, c.count(null));

            // delete, missing ids ignored
            c.delete(PointsSelector.ids(id.apply(4), id.apply(77)), true);
            assertEquals(9, c.count(null));
            assertThrows(NotFoundException.class, () -> c.retrieve(id.apply(4)));

            // retrieve: request order, missing skipped, payload/vector on request
            List<Record> got = c.retrieve(List.of(id.apply(7), id.apply(4), id.apply(1)), WithPayload.ALL, false);
            assertEquals(List.of(id.apply(7), id.apply(1)), got.stream().map(Record::id).toList());
            assertEquals(TestJson.object("{\"n\":7}"), got.get(0).payloadOrNull());
            assertNull(got.get(0).vectorOrNull());

            // scroll in id order with next_page_offset
            ScrollResult page1 = c.scroll(new ScrollRequest(null, 4, null, WithPayload.NONE, false));
            assertEquals(List.of(id.apply(0), id.apply(1), id.apply(2), id.apply(3)),
                    page1.points().stream().map(Record::id).toList());
            assertEquals(id.apply(5), page1.nextPageOffsetOrNull());
            ScrollResult page2 = c.scroll(new ScrollRequest(page1.nextPageOffsetOrNull(), 4, null, WithPayload.ALL,
                    true));
            assertEquals(List.of(id.apply(5), id.apply(6), id.apply(7), id.apply(8)),
                    page2.points().stream().map(Record::id).toList());
            assertArrayEquals(new float[] {5, 1, 2, 3}, page2.points().get(0).vectorOrNull());
            ScrollResult page3 = c.scroll(new ScrollRequest(page2.nextPageOffsetOrNull(), 4, null, WithPayload.ALL,
                    false));
            assertEquals(List.of(id.apply(9)), page3.points().stream().map(Record::id).toList());
            assertNull(page3.nextPageOffsetOrNull());
        }
    }

    @ParameterizedTest(name = "uuid ids: {0}")
    @ValueSource(booleans = {false, true})
    void payloadSetOverwriteDeleteKeysClear(boolean uuid) {
        IntFunction<PointId> id = ids(uuid);
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("payloads", CollectionConfig.of(2, Distance.EUCLID));
            c.upsert(List.of(new Point(id.apply(1), new float[] {1, 0}, TestJson.object("{\"a\":1,\"b\":{\"c\":2}}")),
                    new Point(id.apply(2), new float[] {0, 1}, TestJson.object("{\"a\":5}"))), true);

            c.setPayload(PointsSelector.ids(id.apply(1)), TestJson.object("{\"x\":\"y\",\"a\":10}"), null, true);
            assertEquals(TestJson.object("{\"a\":10,\"b\":{\"c\":2},\"x\":\"y\"}"), c.retrieve(id.apply(1)).payloadOrNull());

            c.setPayload(PointsSelector.ids(id.apply(1)), TestJson.object("{\"d\":3}"), "b", true);
            assertEquals(TestJson.object("{\"a\":10,\"b\":{\"c\":2,\"d\":3},\"x\":\"y\"}"),
                    c.retrieve(id.apply(1)).payloadOrNull());

            c.deletePayloadKeys(PointsSelector.ids(id.apply(1)), List.of("x", "b.c"), true);
            assertEquals(TestJson.object("{\"a\":10,\"b\":{\"d\":3}}"), c.retrieve(id.apply(1)).payloadOrNull());

            c.overwritePayload(PointsSelector.ids(id.apply(1)), TestJson.object("{\"only\":true}"), true);
            assertEquals(TestJson.object("{\"only\":true}"), c.retrieve(id.apply(1)).payloadOrNull());

            c.clearPayload(PointsSelector.ids(id.apply(1)), true);
            assertEquals(TestJson.object("{}"), c.retrieve(id.apply(1)).payloadOrNull());
            assertEquals(TestJson.object("{\"a\":5}"), c.retrieve(id.apply(2)).payloadOrNull());

            NotFoundException e = assertThrows(NotFoundException.class,
                    () -> c.setPayload(PointsSelector.ids(id.apply(99)), TestJson.object("{\"a\":1}"), null, true));
            assertEquals("Not found: No point with id " + id.apply(99) + " found", e.getMessage());
            // the vector is untouched by payload operations
            assertArrayEquals(new float[] {1, 0}, c.retrieve(id.apply(1)).vectorOrNull());
        }
    }

    @ParameterizedTest(name = "uuid ids: {0}")
    @ValueSource(booleans = {false, true})
    void everythingSurvivesReopen(boolean uuid) {
        IntFunction<PointId> id = ids(uuid);
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("persist", CollectionConfig.of(3, Distance.COSINE));
            for (int i = 0; i < 50; i++) {
                c.upsert(List.of(new Point(id.apply(i), new float[] {i + 1, 2, 0}, TestJson.object("{\"i\":" + i + "}"))),
                        i % 2 == 0);
            }
            c.delete(PointsSelector.ids(id.apply(10), id.apply(11)), true);
            c.setPayload(PointsSelector.ids(id.apply(12)), TestJson.object("{\"z\":1}"), null, true);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("persist");
            assertEquals(48, c.count(null));
            assertEquals(List.of(), c.retrieve(List.of(id.apply(10), id.apply(11)), WithPayload.ALL, true));
            assertEquals(TestJson.object("{\"i\":12,\"z\":1}"), c.retrieve(id.apply(12)).payloadOrNull());
            float[] v = c.retrieve(id.apply(0)).vectorOrNull();
            assertEquals(1.0, Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), 1e-6, "cosine vectors are unit");
        }
    }

    @ParameterizedTest(name = "uuid ids: {0}")
    @ValueSource(booleans = {false, true})
    void walReplayWithoutCheckpointKeepsDeletes(boolean uuid) {
        // a long flush interval: nothing is checkpointed before close; close checkpoints; delete the checkpoint's
        // effect is checked by reopening twice
        IntFunction<PointId> id = ids(uuid);
        EngineOptions opts = EngineOptions.defaults().withFlushInterval(java.time.Duration.ofHours(1));
        try (Quiver q = Quiver.open(storage, opts)) {
            Collection c = q.createCollection("replay", CollectionConfig.of(2, Distance.MANHATTAN));
            c.upsert(List.of(new Point(id.apply(1), new float[] {1, 1}), new Point(id.apply(2), new float[] {2, 2})),
                    true);
            c.flush();
            c.delete(PointsSelector.ids(id.apply(1)), true);
            c.upsert(List.of(new Point(id.apply(3), new float[] {3, 3})), true);
        }
        for (int round = 0; round < 2; round++) {
            try (Quiver q = Quiver.open(storage, opts)) {
                Collection c = q.collection("replay");
                assertEquals(List.of(id.apply(2), id.apply(3)),
                        c.scroll(ScrollRequest.firstPage(10)).points().stream().map(Record::id).toList());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void typedErrors() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("errors", CollectionConfig.of(3, Distance.DOT));
            BadRequestException dim = assertThrows(BadRequestException.class,
                    () -> c.upsert(List.of(new Point(PointId.of(1), new float[] {1, 2})), true));
            assertEquals("Wrong input: Vector dimension error: expected dim: 3, got 2", dim.getMessage());
            assertThrows(BadRequestException.class,
                    () -> c.upsert(List.of(new Point(PointId.of(1), new float[] {1, Float.NaN, 2})), true));
            assertThrows(AlreadyExistsException.class,
                    () -> q.createCollection("errors", CollectionConfig.of(3, Distance.DOT)));
            NotFoundException nf = assertThrows(NotFoundException.class, () -> q.collection("nope"));
            assertEquals("Not found: Collection `nope` doesn't exist!", nf.getMessage());
            assertTrue(q.deleteCollection("errors"));
            assertEquals(false, q.deleteCollection("errors"));
            assertEquals(List.of(), q.collectionNames());
        }
    }
}
