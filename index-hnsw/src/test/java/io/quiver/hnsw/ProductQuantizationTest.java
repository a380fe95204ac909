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
 * Product quantization: a record holds each bucket's nearest centroid, a query's table scores a record as the float
 * similarity to its reconstruction, and an index searched on the codes and rescored finds the exact neighbours of
 * fashion-mnist-10k (Euclid and Cosine), also after a write and reopen.
 */
class ProductQuantizationTest {

    private static FashionStores stores;
    private static TestVectors data;

    @BeforeAll
    static void load() {
        stores = new FashionStores();
        data = stores.data;
    }

    @AfterAll
    static void free() {
        stores.close();
    }

    /** The vector {@code quantizer} stores for {@code codes}: each bucket's centroid, cut to the dimension. */
    private static float[] reconstruction(ProductQuantizer quantizer, byte[] codes, int dim) {
        int size = quantizer.bucketSize();
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            int b = i / size;
            out[i] = quantizer.centroidComponent(b, codes[b] & 0xFF, i % size);
        }
        return out;
    }

    @Test
    void recordsNameTheNearestCentroidAndScoresAreThoseOfTheReconstruction() {
        SplittableRandom random = new SplittableRandom(TestVectors.seed());
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 40; round++) {
                int dim = 1 + random.nextInt(70);
                int size = 1 << random.nextInt(5);
                int n = 1 + random.nextInt(600);
                float[][] vectors = new float[n][dim];
                for (float[] v : vectors) {
                    for (int i = 0; i < dim; i++) {
                        v[i] = (float) random.nextGaussian();
                    }
                }
                Distance distance = Distance.values()[random.nextInt(Distance.values().length)];
                try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(vectors, false)) {
                    ProductQuantizer quantizer = ProductQuantizer.train(store, distance,
                            new ProductQuantizationConfig(size), random.nextLong(), 1 + random.nextInt(2));
                    int buckets = ProductQuantizer.buckets(dim, size);
                    MemorySegment records = arena.allocate((long) n * buckets + 3);
                    float[] query = new float[dim];
                    for (int i = 0; i < dim; i++) {
                        query[i] = (float) random.nextGaussian();
                    }
                    for (int j = 0; j < n; j++) {
                        quantizer.encode(store.vector(j), 0, records, 3 + (long) j * buckets);
                        byte[] codes = records.asSlice(3 + (long) j * buckets, buckets).toArray(ValueLayout.JAVA_BYTE);
                        assertArrayEquals(quantizer.encode(vectors[j]), codes);
                        for (int b = 0; b < buckets; b++) { // no centroid of the bucket is nearer than the chosen one
                            float chosen = bucketDistance(vectors[j], quantizer, b, codes[b] & 0xFF, size);
                            for (int k = 0; k < ProductQuantizer.CENTROIDS; k++) {
                                assertTrue(chosen <= bucketDistance(vectors[j], quantizer, b, k, size) + 1e-5f);
                            }
                        }
                    }
                    NodeScorer scorer = quantizer.scorer(query, records, 3);
                    for (int j = 0; j < n; j++) {
                        byte[] codes = records.asSlice(3 + (long) j * buckets, buckets).toArray(ValueLayout.JAVA_BYTE);
                        float expected = distance.similarity(query, reconstruction(quantizer, codes, dim));
                        assertEquals(expected, scorer.similarity(j), 1e-4f * Math.max(1f, Math.abs(expected)),
                                distance + " dim " + dim + " bucket " + size);
                    }
                }
            }
        }
    }

    /** Squared distance of {@code v}'s bucket {@code b} (zero-padded) to centroid {@code k}. */
    private static float bucketDistance(float[] v, ProductQuantizer quantizer, int b, int k, int size) {
        float sum = 0;
        for (int j = 0; j < size; j++) {
            int i = b * size + j;
            float d = (i < v.length ? v[i] : 0f) - quantizer.centroidComponent(b, k, j);
            sum += d * d;
        }
        return sum;
    }

    @Test
    void rescoredProductSearchFindsTheExactNeighbours(@TempDir Path dir) throws Exception {
        for (Distance distance : new Distance[] {Distance.EUCLID, Distance.COSINE}) {
            OffHeapVectorStore store = stores.of(distance);
            int[][] gt = distance == Distance.COSINE ? data.gtCosine : data.gtEuclid;
            float[][] gtScores = distance == Distance.COSINE ? data.gtCosineScores : data.gtEuclidScores;
            Path file = dir.resolve("pq-" + distance);
            try (HnswIndex index = HnswIndex.build(store, distance, HnswParams.defaults(), 2,
                    ProductQuantizationConfig.ofCompression(16))) {
                assertTrue(index.isQuantized() && !index.isBinary());
                assertEquals((long) store.size() * ProductQuantizer.buckets(store.dimension(), 4),
                        index.quantizedBytes(), "one byte per 4 components: 16x less than the floats");
                assertTrue(index.builtWith(HnswParams.defaults(), new ProductQuantizationConfig(4)));
                assertFalse(index.builtWith(HnswParams.defaults(), new ProductQuantizationConfig(8)));
                double rescored = recall(index, distance, gt, gtScores, QuantizationSearchParams.defaults()
                        .withOversampling(4));
                double codesOnly = recall(index, distance, gt, gtScores, new QuantizationSearchParams(false, false, 1));
                System.out.printf("product x16 %s: recall@10 rescored (oversampling 4) %.4f, codes only %.4f%n",
                        distance, rescored, codesOnly);
                assertTrue(rescored >= 0.95, distance + " rescored " + rescored);
                assertTrue(codesOnly >= 0.6 && codesOnly < rescored, distance + " codes only " + codesOnly);
                index.write(file);
                try (HnswIndex reopened = HnswIndex.open(file, store, distance)) {
                    assertTrue(reopened.builtWith(HnswParams.defaults(), new ProductQuantizationConfig(4)));
                    QuantizationSearchParams p = new QuantizationSearchParams(false, false, 1);
                    for (float[] q : data.queries) {
                        List<ScoredOrd> a = index.search(q, 10, 40, null, p);
                        List<ScoredOrd> b = reopened.search(q, 10, 40, null, p);
                        assertEquals(a, b);
                    }
                }
            }
        }
    }

    private static double recall(HnswIndex index, Distance distance, int[][] gt, float[][] gtScores,
                                 QuantizationSearchParams params) {
        double sum = 0;
        for (int q = 0; q < data.queries.length; q++) {
            int beam = params.rescore() ? Math.max(64, (int) Math.ceil(10 * params.oversampling())) : 64;
            sum += TestVectors.recall(index.search(data.queries[q], 10, beam, null, params), gt[q], gtScores[q], 10,
                    distance);
        }
        return sum / data.queries.length;
    }
}
