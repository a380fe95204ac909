package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The graph {@link HnswBuilder} leaves behind, on the 10 000 fashion-mnist-10k images: well-formed layer-0 link lists,
 * and the lists that reverse links overflowed kept full. A full list drops one link for a new one; re-selecting it by
 * the heuristic instead (the builder before 2026-12-04) left 0.3 % of the lists full here, dropping one leaves 2.6 %.
 */
class HnswBuilderTest {

    private static final int NODES = 10_000;

    @Test
    void layerZeroListsAreWellFormedAndOverflowedOnesStayFull() {
        TestVectors data = TestVectors.fashionMnist10k();
        HnswParams params = HnswParams.defaults();
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(Arrays.copyOf(data.base, NODES), false)) {
            OnHeapHnswGraph graph = new HnswBuilder(store, Distance.EUCLID, params).build(1);
            int maxLinks = 2 * params.m();
            int[] links = new int[maxLinks];
            long total = 0;
            int full = 0;
            for (int node = 0; node < NODES; node++) {
                int n = graph.neighbors(0, node, links);
                assertTrue(n >= 1 && n <= maxLinks, "node " + node + " has " + n + " links");
                Set<Integer> distinct = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    assertTrue(links[i] >= 0 && links[i] < NODES && links[i] != node, "node " + node + " links "
                            + links[i]);
                    distinct.add(links[i]);
                }
                assertEquals(n, distinct.size(), "node " + node + " has a duplicate link");
                total += n;
                full += n == maxLinks ? 1 : 0;
            }
            double meanDegree = (double) total / NODES;
            System.out.printf("layer 0 of %d nodes: mean degree %.1f of %d, %.1f %% of the lists full%n", NODES,
                    meanDegree, maxLinks, 100.0 * full / NODES);
            assertTrue(meanDegree >= params.m() / 2.0, "mean layer-0 degree " + meanDegree);
            assertTrue(full >= NODES * 15 / 1000, full + " full lists of " + NODES);
        }
    }
}
