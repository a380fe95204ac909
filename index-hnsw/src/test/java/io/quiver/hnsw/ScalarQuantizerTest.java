package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The int8 scalings on their own, without a graph: which one {@link ScalarQuantizer#train} picks, how close code
 * similarities come to the float ones (random dimensions, tails included), and how well each ranks real data.
 */
class ScalarQuantizerTest {

    /** The code records of every vector of {@code store}, in ordinal order, as the index file lays them out. */
    private static ScalarQuantizer.QuantizedVectors encodeAll(ScalarQuantizer quantizer, VectorStore store,
                                                              Arena arena) {
        int dim = store.dimension();
        int count = Math.max(1, store.size());
        boolean apart = ScalarQuantizer.termsApart(dim);
        long codesBytes = (long) ScalarQuantizer.codeStride(dim, apart) * count;
        MemorySegment records = arena.allocate(codesBytes + (apart ? ScalarQuantizer.TERMS_BYTES * count : 0), 64);
        ScalarQuantizer.QuantizedVectors codes =
                ScalarQuantizer.QuantizedVectors.at(records, 0L, apart ? codesBytes : 0L, dim);
        for (int ord = 0; ord < store.size(); ord++) {
            quantizer.encode(store.vector(ord), 0L, records, codes.record(ord), codes.terms(ord));
        }
        return codes;
    }

    @Test
    void perVectorScalingIsTheDefaultExceptForManhattanAndClippedRanges() {
        float[][] base = new float[50][7];
        new Random(3).ints(350, -50, 50).forEach(new java.util.function.IntConsumer() {
            int i;

            @Override
            public void accept(int v) {
                base[i / 7][i % 7] = v;
                i++;
            }
        });
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, false)) {
            for (Distance d : List.of(Distance.EUCLID, Distance.DOT, Distance.COSINE)) {
                assertTrue(ScalarQuantizer.train(store, d, ScalarQuantizationConfig.defaults(), 1L).perVector(), d
                        + "");
                assertFalse(ScalarQuantizer.train(store, d, new ScalarQuantizationConfig(0.99f), 1L).perVector(),
                        d + " with quantile 0.99");
            }
            assertFalse(ScalarQuantizer.train(store, Distance.MANHATTAN, ScalarQuantizationConfig.defaults(), 1L)
                    .perVector());
        }
    }

    @Test
    void codeSimilaritiesFollowTheFloatOnesAtEveryDimension() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        for (int round = 0; round < 24; round++) {
            int dim = round < 4 ? round + 1 : 1 + random.nextInt(round % 3 == 0 ? 2048 : 200);
            float[][] base = new float[64][dim];
            float shift = (float) random.nextGaussian() * 3; // data not centred on zero
            for (float[] v : base) {
                for (int d = 0; d < dim; d++) {
                    v[d] = shift + (float) random.nextGaussian() * (1 + d % 5);
                }
            }
            for (Distance distance : List.of(Distance.EUCLID, Distance.DOT, Distance.COSINE)) {
                boolean cosine = distance == Distance.COSINE;
                try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, cosine);
                     Arena arena = Arena.ofConfined()) {
                    ScalarQuantizer quantizer = ScalarQuantizer.train(store, distance,
                            ScalarQuantizationConfig.defaults(), seed);
                    assertTrue(quantizer.perVector());
                    ScalarQuantizer.QuantizedVectors codes = encodeAll(quantizer, store, arena);
                    float[] query = base[random.nextInt(base.length)].clone();
                    query[0] += 0.5f;
                    if (cosine) {
                        VectorKernels.normalize(query);
                    }
                    NodeScorer scorer = quantizer.scorer(query, codes);
                    int[] ords = new int[store.size()];
                    Arrays.setAll(ords, i -> i);
                    float[] bulk = new float[ords.length];
                    scorer.similarities(ords, ords.length, bulk);
                    for (int ord = 0; ord < store.size(); ord++) {
                        float[] x = store.toArray(ord);
                        double exact = 0;
                        double scaleOfTerms = 0; // the size of what the codes approximate
                        for (int d = 0; d < dim; d++) {
                            exact += distance == Distance.EUCLID ? (query[d] - x[d]) * (query[d] - x[d])
                                    : query[d] * x[d];
                            scaleOfTerms += Math.abs(query[d]) * Math.abs(x[d]) + query[d] * query[d] + x[d] * x[d];
                        }
                        exact = distance == Distance.EUCLID ? -exact : exact;
                        // each component is off by at most half a step (range / 508) on each side
                        double tolerance = 0.02 * scaleOfTerms + 1e-4;
                        String what = distance + " dim " + dim + " ord " + ord + " seed " + seed;
                        assertEquals(exact, scorer.similarity(ord), tolerance, what);
                        assertEquals(scorer.similarity(ord), bulk[ord], 1e-5 * Math.max(1, Math.abs(bulk[ord])),
                                what + " (bulk)");
                    }
                }
            }
        }
    }

    @Test
    void perVectorScalingRanksUnitNormalisedImagesBetterThanOneGlobalRange() {
        TestVectors data = TestVectors.fashionMnist10k();
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(data.base, true);
             Arena arena = Arena.ofConfined()) {
            ScalarQuantizer perVector = ScalarQuantizer.train(store, Distance.COSINE,
                    ScalarQuantizationConfig.defaults(), 1L);
            ScalarQuantizer global = ScalarQuantizer.train(store, Distance.COSINE, new ScalarQuantizationConfig(
                    0.999999f), 1L); // all but a handful of values: the global range Qdrant uses by default
            assertTrue(perVector.perVector());
            assertFalse(global.perVector());
            double perVectorRecall = codeOnlyRecall(perVector, encodeAll(perVector, store, arena), store, data);
            double globalRecall = codeOnlyRecall(global, encodeAll(global, store, arena), store, data);
            System.out.printf("cosine, int8 scores only (no graph, no rescoring), recall@10: per-vector %.4f, "
                    + "global %.4f%n", perVectorRecall, globalRecall);
            assertTrue(perVectorRecall >= 0.95, "per-vector recall " + perVectorRecall);
            assertTrue(perVectorRecall > globalRecall + 0.02, perVectorRecall + " vs global " + globalRecall);
        }
    }

    /** Recall@10 of ranking every vector by its code similarity, against the exact cosine ground truth. */
    private static double codeOnlyRecall(ScalarQuantizer quantizer, ScalarQuantizer.QuantizedVectors codes,
                                         OffHeapVectorStore store, TestVectors data) {
        int n = store.size();
        int[] ords = new int[n];
        Arrays.setAll(ords, i -> i);
        float[] sims = new float[n];
        double sum = 0;
        int queries = Math.min(200, data.queries.length);
        for (int q = 0; q < queries; q++) {
            float[] query = VectorKernels.normalize(data.queries[q].clone());
            quantizer.scorer(query, codes).similarities(ords, n, sims);
            TopK top = new TopK(TestVectors.K);
            for (int i = 0; i < n; i++) {
                top.offer(i, sims[i]);
            }
            List<ScoredOrd> found = top.toResults(Distance.DOT, TestVectors.K).stream() // best code scores first
                    .map(r -> new ScoredOrd(r.ord(), Distance.COSINE.score(query, store.toArray(r.ord()))))
                    .toList(); // exact scores, for the ground truth's tie rule
            sum += TestVectors.recall(found, data.gtCosine[q], data.gtCosineScores[q], TestVectors.K,
                    Distance.COSINE);
        }
        return sum / queries;
    }
}
