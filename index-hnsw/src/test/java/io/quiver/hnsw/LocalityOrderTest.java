package io.quiver.hnsw;

import static io.quiver.hnsw.HnswFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locality order of graph nodes (format 2): it is a permutation with upper-level nodes first; searching the
 * reordered layout returns exactly what the same graph laid out in ordinal order returns (a format 1 file, which is
 * still read); results, scores and filters are in the store's ordinals, for float and int8 indexes. One
 * single-threaded build on fashion-mnist-10k (Euclidean) is shared.
 */
class LocalityOrderTest {

    private static TestVectors data;
    private static OffHeapVectorStore store;
    private static OnHeapHnswGraph graph;

    @BeforeAll
    static void build() {
        data = TestVectors.fashionMnist10k();
        store = OffHeapVectorStore.copyOf(data.base, false);
        graph = new HnswBuilder(store, Distance.EUCLID, HnswParams.defaults()).build(1);
    }

    @AfterAll
    static void free() {
        store.close();
    }

    @Test
    void orderIsAPermutationWithUpperLevelsFirst() {
        LocalityOrder order = LocalityOrder.of(graph);
        int n = graph.size();
        boolean[] seen = new boolean[n];
        for (int node = 0; node < n; node++) {
            int ord = order.nodeToOrd[node];
            assertFalse(seen[ord], "ordinal " + ord + " twice");
            seen[ord] = true;
            assertEquals(node, order.ordToNode[ord]);
            if (node > 0) {
                assertTrue(graph.levels[order.nodeToOrd[node - 1]] >= graph.levels[ord], "levels descend at " + node);
            }
        }
        assertEquals(graph.entryPoint(), order.nodeToOrd[0], "the entry point has the top level and comes first");
        int moved = 0;
        for (int node = 0; node < n; node++) {
            moved += order.nodeToOrd[node] != node ? 1 : 0;
        }
        assertTrue(moved > n / 2, "only " + moved + " nodes renumbered: the layout tests would prove nothing");
    }

    /** The same graph in ordinal order, as a format 1 file (no node-to-ordinal table) of {@code quantizerOrNull}. */
    private static Path writeFormat1(Path file, ScalarQuantizer quantizerOrNull) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = HnswFileWriter.layOut(graph, LocalityOrder.identity(graph.size()), store,
                    Distance.EUCLID, HnswParams.defaults(), quantizerOrNull, 1f, null, null, arena);
            seg.set(ValueLayout.JAVA_INT_UNALIGNED, VERSION_OFFSET, 1);
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, ORDINALS_OFFSET, 0L);
            long footer = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, FOOTER_OFFSET);
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, footer + 8, HnswFileWriter.crc32c(seg, footer));
            Files.write(file, seg.toArray(ValueLayout.JAVA_BYTE));
        }
        return file;
    }

    private static Path writeReordered(Path file, ScalarQuantizer quantizerOrNull) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = HnswFileWriter.layOut(graph, LocalityOrder.of(graph), store, Distance.EUCLID,
                    HnswParams.defaults(), quantizerOrNull, 1f, null, null, arena);
            assertEquals(VERSION, seg.get(ValueLayout.JAVA_INT_UNALIGNED, VERSION_OFFSET));
            Files.write(file, seg.toArray(ValueLayout.JAVA_BYTE));
        }
        return file;
    }

    @Test
    void reorderedLayoutReturnsWhatTheOrdinalLayoutReturns(@TempDir Path dir) throws IOException {
        try (HnswIndex ordinal = HnswIndex.open(writeFormat1(dir.resolve("v1.graph"), null), store, Distance.EUCLID);
             HnswIndex reordered = HnswIndex.open(writeReordered(dir.resolve("v2.graph"), null), store,
                     Distance.EUCLID)) {
            for (int i = 0; i < 200; i++) {
                float[] q = data.queries[i];
                List<ScoredOrd> expected = ordinal.search(q, 10, 32, null);
                List<ScoredOrd> got = reordered.search(q, 10, 32, null);
                assertEquals(expected, got, "query " + i);
                for (ScoredOrd r : got) {
                    assertEquals(Distance.EUCLID.score(q, data.base[r.ord()]), r.score(), 1e-3, "score of " + r);
                }
            }
        }
    }

    @Test
    void reorderedInt8LayoutRescoresTheCallersOrdinals(@TempDir Path dir) throws IOException {
        // format 1 knows only the global scaling (a quantile below 1 keeps it)
        ScalarQuantizer quantizer = ScalarQuantizer.train(store, Distance.EUCLID,
                new ScalarQuantizationConfig(0.99999f), 1L);
        assertFalse(quantizer.perVector());
        try (HnswIndex ordinal = HnswIndex.open(writeFormat1(dir.resolve("v1.graph"), quantizer), store,
                Distance.EUCLID);
             HnswIndex reordered = HnswIndex.open(writeReordered(dir.resolve("v2.graph"), quantizer), store,
                     Distance.EUCLID)) {
            assertTrue(reordered.isQuantized());
            int same = 0;
            for (int i = 0; i < 200; i++) {
                float[] q = data.queries[i];
                List<ScoredOrd> got = reordered.search(q, 10, 32, null);
                for (ScoredOrd r : got) {
                    assertEquals(Distance.EUCLID.score(q, data.base[r.ord()]), r.score(), 1e-3, "score of " + r);
                }
                // equal int8 scores may break ties by node number, which the two layouts number differently
                same += got.equals(ordinal.search(q, 10, 32, null)) ? 1 : 0;
            }
            assertTrue(same >= 190, same + " of 200 queries identical");
        }
    }

    @Test
    void filtersAndResultsAreInTheCallersOrdinals(@TempDir Path dir) throws IOException {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        int n = store.size();
        long[] bits = new long[(n + 63) / 64];
        for (int i = 0; i < n; i++) {
            if (random.nextInt(4) == 0) {
                bits[i >>> 6] |= 1L << i;
            }
        }
        AcceptOrds accept = AcceptOrds.ofBits(bits);
        try (HnswIndex ordinal = HnswIndex.open(writeFormat1(dir.resolve("v1.graph"), null), store, Distance.EUCLID);
             HnswIndex reordered = HnswIndex.open(writeReordered(dir.resolve("v2.graph"), null), store,
                     Distance.EUCLID)) {
            for (int i = 0; i < 100; i++) {
                float[] q = data.queries[i];
                List<ScoredOrd> got = reordered.search(q, 10, 32, accept);
                assertEquals(10, got.size(), "seed " + seed);
                for (ScoredOrd r : got) {
                    assertTrue(accept.accept(r.ord()), "rejected ordinal " + r.ord() + " returned, seed " + seed);
                }
                assertEquals(ordinal.search(q, 10, 32, accept), got, "query " + i + ", seed " + seed);
                int banned = got.get(0).ord();
                assertTrue(reordered.search(q, 10, 32, ord -> accept.accept(ord) && ord != banned).stream()
                        .noneMatch(r -> r.ord() == banned));
            }
        }
    }
}
