package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HnswIndex#searchFiltered}: recall@10 against the exact filtered top 10 on fashion-mnist-10k for random
 * filters of several selectivities (the plain traversal at 50 %, the filter-aware one at 30 %, 10 % and 7 %), the
 * data set's correlated {@code samelabel} filter, and the anti-correlated {@code otherlabel} one (where the search
 * must either answer well or hand over to the exact scan by returning null); rejected ordinals (deleted points) are
 * never returned; a budget too small for the search makes it return null; the bulk exact scan of a set of ordinals
 * agrees with the scan through an accept-set. Random filters print their seed
 * ({@code -Dquiver.seed=}).
 */
class FilteredSearchTest {

    private static final int EF = 64;
    private static final TestVectors data = SharedEuclidIndex.DATA;
    private static final OffHeapVectorStore store = SharedEuclidIndex.STORE;
    private static final HnswIndex index = SharedEuclidIndex.INDEX;

    @Test
    void randomFiltersReachRecallAtEverySelectivity() {
        Random rnd = new Random(TestVectors.seed());
        for (double share : new double[] {0.5, 0.3, 0.1, 0.07}) {
            BitSet accepted = new BitSet();
            for (int i = 0; i < data.base.length; i++) {
                if (rnd.nextDouble() < share) {
                    accepted.set(i);
                }
            }
            double recall = filteredRecall(q -> accepted, Long.MAX_VALUE);
            System.out.printf("searchFiltered %.0f %% random (%s): recall@10 %.4f%n", share * 100,
                    HnswIndex.filterAware(share, index.params().m()) ? "filter-aware" : "plain", recall);
            assertTrue(recall >= 0.95, share + ": recall " + recall);
        }
    }

    @Test
    void correlatedAndAntiCorrelatedLabelFilters() {
        double same = filteredRecall(q -> label(data.queryLabels[q]), Long.MAX_VALUE, data.gtSameLabel,
                data.gtSameLabelScores);
        double other = filteredRecall(q -> label((data.queryLabels[q] + 5) % 10), Long.MAX_VALUE,
                data.gtOtherLabel, data.gtOtherLabelScores);
        System.out.printf("searchFiltered samelabel recall@10 %.4f, otherlabel %.4f (null answers scanned)%n", same,
                other);
        assertTrue(same >= 0.95, "samelabel recall " + same);
        assertTrue(other >= 0.95, "otherlabel recall " + other);
    }

    @Test
    void rejectedOrdinalsAreNeverReturned() {
        Random rnd = new Random(TestVectors.seed());
        for (double share : new double[] {0.6, 0.2}) {
            BitSet live = new BitSet();
            for (int i = 0; i < data.base.length; i++) {
                if (rnd.nextDouble() < share) {
                    live.set(i);
                }
            }
            for (int q = 0; q < 50; q++) {
                List<ScoredOrd> got = index.searchFiltered(data.queries[q], 10, EF, live::get, live.cardinality(),
                        Long.MAX_VALUE, QuantizationSearchParams.defaults());
                if (got != null) {
                    assertEquals(10, got.size());
                    for (ScoredOrd s : got) {
                        assertTrue(live.get(s.ord()), "returned rejected ordinal " + s.ord());
                    }
                }
            }
        }
    }

    @Test
    void aSmallBudgetHandsOverToTheExactScan() {
        BitSet half = new BitSet();
        for (int i = 0; i < data.base.length; i += 2) {
            half.set(i);
        }
        assertNull(index.searchFiltered(data.queries[0], 10, EF, half::get, half.cardinality(), 20,
                QuantizationSearchParams.defaults()));
        assertNotNull(index.searchFiltered(data.queries[0], 10, EF, half::get, half.cardinality(), Long.MAX_VALUE,
                QuantizationSearchParams.defaults()));
    }

