package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filtered search, deleted ids, concurrent vs single-threaded build, int8 quantization with rescoring, and the
 * write-close-reopen cycle, on the real fashion-mnist-10k set (Euclidean). One 2-thread float build is shared (with FilteredSearchTest, see SharedEuclidIndex).
 */
class HnswBehaviourTest {

    private static final TestVectors data = SharedEuclidIndex.DATA;
    private static final OffHeapVectorStore store = SharedEuclidIndex.STORE;
    private static final HnswIndex index = SharedEuclidIndex.INDEX;

    private static double recall(HnswIndex idx, int ef) {
        return HnswRecallTest.meanRecallOf(idx, data, Distance.EUCLID, data.gtEuclid, data.gtEuclidScores, ef);
    }

    @Test
    void filteredSearchReachesRecallOnRandomTenPercent() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        long[] bits = new long[(store.size() + 63) / 64];
        int accepted = 0;
        for (int i = 0; i < store.size(); i++) {
            if (random.nextInt(10) == 0) {
                bits[i >>> 6] |= 1L << i;
                accepted++;
            }
        }
        AcceptOrds accept = AcceptOrds.ofBits(bits);
        double sum = 0;
        for (float[] q : data.queries) {
            List<ScoredOrd> exact = ExactSearch.search(store, Distance.EUCLID, q, 10, accept);
            List<ScoredOrd> got = index.search(q, 10, 64, accept);
            assertEquals(10, got.size(), "filtered search returns k accepted results");
            for (ScoredOrd r : got) {
                assertTrue(accept.accept(r.ord()), "returned a rejected ordinal " + r.ord());
            }
            sum += recallAgainst(got, exact);
        }
        double recall = sum / data.queries.length;
        System.out.printf("filtered (10%% random, %d accepted) recall@10: %.4f%n", accepted, recall);
        assertTrue(recall >= 0.95, "filtered recall " + recall);
    }

    /**
     * The data set's own filtered ground truth: a 10 % label filter that correlates with the query (same label) and
     * one that does not (label + 5: the accepted points lie far from the query, the hard case).
     */
    @Test
    void labelFilteredSearchMatchesTheDataSetsFilteredGroundTruth() {
        double same = 0;
        double other = 0;
        for (int q = 0; q < data.queries.length; q++) {
            int label = data.queryLabels[q];
            int otherLabel = (label + 5) % 10;
            List<ScoredOrd> s = index.search(data.queries[q], 10, 64, ord -> data.baseLabels[ord] == label);
            List<ScoredOrd> o = index.search(data.queries[q], 10, 64, ord -> data.baseLabels[ord] == otherLabel);
            same += TestVectors.recall(s, data.gtSameLabel[q], data.gtSameLabelScores[q], 10, Distance.EUCLID);
            other += TestVectors.recall(o, data.gtOtherLabel[q], data.gtOtherLabelScores[q], 10, Distance.EUCLID);
            assertTrue(o.stream().allMatch(r -> data.baseLabels[r.ord()] == otherLabel));
        }
        same /= data.queries.length;
        other /= data.queries.length;
        System.out.printf("label filter recall@10 ef=64: same label %.4f, other label %.4f%n", same, other);
        assertTrue(same >= 0.95, "same-label recall " + same);
        assertTrue(other >= 0.95, "other-label recall " + other);
    }

    private static double recallAgainst(List<ScoredOrd> got, List<ScoredOrd> exact) {
        int[] gt = exact.stream().mapToInt(ScoredOrd::ord).toArray();
        float[] scores = new float[exact.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = exact.get(i).score();
        }
        return TestVectors.recall(got, gt, scores, gt.length, Distance.EUCLID);
    }

    @Test
    void deletedOrdinalsAreNeverReturned() {
        float[] q = data.queries[0];
        List<ScoredOrd> before = index.search(q, 10, 64, null);
        int deleted = before.get(0).ord();
        List<ScoredOrd> after = index.search(q, 10, 64, ord -> ord != deleted);
        assertEquals(10, after.size());
        assertTrue(after.stream().noneMatch(r -> r.ord() == deleted));
        assertEquals(before.get(1).ord(), after.get(0).ord());
    }

    @Test
    void concurrentBuildMatchesSingleThreadedRecall() {
        double multi = recall(index, 32);
        try (HnswIndex single = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 1)) {
            double one = recall(single, 32);
            System.out.printf("recall@10 ef=32: 1 thread %.4f, 2 threads %.4f%n", one, multi);
            assertTrue(multi >= one - 0.01, "2-thread build " + multi + " vs single " + one);
        }
    }

    @Test
    void int8QuantizedSearchWithRescoreKeepsRecall() {
        try (HnswIndex quantized = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 2,
                ScalarQuantizationConfig.defaults())) {
            assertTrue(quantized.isQuantized());
            double recall = recall(quantized, 64);
            double floatRecall = recall(index, 64);
            System.out.printf("int8+rescore recall@10 ef=64: %.4f (float %.4f); codes %d bytes vs floats %d%n",
                    recall, floatRecall, quantized.quantizedBytes(), 4L * store.size() * store.dimension());
            assertTrue(recall >= 0.95, "int8 recall " + recall);
            // rescored scores are exact float distances
            List<ScoredOrd> r = quantized.search(data.queries[0], 10, 64, null);
            assertEquals(Distance.EUCLID.score(data.queries[0], data.base[r.get(0).ord()]), r.get(0).score(), 1e-3);
        }
    }

    @Test
    void writeCloseReopenGivesIdenticalResults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hnsw.graph");
        index.write(file);
        try (HnswIndex reopened = HnswIndex.open(file, store, Distance.EUCLID)) {
            assertEquals(index.size(), reopened.size());
            for (float[] q : data.queries) {
                assertEquals(index.search(q, 10, 48, null), reopened.search(q, 10, 48, null));
            }
        }
    }

    @Test
    void quantizedIndexReopensWithCodes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hnsw-int8.graph");
        try (HnswIndex quantized = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 2,
                ScalarQuantizationConfig.defaults())) {
            quantized.write(file);
            try (HnswIndex reopened = HnswIndex.open(file, store, Distance.EUCLID)) {
                assertTrue(reopened.isQuantized());
                for (int i = 0; i < 50; i++) {
                    float[] q = data.queries[i];
                    assertEquals(quantized.search(q, 10, 48, null), reopened.search(q, 10, 48, null));
                }
            }
        }
    }

    @Test
    void corruptedFileIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hnsw.graph");
        index.write(file);
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, size / 2);
            one.flip();
            one.put(0, (byte) (one.get(0) ^ 0x5A));
            ch.write(one, size / 2);
        }
        assertThrows(CorruptIndexException.class, () -> HnswIndex.open(file, store, Distance.EUCLID));
        Files.write(file, new byte[200]);
        assertThrows(CorruptIndexException.class, () -> HnswIndex.open(file, store, Distance.EUCLID));
    }

    @Test
    void concurrentSearchesReturnTheSameResultsAsSequentialOnes() throws Exception {
        int n = 100;
        List<List<ScoredOrd>> expected = new java.util.ArrayList<>();
        for (int q = 0; q < n; q++) {
            expected.add(index.search(data.queries[q], 10, 32, null));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> checks = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int offset = t;
                checks.add(pool.submit(() -> {
                    for (int i = 0; i < n; i++) {
                        int q = (i + offset * 25) % n;
                        if (!expected.get(q).equals(index.search(data.queries[q], 10, 32, null))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> f : checks) {
                assertTrue(f.get(), "a concurrent search differed from the sequential one");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void costModelPrefersExactForTinyFilters() {
        assertTrue(SearchCostModel.preferExact(50, 1_000_000, 768, 64, 16));
        assertFalse(SearchCostModel.preferExact(500_000, 1_000_000, 768, 64, 16));
        assertFalse(SearchCostModel.preferExact(200_000, 1_000_000, 768, 64, 16, 0));
        assertTrue(SearchCostModel.preferExact(300, 1_000_000, 768, 64, 16, 0));
    }
}
