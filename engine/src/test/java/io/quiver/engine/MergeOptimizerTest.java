package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge optimizer merges small sealed segments in the background while points keep being overwritten, deleted,
 * edited, and get their vector updated or deleted; the collection always equals a model of the writes (a point without
 * a vector kept as such), search stays exact, and so after a reopen.
 */
class MergeOptimizerTest {
    @TempDir
    Path storage;

    record Expected(float[] vector, ObjectNode payload) {}

    @Test
    void mergesKeepEveryWrite() {
        long seed = TestSeeds.seed("MergeOptimizerTest");
        Random rnd = new Random(seed);
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(1)); // 64 vectors per segment
        Map<PointId, Expected> model = new TreeMap<>();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("m", config);
            for (int round = 0; round < 150; round++) {
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    List<Point> batch = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        PointId id = PointId.of(rnd.nextInt(800));
                        float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), round};
                        ObjectNode p = JsonNodeFactory.instance.objectNode().put("r", round);
                        batch.add(new Point(id, v, p));
                        model.put(id, new Expected(v, p));
                    }
                    c.upsert(batch, rnd.nextBoolean());
                } else if (kind < 8) {
                    List<PointId> ids = new ArrayList<>(model.keySet());
                    List<PointId> dels = new ArrayList<>();
                    for (int i = 0; i < 10 && !ids.isEmpty(); i++) {
                        dels.add(ids.get(rnd.nextInt(ids.size())));
                    }
                    c.delete(PointsSelector.ids(dels), true);
                    dels.forEach(model::remove);
                } else if (kind == 8 && !model.isEmpty()) {
                    List<PointId> ids = new ArrayList<>(model.keySet());
                    PointId id = ids.get(rnd.nextInt(ids.size()));
                    if (rnd.nextBoolean()) {
                        c.deleteVectors(PointsSelector.ids(id), List.of(""), rnd.nextBoolean());
                        model.put(id, new Expected(null, model.get(id).payload()));
                    } else {
                        float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), round};
                        c.updateVectors(List.of(new PointVectors(id, v)), rnd.nextBoolean());
                        model.put(id, new Expected(v, model.get(id).payload()));
                    }
                } else if (!model.isEmpty()) {
                    List<PointId> ids = new ArrayList<>(model.keySet());
                    PointId id = ids.get(rnd.nextInt(ids.size()));
                    ObjectNode patch = JsonNodeFactory.instance.objectNode().put("edited", round);
                    c.setPayload(PointsSelector.ids(id), patch, null, true);
                    Expected e = model.get(id);
                    ObjectNode merged = e.payload().deepCopy();
                    merged.setAll(patch);
                    model.put(id, new Expected(e.vector(), merged));
                }
            }
            c.awaitIndexing();
            CollectionInfo info = c.info();
            System.out.println("after merges: " + info.toJson().without("config") + ", builds " + c.indexBuildCount());
            assertTrue(info.segmentsCount() <= Math.max(2, Runtime.getRuntime().availableProcessors()) + 1,
                    info.toJson().toString());
            check(c, model, rnd);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("m");
            check(c, model, rnd);
            c.awaitIndexing();
            assertEquals(0, c.indexBuildCount(), "nothing left to build or merge after a clean close");
        }
    }

    @Test
    void vacuumRewritesASegmentWithManyDeletedPoints() throws Exception {
        long seed = TestSeeds.seed("MergeOptimizerTest.vacuum");
        Random rnd = new Random(seed);
        // 2 KB of 4 floats = 128 vectors per sealed segment; vacuum at > 20 % deleted of >= 100 vectors
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(2))
                .applyUpdate(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                        "{\"optimizers_config\":{\"vacuum_min_vector_number\":100,\"deleted_threshold\":0.2}}"));
        Map<PointId, Expected> model = new TreeMap<>();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("v", config);
            List<Point> batch = new ArrayList<>();
            for (int i = 0; i < 130; i++) { // one sealed segment of 128 + 2 in the appendable one
                float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), i};
                ObjectNode p = JsonNodeFactory.instance.objectNode().put("i", i);
                batch.add(new Point(PointId.of(i), v, p));
                model.put(PointId.of(i), new Expected(v, p));
            }
            c.upsert(batch, true);
            c.awaitIndexing();
            long builds = c.indexBuildCount();
            List<PointId> dels = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                dels.add(PointId.of(i * 2));
            }
            c.delete(PointsSelector.ids(dels), true);
            dels.forEach(model::remove);
            // the vacuum is triggered by the next optimizer run: seal one more segment to start one
            List<Point> more = new ArrayList<>();
            for (int i = 200; i < 330; i++) {
                float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), i};
                ObjectNode p = JsonNodeFactory.instance.objectNode().put("i", i);
                more.add(new Point(PointId.of(i), v, p));
                model.put(PointId.of(i), new Expected(v, p));
            }
            c.upsert(more, true);
            c.awaitIndexing();
            assertTrue(c.indexBuildCount() >= builds + 2, "a vacuum (or merge) rewrote the segment with 47 % deleted");
            check(c, model, rnd);
        }
    }

    private static void check(Collection c, Map<PointId, Expected> model, Random rnd) {
        assertEquals(model.size(), c.count(null));
        List<Record> all = c.scroll(new ScrollRequest(null, 10_000, null, WithPayload.ALL, true)).points();
        assertEquals(new ArrayList<>(model.keySet()), all.stream().map(Record::id).toList());
        for (Record r : all) {
            Expected e = model.get(r.id());
            assertArrayEquals(e.vector(), r.vectorOrNull(), "vector of " + r.id());
            assertEquals(e.vector() == null, r.vectorMissing(), "vector of " + r.id() + " deleted");
            assertEquals(e.payload(), r.payloadOrNull(), "payload of " + r.id());
        }
        Map<PointId, float[]> vectors = new TreeMap<>();
        model.forEach((id, e) -> {
            if (e.vector() != null) {
                vectors.put(id, e.vector());
            }
        });
        for (int i = 0; i < 10; i++) {
            float[] q = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextInt(150)};
            assertEquals(SearchExactnessTest.bruteForce(vectors, Distance.EUCLID, q, 10),
                    c.search(SearchRequest.topK(q, 10).withHnswEf(200)).stream().map(ScoredPoint::id).toList());
        }
    }
}
