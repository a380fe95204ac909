package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binary quantization: records hold the signs, the two query encodings score as their definitions say, and an index
 * searched on bits and rescored on floats finds the exact neighbours of centred real images (fashion-mnist-10k minus
 * its mean: sign bits of raw pixels, all non-negative, would say nothing), also after a write and reopen.
 */
class BinaryQuantizationTest {

    private static TestVectors data;
    private static float[][] centredQueries;
    private static OffHeapVectorStore cosineStore;
    private static OffHeapVectorStore euclidStore;

    @BeforeAll
    static void load() {
        data = TestVectors.fashionMnist10k();
        int dim = data.base[0].length;
        float[] mean = new float[dim];
        for (float[] v : data.base) {
            for (int i = 0; i < dim; i++) {
                mean[i] += v[i] / data.base.length;
            }
        }
        float[][] base = centred(data.base, mean);
        centredQueries = centred(data.queries, mean);
        cosineStore = OffHeapVectorStore.copyOf(base, true);
        euclidStore = OffHeapVectorStore.copyOf(base, false);
    }

    @AfterAll
    static void free() {
        cosineStore.close();
        euclidStore.close();
    }

    private static float[][] centred(float[][] vectors, float[] mean) {
        float[][] out = new float[vectors.length][];
        for (int j = 0; j < vectors.length; j++) {
            out[j] = new float[mean.length];
            for (int i = 0; i < mean.length; i++) {
                out[j][i] = vectors[j][i] - mean[i];
            }
        }
        return out;
    }

