package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The graph {@link HnswBuilder} leaves behind, on the 10 000 fashion-mnist-10k images: well-formed layer-0 link lists,
 * and the lists that reverse links overflowed kept full. A full list drops one link for a new one; re-selecting it by
 * the heuristic instead (the builder before 2026-12-04) left 0.3 % of the lists full here with α = 1 and 2.7 % with
 * α = 1.1 (measured 2026-12-05), dropping one leaves 2.6 % with α = 1 and 21 % with α = 1.1 (mean degree 11.8 and
 * 20.4 of 32); the test asks for 10 %. And the slack of the diversity test on three points, where its decision can
 * be computed by hand.
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
            assertTrue(full >= NODES / 10, full + " full lists of " + NODES);
        }
    }

    /**
     * Base node b, a kept neighbour s (b's nearest) and a candidate c, with r = d(c, s) / d(c, b). Malkov &amp;
     * Yashunin's test (α = 1) prunes the link b → c whenever r &lt; 1; the builder's α keeps it while r ≥ 1 / α.
     * EUCLID in the plane: b = (0, 0), s = (1, 0), c = (0.55, 1) gives r = 1.097 / 1.141 = 0.961 (kept),
     * c = (1, 1.4) gives r = 0.81 (pruned). COSINE on the unit circle: s at angle 0, b at -β, c at γ, chords
     * {@code 2 sin(Δθ / 2)}: β = 0.2, γ = 2 gives r = sin 1 / sin 1.1 = 0.944 (kept), β = γ = 1 gives 0.57
     * (pruned).
     */
    @Test
    void theDiversityTestKeepsACandidateOnlySlightlyCloserToAKeptNeighbour() {
        assertTrue(HnswBuilder.DIVERSITY_ALPHA > 1 / 0.944f && HnswBuilder.DIVERSITY_ALPHA < 1 / 0.81f,
                "the points below assume 1.06 < alpha < 1.23");
        float[] s = {1f, 0f};
        float[] b = {0f, 0f};
        assertTrue(linksBaseToCandidate(Distance.EUCLID, s, new float[] {0.55f, 1f}, b), "euclid, r = 0.961");
        assertFalse(linksBaseToCandidate(Distance.EUCLID, s, new float[] {1f, 1.4f}, b), "euclid, r = 0.81");
        assertTrue(linksBaseToCandidate(Distance.COSINE, s, onCircle(2.0), onCircle(-0.2)), "cosine, r = 0.944");
        assertFalse(linksBaseToCandidate(Distance.COSINE, s, onCircle(1.0), onCircle(-1.0)), "cosine, r = 0.57");
    }

    private static float[] onCircle(double angle) {
        return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
    }

    /** Builds s, c, b (inserted in that order, so b chooses among s and c); says whether b links to c on layer 0. */
    private static boolean linksBaseToCandidate(Distance distance, float[] s, float[] c, float[] b) {
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(new float[][] {s, c, b}, false)) {
            OnHeapHnswGraph graph = new HnswBuilder(store, distance, HnswParams.defaults()).build(1);
            assertTrue(graph.hasLink(0, 2, 0), "b links to s, its nearest");
            return graph.hasLink(0, 2, 1);
        }
    }
}
