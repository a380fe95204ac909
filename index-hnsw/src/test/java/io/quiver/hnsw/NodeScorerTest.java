package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float query scorer of graph search: scoring a batch of nodes (four at a time, a remainder of two or three
 * padded into the four-vector kernels, a single one on its own) gives each node the similarity the scalar reference
 * computes, whatever the batch size, the dimension's tail or the order of the nodes.
 */
class NodeScorerTest {

    @Test
    void batchesOfEverySizeScoreEachNodeLikeTheScalarReference() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        KernelSupport scalar = VectorKernels.scalar();
        for (int round = 0; round < 12; round++) {
            int dim = round < 3 ? round + 1 : 1 + random.nextInt(round % 2 == 0 ? 1100 : 100);
            float[][] base = new float[40][dim];
            for (float[] v : base) {
                for (int d = 0; d < dim; d++) {
                    v[d] = (float) random.nextGaussian() * 4;
                }
            }
            float[] query = new float[dim];
            for (int d = 0; d < dim; d++) {
                query[d] = (float) random.nextGaussian() * 4;
            }
            for (Distance distance : Distance.values()) {
                boolean cosine = distance == Distance.COSINE;
                float[] q = cosine ? VectorKernels.normalize(query.clone()) : query;
                try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, cosine)) {
                    NodeScorer scorer = NodeScorer.ofQuery(distance, store, q);
                    for (int count = 0; count <= 11; count++) {
                        int[] ords = random.ints(0, base.length).distinct().limit(count).toArray();
                        float[] out = new float[count + 1];
                        out[count] = Float.NaN; // must stay untouched
                        scorer.similarities(ords, count, out);
                        for (int i = 0; i < count; i++) {
                            float[] v = store.toArray(ords[i]);
                            float expected = switch (distance) {
                                case COSINE, DOT -> scalar.dot(q, v);
                                case EUCLID -> -scalar.squareDistance(q, v);
                                case MANHATTAN -> -scalar.manhattan(q, v);
                            };
                            // a dot product may cancel to near zero: its rounding scales with the sum of |terms|
                            float magnitude = switch (distance) {
                                case COSINE, DOT -> scalar.dot(abs(q), abs(v));
                                case EUCLID, MANHATTAN -> Math.abs(expected);
                            };
                            assertEquals(expected, out[i], 1e-5f * Math.max(1f, magnitude),
                                    distance + " dim " + dim + " batch of " + count + " position " + i
                                            + " (seed " + seed + ")");
                        }
                        assertEquals(Float.NaN, out[count], "beyond the batch");
                    }
                }
            }
        }
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }
}
