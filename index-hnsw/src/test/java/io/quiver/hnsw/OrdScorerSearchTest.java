package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HnswIndex#search(OrdScorer, int, int, AcceptOrds)}: the graph walked by a caller's objective. A scorer equal
 * to the distance finds what the vector search finds; an objective over several examples (the best similarity to any
 * of three vectors, as Qdrant's best-score recommendation ranks) reaches recall@10 ≥ 0.95 against its brute force on
 * 3000 random 16-dimensional vectors; scores are the scorer's, best first; rejected ordinals never come back. Prints
 * its seed ({@code -Dquiver.seed=}).
 */
class OrdScorerSearchTest {
    private static final int N = 3000;
    private static final int DIM = 16;
    private static final int K = 10;
    private static float[][] vectors;
    private static OffHeapVectorStore store;
    private static HnswIndex index;
    private static Random random;

    @BeforeAll
    static void build() {
        random = new Random(TestVectors.seed());
        vectors = new float[N][];
        for (int i = 0; i < N; i++) {
            vectors[i] = gaussian();
        }
        store = OffHeapVectorStore.copyOf(vectors, false);
        index = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 2);
    }

    @AfterAll
    static void close() {
        index.close();
        store.close();
    }

    private static float[] gaussian() {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    /** Minus the squared Euclidean distance, in double precision: Euclid's similarity. */
    private static double similarity(float[] a, float[] b) {
        double sum = 0;
        for (int d = 0; d < DIM; d++) {
            double diff = a[d] - b[d];
            sum += diff * diff;
        }
        return -sum;
    }

    private static List<Integer> bruteForce(java.util.function.IntToDoubleFunction objective, int k,
            AcceptOrds acceptOrNull) {
        List<Integer> ords = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (acceptOrNull == null || acceptOrNull.accept(i)) {
                ords.add(i);
            }
        }
        ords.sort(Comparator.comparingDouble((Integer i) -> objective.applyAsDouble(i)).reversed());
        return ords.subList(0, Math.min(k, ords.size()));
    }

    @Test
    void aScorerEqualToTheDistanceFindsWhatTheVectorSearchFinds() {
        double recall = 0;
        for (int q = 0; q < 20; q++) {
            float[] query = gaussian();
            List<ScoredOrd> byVector = index.search(query, K, 64, null);
            List<ScoredOrd> byScorer = index.search(ord -> (float) similarity(query, vectors[ord]), K, 64, null);
            assertEquals(K, byScorer.size());
            Set<Integer> expected = new HashSet<>();
            byVector.forEach(s -> expected.add(s.ord()));
            for (int i = 0; i < K; i++) {
                ScoredOrd s = byScorer.get(i);
                assertEquals(similarity(query, vectors[s.ord()]), s.score(), 1e-3, "the scorer's own value");
                recall += expected.contains(s.ord()) ? 1 : 0;
                if (i > 0) {
                    assertTrue(byScorer.get(i - 1).score() >= s.score(), "best first");
                }
            }
        }
        assertTrue(recall / (20.0 * K) >= 0.95, "agreement with the vector search " + recall / (20.0 * K));
    }

    @Test
    void anObjectiveOverSeveralExamplesReachesRecall() {
        double recall = 0;
        int queries = 30;
        for (int q = 0; q < queries; q++) {
            float[][] examples = {gaussian(), gaussian(), gaussian()};
            java.util.function.IntToDoubleFunction best = ord -> Math.max(similarity(examples[0], vectors[ord]),
                    Math.max(similarity(examples[1], vectors[ord]), similarity(examples[2], vectors[ord])));
            Set<Integer> truth = new HashSet<>(bruteForce(best, K, null));
            List<ScoredOrd> found = index.search(ord -> (float) best.applyAsDouble(ord), K, 128, null);
            for (ScoredOrd s : found) {
                recall += truth.contains(s.ord()) ? 1 : 0;
            }
        }
        recall /= queries * (double) K;
        System.out.printf("best-of-three objective recall@10 ef=128: %.4f%n", recall);
        assertTrue(recall >= 0.95, "recall " + recall);
    }

    @Test
    void rejectedOrdinalsAreTraversedButNeverReturned() {
        float[] query = gaussian();
        AcceptOrds odd = ord -> ord % 2 == 1;
        List<ScoredOrd> found = index.search(ord -> (float) similarity(query, vectors[ord]), K, 64, odd);
        assertEquals(K, found.size());
        found.forEach(s -> assertTrue(odd.accept(s.ord()), "ordinal " + s.ord()));
        Set<Integer> truth = new HashSet<>(bruteForce(ord -> similarity(query, vectors[ord]), K, odd));
        assertTrue(found.stream().filter(s -> truth.contains(s.ord())).count() >= 8);
        assertTrue(index.search(ord -> 0f, 0, 64, null).isEmpty());
        assertFalse(index.search(ord -> 0f, 5, 1, null).isEmpty(), "a flat objective still answers");
    }
}
