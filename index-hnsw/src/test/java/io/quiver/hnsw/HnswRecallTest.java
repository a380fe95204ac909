package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recall@10 of the graph against the exact ground truth of the real fashion-mnist-10k set (200 queries), for each
 * distance the set supports, built with 2 threads.
 */
class HnswRecallTest {

    private static final int EF = 64;
    private static TestVectors data;
    private static OffHeapVectorStore euclidStore;
    private static OffHeapVectorStore cosineStore;

    @BeforeAll
    static void load() {
        data = TestVectors.fashionMnist10k();
        euclidStore = OffHeapVectorStore.copyOf(data.base, false);
        cosineStore = OffHeapVectorStore.copyOf(data.base, true);
    }

    @AfterAll
    static void free() {
        euclidStore.close();
        cosineStore.close();
    }

    static double meanRecall(HnswIndex index, Distance distance, int[][] gt, float[][] gtScores, int ef) {
        return meanRecallOf(index, data, distance, gt, gtScores, ef);
    }

    static double meanRecallOf(HnswIndex index, TestVectors data, Distance distance, int[][] gt, float[][] gtScores,
                               int ef) {
        double sum = 0;
        for (int q = 0; q < data.queries.length; q++) {
            List<ScoredOrd> r = index.search(data.queries[q], TestVectors.K, ef, null);
            sum += TestVectors.recall(r, gt[q], gtScores[q], TestVectors.K, distance);
        }
        return sum / data.queries.length;
    }

    @Test
    void euclidRecallAtLeast95() {
        try (HnswIndex index = HnswIndex.build(euclidStore, Distance.EUCLID, HnswParams.defaults(), 2)) {
            double recall = meanRecall(index, Distance.EUCLID, data.gtEuclid, data.gtEuclidScores, EF);
            System.out.printf("euclid recall@10 ef=%d: %.4f%n", EF, recall);
            assertTrue(recall >= 0.95, "recall " + recall);
        }
    }

    @Test
    void cosineRecallAtLeast95() {
        try (HnswIndex index = HnswIndex.build(cosineStore, Distance.COSINE, HnswParams.defaults(), 2)) {
            double recall = meanRecall(index, Distance.COSINE, data.gtCosine, data.gtCosineScores, EF);
            System.out.printf("cosine recall@10 ef=%d: %.4f%n", EF, recall);
            assertTrue(recall >= 0.95, "recall " + recall);
        }
    }

    @Test
    void int8RescoredRecallAtLeast95OnBothMetrics() {
        for (Distance distance : new Distance[] {Distance.EUCLID, Distance.COSINE}) {
            boolean cosine = distance == Distance.COSINE;
            try (HnswIndex index = HnswIndex.build(cosine ? cosineStore : euclidStore, distance, HnswParams.defaults(),
                    2, ScalarQuantizationConfig.defaults())) {
                double recall = meanRecall(index, distance, cosine ? data.gtCosine : data.gtEuclid,
                        cosine ? data.gtCosineScores : data.gtEuclidScores, EF);
                System.out.printf("%s int8+rescore recall@10 ef=%d: %.4f%n", distance, EF, recall);
                assertTrue(recall >= 0.95, distance + " int8 recall " + recall);
            }
        }
    }

    @Test
    void exactSearchMatchesGroundTruth() {
        for (int q = 0; q < 20; q++) {
            List<ScoredOrd> r = ExactSearch.search(euclidStore, Distance.EUCLID, data.queries[q], 10, null);
            assertEquals(1.0, TestVectors.recall(r, data.gtEuclid[q], data.gtEuclidScores[q], 10, Distance.EUCLID),
                    1e-9, "query " + q);
            assertEquals(data.gtEuclidScores[q][0], r.get(0).score(), 1e-3 * data.gtEuclidScores[q][0] + 1e-3);
        }
    }
}
