package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every distance, float and int8, on small random data against {@link ExactSearch}; score conventions; empty and
 * one-vector indexes; a file reopened with the wrong distance.
 */
class HnswDistancesTest {

    private static float[][] randomVectors(Random random, int n, int dim) {
        float[][] v = new float[n][dim];
        for (float[] x : v) {
            for (int d = 0; d < dim; d++) {
                x[d] = (float) random.nextGaussian();
            }
        }
        return v;
    }

    @Test
    void everyDistanceFindsTheExactNeighbours() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        for (int dim : new int[] {24, 64}) { // int8 terms after the codes (24) and in their own table (64)
            everyDistanceFindsTheExactNeighbours(seed, random, dim);
        }
    }

    private static void everyDistanceFindsTheExactNeighbours(long seed, Random random, int dim) {
        float[][] base = randomVectors(random, 1500, dim);
        float[][] queries = randomVectors(random, 30, dim);
        for (Distance distance : Distance.values()) {
            for (boolean int8 : new boolean[] {false, true}) {
                try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, distance == Distance.COSINE);
                     HnswIndex index = HnswIndex.build(store, distance, HnswParams.defaults().withSeed(seed), 2,
                             int8 ? ScalarQuantizationConfig.defaults() : null)) {
                    double hits = 0;
                    for (float[] q : queries) {
                        List<ScoredOrd> exact = ExactSearch.search(store, distance, q, 10, null);
                        List<ScoredOrd> got = index.search(q, 10, 100, null);
                        assertEquals(10, got.size());
                        for (int i = 1; i < got.size(); i++) {
                            assertTrue(!distance.isBetter(got.get(i).score(), got.get(i - 1).score()),
                                    distance + ": results best first");
                        }
                        for (ScoredOrd r : got) {
                            if (exact.stream().anyMatch(e -> e.ord() == r.ord())) {
                                hits++;
                            }
                        }
                        // reported scores follow Qdrant's convention, computed on the float vectors
                        float[] qv = distance == Distance.COSINE ? VectorKernels.normalize(q.clone()) : q;
                        float expected = distance.score(qv, store.toArray(got.get(0).ord()));
                        assertEquals(expected, got.get(0).score(), 1e-3f * Math.max(1f, Math.abs(expected)),
                                distance + (int8 ? " int8" : ""));
                    }
                    double recall = hits / (10.0 * queries.length);
                    System.out.printf("%s%s recall@10 (ef=100, 1500 random %d-d): %.3f%n", distance,
                            int8 ? " int8" : "", dim, recall);
                    assertTrue(recall >= 0.9, distance + (int8 ? " int8" : "") + " recall " + recall);
                }
            }
        }
    }

    @Test
    void emptyAndSingleVectorIndexes(@TempDir Path dir) throws IOException {
        try (OffHeapVectorStore empty = OffHeapVectorStore.copyOf(new float[0][], false);
             HnswIndex index = HnswIndex.build(empty, Distance.DOT, HnswParams.defaults(), 2)) {
            assertEquals(0, index.size());
        }
        try (OffHeapVectorStore one = OffHeapVectorStore.copyOf(new float[][] {{1, 2, 3}}, false);
             HnswIndex index = HnswIndex.build(one, Distance.EUCLID, HnswParams.defaults(), 2)) {
            List<ScoredOrd> r = index.search(new float[] {1, 2, 4}, 5, 10, null);
            assertEquals(List.of(new ScoredOrd(0, 1f)), r);
            assertTrue(index.search(new float[] {1, 2, 4}, 5, 10, ord -> false).isEmpty());
            Path file = dir.resolve("one.graph");
            index.write(file);
            try (HnswIndex reopened = HnswIndex.open(file, one, Distance.EUCLID)) {
                assertEquals(r, reopened.search(new float[] {1, 2, 4}, 5, 10, null));
            }
            assertThrows(IllegalArgumentException.class, () -> HnswIndex.open(file, one, Distance.DOT));
        }
    }
}