    @Test
    void recordsHoldTheSignOfEveryComponentAndNothingElse() {
        SplittableRandom random = new SplittableRandom(TestVectors.seed());
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 200; round++) {
                int dim = 1 + random.nextInt(300);
                float[] v = new float[dim];
                for (int i = 0; i < dim; i++) {
                    v[i] = random.nextInt(5) == 0 ? 0f : (float) random.nextGaussian();
                }
                BinaryQuantizer quantizer = new BinaryQuantizer(dim, Distance.DOT, 1);
                long[] bits = quantizer.encode(v);
                assertEquals(BinaryQuantizer.words(dim), bits.length);
                MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
                MemorySegment dst = arena.allocate(BinaryQuantizer.stride(dim) + 8L);
                quantizer.encode(src, 0, dst, 8);
                for (int w = 0; w < bits.length; w++) {
                    assertEquals(bits[w], dst.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 + 8L * w), "word " + w);
                }
                for (int i = 0; i < 64 * bits.length; i++) {
                    boolean set = (bits[i >>> 6] >>> (i & 63) & 1) != 0;
                    assertEquals(i < dim && v[i] > 0f, set, "dim " + dim + " component " + i);
                }
            }
        }
    }

    @Test
    void bothQueryEncodingsScoreAsTheirDefinitions() {
        SplittableRandom random = new SplittableRandom(TestVectors.seed());
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 100; round++) {
                int dim = 1 + random.nextInt(200);
                int n = 1 + random.nextInt(20);
                float[][] vectors = new float[n][dim];
                for (float[] v : vectors) {
                    for (int i = 0; i < dim; i++) {
                        v[i] = (float) random.nextGaussian();
                    }
                }
                float[] query = new float[dim];
                for (int i = 0; i < dim; i++) {
                    query[i] = (float) random.nextGaussian() * (random.nextBoolean() ? 3 : 1);
                }
                Distance distance = Distance.values()[random.nextInt(Distance.values().length)];
                MemorySegment records = arena.allocate((long) n * BinaryQuantizer.stride(dim));
                BinaryQuantizer encoder = new BinaryQuantizer(dim, distance, 1);
                for (int j = 0; j < n; j++) {
                    MemorySegment.copy(encoder.encode(vectors[j]), 0, records, ValueLayout.JAVA_LONG_UNALIGNED,
                            (long) j * BinaryQuantizer.stride(dim), BinaryQuantizer.words(dim));
                }
                BinaryQuantizer.Records at = new BinaryQuantizer.Records(records, 0, dim);
                for (int bits : new int[] {1, 4, 8}) {
                    NodeScorer scorer = new BinaryQuantizer(dim, distance, bits).scorer(query, at);
                    for (int j = 0; j < n; j++) {
                        double h = bits == 1 ? differingSigns(query, vectors[j]) : scalarDifference(query,
                                vectors[j], bits);
                        double expected = distance.higherIsBetter() ? dim - 2 * h : -h;
                        assertEquals(expected, scorer.similarity(j), 1e-4 * Math.max(1, Math.abs(expected)),
                                distance + " dim " + dim + " query bits " + bits);
                    }
                }
            }
        }
    }

    /** Components whose signs (above zero or not) differ. */
    private static int differingSigns(float[] a, float[] b) {
        int h = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > 0f != b[i] > 0f) {
                h++;
            }
        }
        return h;
    }

    /**
     * Qdrant's scalar query encoding written out per component: the query quantized to {@code 2^bits - 1} levels over
     * its symmetric range, each level XOR-ed with the stored bit repeated over the level's bits, the XOR-ed levels (bit
     * plane i weighing 2^i) summed and divided by the level count.
     */
    private static double scalarDifference(float[] query, float[] stored, int bits) {
        int levels = (1 << bits) - 1;
        float max = 0f;
        for (float x : query) {
            max = Math.max(max, Math.abs(x));
        }
        float step = 2f * max / levels;
        long sum = 0;
        for (int i = 0; i < query.length; i++) {
            int c = step > Math.ulp(1f) ? Math.round((query[i] + max) / step) % (levels + 1) : 0;
            int storedBits = stored[i] > 0f ? levels : 0;
            sum += c ^ storedBits;
        }
        return (double) sum / levels;
    }

    @Test
    void rescoredBinarySearchFindsTheExactNeighboursOfCentredImages() {
        for (Distance distance : new Distance[] {Distance.COSINE, Distance.EUCLID}) {
            OffHeapVectorStore store = distance == Distance.COSINE ? cosineStore : euclidStore;
            int[][] truth = exactNeighbours(store, distance);
            try (HnswIndex index = HnswIndex.build(store, distance, HnswParams.defaults(), 2,
                    BinaryQuantizationConfig.defaults())) {
                assertTrue(index.isQuantized() && index.isBinary());
                assertEquals((long) store.size() * BinaryQuantizer.stride(store.dimension()), index.quantizedBytes());
                // the engine widens the beam to k · oversampling, as Qdrant does; the index rescores what the beam holds
                double[] rescored = new double[4];
                for (int i = 0; i < rescored.length; i++) {
                    rescored[i] = meanRecall(index, truth, 64,
                            QuantizationSearchParams.defaults().withOversampling(2 << i));
                }
                double bitsOnly = meanRecall(index, truth, 64, new QuantizationSearchParams(false, false, 1));
                double floats = meanRecall(index, truth, 64, new QuantizationSearchParams(true, false, 1));
                System.out.printf("binary %s: recall@10 rescored at oversampling 2 / 4 / 8 / 16: %.4f / %.4f / %.4f / "
                        + "%.4f, bits only %.4f, floats %.4f%n", distance, rescored[0], rescored[1], rescored[2],
                        rescored[3], bitsOnly, floats);
                assertTrue(rescored[0] > bitsOnly + 0.1, rescored[0] + " vs bits only " + bitsOnly);
                for (int i = 1; i < rescored.length; i++) {
                    assertTrue(rescored[i] > rescored[i - 1], "oversampling " + (2 << i) + ": " + rescored[i]);
                }
                // signs carry direction, not length: Euclid loses more than cosine (measured 0.983 and 0.949)
                double floor = distance == Distance.COSINE ? 0.95 : 0.92;
                assertTrue(rescored[3] >= floor, distance + " rescored recall at oversampling 16: " + rescored[3]);
                assertTrue(floats >= 0.97, distance + " float recall " + floats);
            }
        }
    }

    @Test
    void aScalarEncodedQueryRanksBetterThanItsSigns() {
        int[][] truth = exactNeighbours(cosineStore, Distance.COSINE);
        int n = cosineStore.size();
        int dim = cosineStore.dimension();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment records = arena.allocate((long) n * BinaryQuantizer.stride(dim));
            BinaryQuantizer encoder = new BinaryQuantizer(dim, Distance.COSINE, 1);
            for (int j = 0; j < n; j++) {
                encoder.encode(cosineStore.vector(j), 0, records, (long) j * BinaryQuantizer.stride(dim));
            }
            BinaryQuantizer.Records at = new BinaryQuantizer.Records(records, 0, dim);
            double[] recall = new double[9];
            for (int bits : new int[] {1, 4, 8}) {
                BinaryQuantizer quantizer = new BinaryQuantizer(dim, Distance.COSINE, bits);
                double hits = 0;
                for (int q = 0; q < centredQueries.length; q++) {
                    NodeScorer scorer = quantizer.scorer(unit(centredQueries[q]), at);
                    TopK top = new TopK(TestVectors.K);
                    for (int j = 0; j < n; j++) {
                        top.offer(j, scorer.similarity(j));
                    }
                    hits += overlap(ords(top.toResults(Distance.COSINE, TestVectors.K)), truth[q]);
                }
                recall[bits] = hits / (centredQueries.length * (double) TestVectors.K);
            }
            System.out.printf("binary cosine, every record ranked by its bits: query signs %.4f, 4-bit query %.4f, "
                    + "8-bit query %.4f%n", recall[1], recall[4], recall[8]);
            assertTrue(recall[4] > recall[1] + 0.03, recall[4] + " vs " + recall[1]);
            assertTrue(recall[8] > recall[1] + 0.03, recall[8] + " vs " + recall[1]);
        }
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] /= (float) Math.sqrt(norm);
        }
        return out;
    }

    private static int overlap(int[] found, int[] truth) {
        int hits = 0;
        for (int id : found) {
            for (int t : truth) {
                if (t == id) {
                    hits++;
                    break;
                }
            }
        }
        return hits;
    }

    @Test
    void aReopenedBinaryIndexAnswersAsBuilt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("binary.hnsw");
        QuantizationSearchParams rescore = QuantizationSearchParams.defaults().withOversampling(3);
        QuantizationSearchParams bitsOnly = new QuantizationSearchParams(false, false, 1);
        try (HnswIndex built = HnswIndex.build(cosineStore, Distance.COSINE, HnswParams.defaults(), 2,
                new BinaryQuantizationConfig(4))) {
            built.write(file);
            try (HnswIndex reopened = HnswIndex.open(file, cosineStore, Distance.COSINE)) {
                assertTrue(reopened.isBinary());
                assertEquals(built.quantizedBytes(), reopened.quantizedBytes());
                for (float[] q : centredQueries) {
                    for (QuantizationSearchParams p : new QuantizationSearchParams[] {rescore, bitsOnly}) {
                        List<ScoredOrd> a = built.search(q, 10, 40, null, p);
                        List<ScoredOrd> b = reopened.search(q, 10, 40, null, p);
                        assertArrayEquals(ords(a), ords(b));
                        for (int i = 0; i < a.size(); i++) {
                            assertEquals(a.get(i).score(), b.get(i).score());
                        }
                    }
                }
            }
        }
    }

    /** What a caller compares to decide that an index must be rebuilt for a changed config; kept over a reopen. */
    @Test
    void anIndexKnowsTheConfigItWasBuiltWith(@TempDir Path dir) throws Exception {
        float[][] few = new float[1000][];
        for (int i = 0; i < few.length; i++) {
            few[i] = cosineStore.toArray(i);
        }
        HnswParams params = HnswParams.defaults().withM(8).withEfConstruct(40);
        IndexQuantization[] configs = {null, new ScalarQuantizationConfig(0.99f), ScalarQuantizationConfig.defaults(),
                BinaryQuantizationConfig.defaults(), new BinaryQuantizationConfig(8)};
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(few, false)) {
            for (int built = 0; built < configs.length; built++) {
                Path file = dir.resolve("index-" + built);
                try (HnswIndex index = HnswIndex.build(store, Distance.COSINE, params, 2, configs[built])) {
                    index.write(file);
                }
                try (HnswIndex reopened = HnswIndex.open(file, store, Distance.COSINE)) {
                    for (int wanted = 0; wanted < configs.length; wanted++) {
                        assertEquals(built == wanted, reopened.builtWith(params, configs[wanted]),
                                "built with " + configs[built] + ", asked " + configs[wanted]);
                    }
                    assertFalse(reopened.builtWith(params.withM(16), configs[built]), "another m");
                    assertFalse(reopened.builtWith(params.withEfConstruct(100), configs[built]), "another ef_construct");
                    assertTrue(reopened.builtWith(params.withSeed(7), configs[built]), "the seed is not a config");
                }
            }
        }
    }

    private static int[] ords(List<ScoredOrd> results) {
        return results.stream().mapToInt(ScoredOrd::ord).toArray();
    }

    private static int[][] exactNeighbours(OffHeapVectorStore store, Distance distance) {
        int[][] truth = new int[centredQueries.length][];
        for (int q = 0; q < centredQueries.length; q++) {
            truth[q] = ords(ExactSearch.search(store, distance, centredQueries[q], TestVectors.K, null));
        }
        return truth;
    }

    private static double meanRecall(HnswIndex index, int[][] truth, int ef, QuantizationSearchParams params) {
        double hits = 0;
        for (int q = 0; q < centredQueries.length; q++) {
            int k = TestVectors.K;
            int beam = params.rescore() && !params.ignore() ? Math.max(ef, (int) Math.ceil(k * params.oversampling()))
                    : ef;
            hits += overlap(ords(index.search(centredQueries[q], k, beam, null, params)), truth[q]);
        }
        return hits / (centredQueries.length * (double) TestVectors.K);
    }
}
