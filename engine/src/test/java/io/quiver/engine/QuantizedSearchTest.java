package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A collection with int8 scalar quantization: sealed segments are built with codes and search still finds the
 * true neighbours (rescored on the float vectors), also after a reopen. */
class QuantizedSearchTest {
    @TempDir
    Path storage;

    @Test
    void int8QuantizedSegmentsSearchWell() {
        long seed = TestSeeds.seed("QuantizedSearchTest");
        Random rnd = new Random(seed);
        CollectionConfig config = CollectionConfig.of(16, Distance.COSINE)
                .withOptimizers(CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(8))
                .withQuantization(new CollectionConfig.QuantizationConfig(0.99f, true));
        Map<PointId, float[]> truth = new HashMap<>();
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            float[] v = new float[16];
            for (int d = 0; d < 16; d++) {
                v[d] = (float) rnd.nextGaussian();
            }
            points.add(new Point(PointId.of(i), v));
            truth.put(PointId.of(i), SearchExactnessTest.unit(v));
        }
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            float[] q = new float[16];
            for (int d = 0; d < 16; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            queries.add(q);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("q8", config);
            c.upsert(points, true);
            c.awaitIndexing();
            assertEquals(7 * 128, c.info().indexedVectorsCount()); // 8 KB of 16 floats = 128 vectors per segment
            assertTrue(recall(c, truth, queries) >= 0.9);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("q8");
            assertEquals(0, c.indexBuildCount());
            assertTrue(recall(c, truth, queries) >= 0.9);
        }
    }

    private static double recall(Collection c, Map<PointId, float[]> truth, List<float[]> queries) {
        int hits = 0;
        for (float[] q : queries) {
            Set<PointId> expected = new HashSet<>(SearchExactnessTest.bruteForce(truth, Distance.COSINE, q, 10));
            for (ScoredPoint p : c.search(SearchRequest.topK(q, 10))) {
                if (expected.contains(p.id())) {
                    hits++;
                }
            }
        }
        double r = hits / (10.0 * queries.size());
        System.out.println("int8 recall@10 " + r);
        return r;
    }
}
