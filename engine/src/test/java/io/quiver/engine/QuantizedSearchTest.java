package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.QuantizationSearchParams;
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
 * true neighbours (rescored on the float vectors), also after a reopen; search params choose how codes are used. */
class QuantizedSearchTest {
    @TempDir
    Path storage;

    private final Map<PointId, float[]> truth = new HashMap<>();
    private final List<Point> points = new ArrayList<>();
    private final List<float[]> queries = new ArrayList<>();

    /**
     * A new collection of 1000 random 16-dimensional points (30 queries beside them), in int8 segments of 128 vectors
     * (8 KB indexing threshold), all indexed.
     */
    private Collection loaded(Quiver q, String collection, String seedName) {
        Random rnd = new Random(TestSeeds.seed(seedName));
        for (int i = 0; i < 1000; i++) {
            float[] v = gaussian(rnd);
            points.add(new Point(PointId.of(i), v));
            truth.put(PointId.of(i), SearchExactnessTest.unit(v));
        }
        for (int i = 0; i < 30; i++) {
            queries.add(gaussian(rnd));
        }
        Collection c = q.createCollection(collection, CollectionConfig.of(16, Distance.COSINE)
                .withOptimizers(CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(8))
                .withQuantization(new CollectionConfig.QuantizationConfig.Scalar(0.99f, true)));
        c.upsert(points, true);
        c.awaitIndexing();
        return c;
    }

    private static float[] gaussian(Random rnd) {
        float[] v = new float[16];
        for (int d = 0; d < 16; d++) {
            v[d] = (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void int8QuantizedSegmentsSearchWell() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = loaded(q, "q8", "QuantizedSearchTest");
            assertEquals(7 * 128, c.info().indexedVectorsCount()); // 8 KB of 16 floats = 128 vectors per segment
            assertTrue(recall(c, queries, null) >= 0.9);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("q8");
            assertEquals(0, c.indexBuildCount());
            assertTrue(recall(c, queries, null) >= 0.9);
        }
    }

    /**
     * Qdrant's search {@code params.quantization}: without rescoring the scores are the codes' approximations; with
     * it (the default), or when the codes are ignored, they are the exact float scores; more oversampling keeps recall.
     */
    @Test
    void searchParamsChooseHowCodesAreUsed() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = loaded(q, "q8p", "QuantizedSearchTest.params");
            QuantizationSearchParams noRescore = new QuantizationSearchParams(false, false, 1.0);
            QuantizationSearchParams ignore = new QuantizationSearchParams(true, true, 1.0);
            QuantizationSearchParams oversampled = new QuantizationSearchParams(false, true, 4.0);
            double codeErrorSum = 0;
            for (float[] query : queries) {
                float[] unitQuery = SearchExactnessTest.unit(query);
                codeErrorSum += meanScoreError(c, query, unitQuery, noRescore);
                assertTrue(meanScoreError(c, query, unitQuery, null) < 1e-6, "default rescoring gives exact scores");
                assertTrue(meanScoreError(c, query, unitQuery, ignore) < 1e-6, "ignored codes give exact scores");
                assertTrue(meanScoreError(c, query, unitQuery, oversampled) < 1e-6, "rescored scores are exact");
            }
            double codeError = codeErrorSum / queries.size();
            // clipping to the 0.99 quantile moves a few large components; on average the codes stay close
            assertTrue(codeError > 1e-4, "scores without rescoring come from the int8 codes: " + codeError);
            assertTrue(codeError < 0.03, "int8 scores approximate the exact ones: " + codeError);
            assertTrue(recall(c, queries, ignore) >= 0.9);
            assertTrue(recall(c, queries, oversampled) >= 0.9);
        }
    }

    private double meanScoreError(Collection c, float[] query, float[] unitQuery, QuantizationSearchParams params) {
        double sum = 0;
        List<ScoredPoint> found = c.search(SearchRequest.topK(query, 10).withQuantization(params));
        for (ScoredPoint p : found) {
            float[] v = truth.get(p.id());
            double exact = 0;
            for (int d = 0; d < v.length; d++) {
                exact += (double) v[d] * unitQuery[d];
            }
            sum += Math.abs(exact - p.score());
        }
        return sum / found.size();
    }

    private double recall(Collection c, List<float[]> queries, QuantizationSearchParams params) {
        int hits = 0;
        for (float[] q : queries) {
            Set<PointId> expected = new HashSet<>(SearchExactnessTest.bruteForce(truth, Distance.COSINE, q, 10));
            for (ScoredPoint p : c.search(SearchRequest.topK(q, 10).withQuantization(params))) {
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
