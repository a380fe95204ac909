package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qdrant's UpdateVectors and DeleteVectors through the embedded API: an update replaces only the vector; a point
 * whose vector was deleted keeps its payload, is retrieved, scrolled and counted, but no search finds it; rejected
 * requests change nothing and take no operation id; the changes survive checkpoints, seals and index builds, a clean
 * reopen, and a SIGKILL (replayed from the WAL).
 */
class VectorOperationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path storage;

    private static Filter filter(String s) {
        return FilterParser.parse(TestJson.object(s));
    }

    private static List<PointId> hitIds(List<ScoredPoint> hits) {
        return hits.stream().map(ScoredPoint::id).toList();
    }

    /** Upserts points 1..n with vector {i, 0, 0, 0} (plus {@code offset} in the last dimension) and payload {"n": i}. */
    private static long upsertNumbered(Collection c, int n) {
        List<Point> points = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            points.add(new Point(PointId.of(i), new float[] {i, 0, 0, 0},
                    TestJson.object("{\"n\":" + i + ",\"even\":" + (i % 2 == 0) + "}")));
        }
        return c.upsert(points, true).operationId();
    }

    @Test
    void updateReplacesOnlyTheVectorAndKeepsThePayload() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("v", CollectionConfig.of(4, Distance.DOT));
            long upserted = upsertNumbered(c, 6);

            UpdateResult r = c.updateVectors(List.of(new PointVectors(PointId.of(2), new float[] {0, 0, 0, 5})), true);
            assertEquals(UpdateStatus.COMPLETED, r.status());
            assertEquals(upserted + 1, r.operationId());
            Record two = c.retrieve(PointId.of(2));
            assertArrayEquals(new float[] {0, 0, 0, 5}, two.vectorOrNull());
            assertEquals(TestJson.object("{\"n\":2,\"even\":true}"), two.payloadOrNull());
            assertArrayEquals(new float[] {3, 0, 0, 0}, c.retrieve(PointId.of(3)).vectorOrNull(), "others untouched");
            assertEquals(6, c.count(null));

            List<ScoredPoint> hits = c.search(SearchRequest.topK(new float[] {0, 0, 0, 1}, 1));
            assertEquals(List.of(PointId.of(2)), hitIds(hits));
            assertEquals(r.operationId(), hits.get(0).version(), "the point's version is the update's operation id");

            // the same id twice in one request: the later vector wins; wait=false is acknowledged
            UpdateResult twice = c.updateVectors(List.of(new PointVectors(PointId.of(3), new float[] {1, 1, 1, 1}),
                    new PointVectors(PointId.of(3), new float[] {0, 0, 9, 0})), false);
            assertEquals(UpdateStatus.ACKNOWLEDGED, twice.status());
            assertArrayEquals(new float[] {0, 0, 9, 0}, c.retrieve(PointId.of(3)).vectorOrNull());
            assertEquals(TestJson.object("{\"n\":3,\"even\":false}"), c.retrieve(PointId.of(3)).payloadOrNull());
        }
    }

    @Test
    void cosineUpdatesAreNormalisedLikeUpserts() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("cos", CollectionConfig.of(2, Distance.COSINE));
            c.upsert(List.of(new Point(PointId.of(1), new float[] {1, 0})), true);
            c.updateVectors(List.of(new PointVectors(PointId.of(1), new float[] {0, 3})), true);
            assertArrayEquals(new float[] {0, 1}, c.retrieve(PointId.of(1)).vectorOrNull(), 1e-6f);
        }
    }

    @Test
    void rejectedRequestsChangeNothingAndTakeNoOperationId() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("v", CollectionConfig.of(4, Distance.DOT).withShardNumber(2));
            long last = upsertNumbered(c, 20);
            float[] fresh = {0, 0, 0, 1};
            // a missing id with an existing one, on the same shard or not: NotFound, nothing applied
            for (int i = 1; i <= 20; i++) {
                NotFoundException missing = assertThrows(NotFoundException.class, () -> c.updateVectors(List.of(
                        new PointVectors(PointId.of(999), fresh)), true));
                assertEquals("Not found: No point with id 999 found", missing.getMessage());
                PointId existing = PointId.of(i);
                assertThrows(NotFoundException.class, () -> c.updateVectors(List.of(new PointVectors(existing, fresh),
                        new PointVectors(PointId.of(999), fresh)), true));
                assertArrayEquals(new float[] {i, 0, 0, 0}, c.retrieve(existing).vectorOrNull(), "point " + i);
            }
            BadRequestException dim = assertThrows(BadRequestException.class, () -> c.updateVectors(List.of(
                    new PointVectors(PointId.of(1), fresh), new PointVectors(PointId.of(2), new float[] {1, 2, 3})),
                    true));
            assertEquals("Wrong input: Vector dimension error: expected dim: 4, got 3", dim.getMessage());
            assertThrows(BadRequestException.class, () -> c.updateVectors(List.of(
                    new PointVectors(PointId.of(1), new float[] {1, Float.NaN, 0, 0})), true));
            assertThrows(BadRequestException.class, () -> c.updateVectors(List.of(
                    new PointVectors(PointId.of(1), null)), true));
            assertThrows(ValidationException.class, () -> c.updateVectors(List.of(), true));
            BadRequestException name = assertThrows(BadRequestException.class,
                    () -> c.deleteVectors(PointsSelector.ids(PointId.of(1)), List.of("", "image"), true));
            assertEquals("Wrong input: Not existing vector name error: image", name.getMessage());
            ValidationException noNames = assertThrows(ValidationException.class,
                    () -> c.deleteVectors(PointsSelector.ids(PointId.of(1)), List.of(), true));
            assertEquals("Validation error in JSON body: [vector: must specify vector names to delete]",
                    noNames.getMessage());

            for (int i = 1; i <= 20; i++) {
                Record r = c.retrieve(PointId.of(i));
                assertArrayEquals(new float[] {i, 0, 0, 0}, r.vectorOrNull(), "point " + i);
                assertFalse(r.vectorMissing());
            }
            assertEquals(last + 1, c.updateVectors(List.of(new PointVectors(PointId.of(1), fresh)), true)
                    .operationId(), "rejected requests took no operation id");
        }
    }

    @Test
    void aPointWithoutItsVectorIsRetrievedAndCountedButNeverFound() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("v", CollectionConfig.of(4, Distance.EUCLID));
            long upserted = upsertNumbered(c, 10);
            UpdateResult r = c.deleteVectors(PointsSelector.ids(PointId.of(2), PointId.of(4), PointId.of(77)),
                    List.of(""), true);
            assertEquals(upserted + 1, r.operationId());

            Record two = c.retrieve(PointId.of(2));
            assertNull(two.vectorOrNull());
            assertTrue(two.vectorMissing());
            assertEquals(TestJson.object("{\"n\":2,\"even\":true}"), two.payloadOrNull());
            assertEquals(TestJson.object("{}"), two.toJson().get("vector"), "Qdrant shows no vectors as {}");
            Record notAsked = c.retrieve(List.of(PointId.of(2)), WithPayload.NONE, false).get(0);
            assertFalse(notAsked.vectorMissing());
            assertTrue(notAsked.toJson().get("vector").isNull());

            assertEquals(10, c.count(null));
            assertEquals(5, c.count(filter("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}")));
            assertEquals(8, c.count(filter("{\"must\":[{\"has_vector\":\"\"}]}")));
            assertEquals(2, c.count(filter("{\"must_not\":[{\"has_vector\":\"\"}]}")));
            List<Record> scrolled = c.scroll(new ScrollRequest(null, 100, null, WithPayload.ALL, true)).points();
            assertEquals(10, scrolled.size());
            assertTrue(scrolled.get(1).vectorMissing());
            assertTrue(scrolled.get(3).vectorMissing());
            assertFalse(scrolled.get(2).vectorMissing());

            assertNeverFound(c, Set.of(PointId.of(2), PointId.of(4)), 8);
            List<ScoredPoint> evens = c.search(SearchRequest.topK(new float[] {2, 0, 0, 0}, 10)
                    .withFilter(filter("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}")));
            assertEquals(List.of(PointId.of(6), PointId.of(8), PointId.of(10)), hitIds(evens));

            // deleting again is fine; by filter too
            c.deleteVectors(PointsSelector.ids(PointId.of(2)), List.of(""), true);
            c.deleteVectors(PointsSelector.filter(filter("{\"must\":[{\"key\":\"n\",\"match\":{\"value\":6}}]}")),
                    List.of(""), true);
            assertTrue(c.retrieve(PointId.of(6)).vectorMissing());
            assertNeverFound(c, Set.of(PointId.of(2), PointId.of(4), PointId.of(6)), 7);

            // an update gives the vector back, an upsert too
            UpdateResult back = c.updateVectors(List.of(new PointVectors(PointId.of(2), new float[] {2, 0, 0, 0})),
                    true);
            c.upsert(List.of(new Point(PointId.of(4), new float[] {4, 0, 0, 0})), true);
            Record again = c.retrieve(PointId.of(2));
            assertArrayEquals(new float[] {2, 0, 0, 0}, again.vectorOrNull());
            assertEquals(TestJson.object("{\"n\":2,\"even\":true}"), again.payloadOrNull());
            List<ScoredPoint> top = c.search(SearchRequest.topK(new float[] {2, 0, 0, 0}, 1));
            assertEquals(List.of(PointId.of(2)), hitIds(top));
            assertEquals(back.operationId(), top.get(0).version());
            assertNeverFound(c, Set.of(PointId.of(6)), 9);
        }
    }

    /** No search (exact or graph, with or without a filter) returns {@code missing}; all others are found. */
    private static void assertNeverFound(Collection c, Set<PointId> missing, int withVector) {
        for (boolean exact : new boolean[] {true, false}) {
            for (Filter f : new Filter[] {null, filter("{\"must_not\":[{\"key\":\"n\",\"match\":{\"value\":-1}}]}")}) {
                for (PointId id : missing) {
                    float[] at = {Float.parseFloat(id.toString()), 0, 0, 0};
                    List<ScoredPoint> hits = c.search(SearchRequest.topK(at, 1000).withExact(exact).withFilter(f));
                    assertEquals(withVector, hits.size(), "exact " + exact + ", filter " + f);
                    Set<PointId> found = new HashSet<>(hitIds(hits));
                    assertFalse(found.contains(id), id + " was found (exact " + exact + ", filter " + f + ")");
                }
            }
        }
    }

    @Test
    void vectorlessPointsSurviveSealsIndexBuildsAndAReopen() throws Exception {
        // 12 KB of 4 floats: 768 vectors per segment, so most points live in sealed, indexed segments; a full scan
        // threshold of 10 KB (640 vectors) sends filtered searches of those segments to their graphs
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(12))
                .applyUpdate(JSON.readTree("{\"hnsw_config\":{\"full_scan_threshold\":10}}"));
        Set<PointId> vectorless = new HashSet<>();
        int points = 1600;
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("sealed", config);
            upsertNumbered(c, points);
            c.awaitIndexing();
            List<PointId> dels = new ArrayList<>();
            for (int i = 3; i <= points; i += 3) {
                dels.add(PointId.of(i));
            }
            c.deleteVectors(PointsSelector.ids(dels), List.of(""), true);
            vectorless.addAll(dels);
            c.updateVectors(List.of(new PointVectors(PointId.of(1), new float[] {1, 1, 1, 1})), true);
            checkVectorless(c, vectorless, points);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("sealed");
            checkVectorless(c, vectorless, points);
            assertArrayEquals(new float[] {1, 1, 1, 1}, c.retrieve(PointId.of(1)).vectorOrNull());
            c.awaitIndexing();
            assertEquals(0, c.indexBuildCount(), "the reopen rebuilt no graph");
        }
    }

    private static void checkVectorless(Collection c, Set<PointId> vectorless, int points) {
        assertEquals(points, c.count(null));
        for (Record r : c.scroll(new ScrollRequest(null, points, null, WithPayload.ALL, true)).points()) {
            assertEquals(vectorless.contains(r.id()), r.vectorMissing(), "point " + r.id());
            assertEquals(r.vectorMissing(), r.vectorOrNull() == null);
            assertEquals(TestJson.object("{\"n\":" + r.id() + ",\"even\":" + (Long.parseLong(r.id().toString()) % 2 == 0) + "}"),
                    r.payloadOrNull());
        }
        for (boolean exact : new boolean[] {true, false}) {
            List<ScoredPoint> hits = c.search(SearchRequest.topK(new float[] {150, 0, 0, 0}, points).withExact(exact)
                    .withHnswEf(points));
            assertEquals(points - vectorless.size(), hits.size(), "exact " + exact);
            hits.forEach(h -> assertFalse(vectorless.contains(h.id()), h.id() + " found, exact " + exact));
        }
        // a small beam right at a vectorless point, with and without a filter: graph searches skip it too
        Filter any = filter("{\"must_not\":[{\"key\":\"n\",\"match\":{\"value\":-1}}]}");
        for (int i = 3; i <= points; i += 99) {
            for (Filter f : new Filter[] {null, any}) {
                List<ScoredPoint> near = c.search(SearchRequest.topK(new float[] {i, 0, 0, 0}, 10).withHnswEf(10)
                        .withFilter(f));
                assertEquals(10, near.size());
                for (ScoredPoint h : near) {
                    assertFalse(vectorless.contains(h.id()), h.id() + " found near " + i + ", filter " + f);
                }
                // example queries (recommend best_score/sum_scores, discover, context) skip them as well
                float[] at = {i, 0, 0, 0};
                float[] far = {-1000, 0, 0, 0};
                for (ExampleQuery query : List.of(new ExampleQuery.SumScores(List.of(at), List.of()),
                        new ExampleQuery.BestScore(List.of(at), List.of(far)),
                        new ExampleQuery.Discover(at, List.of(new ExampleQuery.ContextPair(at, far))),
                        new ExampleQuery.Context(List.of(new ExampleQuery.ContextPair(at, far))))) {
                    for (boolean exact : new boolean[] {true, false}) {
                        List<ScoredPoint> hits = c.search(SearchRequest.byExamples(query, 10).withHnswEf(10)
                                .withFilter(f).withExact(exact));
                        assertEquals(10, hits.size());
                        for (ScoredPoint h : hits) {
                            assertFalse(vectorless.contains(h.id()), h.id() + " found by " + query.getClass()
                                    .getSimpleName() + " near " + i + ", exact " + exact + ", filter " + f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void vectorWritesAreReplayedFromTheWalAfterAKill() throws Exception {
        Path data = storage.resolve("data");
        KilledChild.runAndKill(storage, VectorOperationsChild.class, List.of(data.toString()), 0, true);
        for (int round = 0; round < 2; round++) { // the replay, then the checkpoint the first close wrote
            try (Quiver q = Quiver.open(data)) {
                Collection c = q.collection("v");
                assertEquals(20, c.count(null));
                assertArrayEquals(new float[] {0, 0, 0, 7}, c.retrieve(PointId.of(1)).vectorOrNull());
                assertArrayEquals(new float[] {0, 0, 8, 0}, c.retrieve(PointId.of(2)).vectorOrNull());
                assertEquals(TestJson.object("{\"n\":1}"), c.retrieve(PointId.of(1)).payloadOrNull());
                for (int id : new int[] {3, 4, 5, 6}) {
                    assertTrue(c.retrieve(PointId.of(id)).vectorMissing(), "point " + id);
                }
                assertEquals(TestJson.object("{\"n\":66}"), c.retrieve(PointId.of(6)).payloadOrNull());
                assertEquals(TestJson.object("{\"n\":3}"), c.retrieve(PointId.of(3)).payloadOrNull());
                assertArrayEquals(new float[] {7, 0, 0, 0}, c.retrieve(PointId.of(7)).vectorOrNull());
                assertEquals(16, c.search(SearchRequest.topK(new float[] {1, 1, 1, 1}, 100)).size());
            }
        }
    }
}