    @Test
    void exactScanOfOrdinalsMatchesTheScanWithAnAcceptSet() {
        Random rnd = new Random(TestVectors.seed());
        BitSet ords = new BitSet();
        for (int i = 0; i < data.base.length; i++) {
            if (rnd.nextInt(10) < 3) {
                ords.set(i);
            }
        }
        ords.set(data.base.length + 5); // beyond the store: ignored
        AcceptOrds even = ord -> (ord & 1) == 0;
        for (int q = 0; q < 20; q++) {
            List<ScoredOrd> bulk = ExactSearch.search(store, Distance.EUCLID, data.queries[q], 10, ords, even);
            List<ScoredOrd> plain = ExactSearch.search(store, Distance.EUCLID, data.queries[q], 10,
                    ord -> ords.get(ord) && even.accept(ord));
            assertEquals(plain.size(), bulk.size());
            float kth = plain.get(plain.size() - 1).score();
            for (int i = 0; i < plain.size(); i++) {
                float tol = 1e-4f * Math.max(1f, plain.get(i).score());
                assertEquals(plain.get(i).score(), bulk.get(i).score(), tol); // the bulk kernel sums in another order
                int ord = bulk.get(i).ord();
                assertTrue(ords.get(ord) && even.accept(ord), "scanned an ordinal outside the set: " + ord);
                boolean same = plain.stream().anyMatch(p -> p.ord() == ord);
                assertTrue(same || Math.abs(bulk.get(i).score() - kth) <= tol, "ordinal " + ord + " not in the top");
            }
        }
    }

    @Test
    void filterAwareOnlyBetweenOneOverMAndItsMaximumShare() {
        assertFalse(HnswIndex.filterAware(0.5, 16));
        assertTrue(HnswIndex.filterAware(0.1, 16));
        assertFalse(HnswIndex.filterAware(0.01, 16));
    }

    private static BitSet label(int label) {
        BitSet b = new BitSet();
        for (int i = 0; i < data.baseLabels.length; i++) {
            if (data.baseLabels[i] == label) {
                b.set(i);
            }
        }
        return b;
    }

    private double filteredRecall(java.util.function.IntFunction<BitSet> filter, long budget) {
        int[][] gt = new int[data.queries.length][];
        float[][] gtScores = new float[data.queries.length][];
        for (int q = 0; q < data.queries.length; q++) {
            List<ScoredOrd> exact = ExactSearch.search(store, Distance.EUCLID, data.queries[q], TestVectors.K,
                    filter.apply(q)::get);
            gt[q] = exact.stream().mapToInt(ScoredOrd::ord).toArray();
            gtScores[q] = new float[gt[q].length];
            for (int i = 0; i < gt[q].length; i++) {
                gtScores[q][i] = exact.get(i).score();
            }
        }
        return filteredRecall(filter, budget, gt, gtScores);
    }

    /** Mean recall@10; a null answer (hand-over to the exact scan) is answered by the exact scan, as the engine does. */
    private double filteredRecall(java.util.function.IntFunction<BitSet> filter, long budget, int[][] gt,
                                  float[][] gtScores) {
        double sum = 0;
        int scanned = 0;
        for (int q = 0; q < data.queries.length; q++) {
            BitSet accepted = filter.apply(q);
            List<ScoredOrd> got = index.searchFiltered(data.queries[q], TestVectors.K, EF, accepted::get,
                    accepted.cardinality(), budget, QuantizationSearchParams.defaults());
            if (got == null) {
                scanned++;
                got = ExactSearch.search(store, Distance.EUCLID, data.queries[q], TestVectors.K, accepted::get);
            }
            List<ScoredOrd> checked = new ArrayList<>(got);
            for (ScoredOrd s : checked) {
                assertTrue(accepted.get(s.ord()), "returned rejected ordinal " + s.ord());
            }
            sum += TestVectors.recall(got, gt[q], gtScores[q], TestVectors.K, Distance.EUCLID);
        }
        System.out.printf("  %d of %d queries handed over to the exact scan%n", scanned, data.queries.length);
        return sum / data.queries.length;
    }
}
