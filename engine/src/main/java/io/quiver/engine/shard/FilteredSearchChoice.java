package io.quiver.engine.shard;

import io.quiver.hnsw.AcceptOrds;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.ScoredOrd;
import io.quiver.hnsw.QuantizationSearchParams;
import java.util.List;

/**
 * Chooses, for one filtered search of one indexed segment, between an exact scan of the matching points and a graph
 * search, by counting distance computations. An exact scan computes one distance per matching point. Rather than
 * predicting the graph's cost (which depends on how the filter correlates with the query: a filter on the query's own
 * class accepts most of its neighbourhood, one on a far class almost none of it), the graph search is tried with a
 * budget of {@code matching / GRAPH_COST_FACTOR} scored vectors and given up for the exact scan when it runs out
 * (Lucene's filtered kNN query does the same with its visit limit), or when its filter-aware traversal finds the
 * neighbourhood too sparsely accepted to trust ({@link HnswIndex#searchFiltered}). Only when the matching set is
 * smaller than any graph search would score is it scanned at once. Stateless; called on the searching thread under
 * the shard's read lock.
 */
final class FilteredSearchChoice {

    /**
     * A graph search scores at least about this many vectors per unit of ef (measured unfiltered on 40 000
     * fashion-mnist vectors, m 16: 14 at ef 32, 11 at ef 64): fewer matching points are scanned without trying it.
     */
    static final int MIN_GRAPH_SCORES_PER_EF = 8;

    /**
     * A vector scored by a graph search costs about this many scanned ones (random reads of vectors and neighbour
     * lists, heaps, the visited set, against a sequential scan).
     */
    static final int GRAPH_COST_FACTOR = 2;

    /**
     * Vectors the plain traversal scores per expanded node, about {@code ef / p} of which it expands for a filter
     * accepting a share {@code p} uncorrelated with the query (measured on 40 000 fashion-mnist vectors, m 16: 4.3 at
     * ef 32 for a random 10 % filter); a plain search whose expectation exceeds its budget is not tried.
     */
    static final double PLAIN_SCORES_PER_EXPANSION = 4;

    private FilteredSearchChoice() {
    }

    /**
     * True when a graph search is expected to cost fewer distance computations than an exact scan of
     * {@code likelyMatching} points even if the filter is uncorrelated with the query (no budget needed).
     */
    static boolean graphWinsAnyway(HnswIndex index, int ef, long likelyMatching, long liveCount) {
        int n = (int) Math.max(1, liveCount);
        return likelyMatching > 0 && graphCost((double) likelyMatching / n, n, ef, index.params().m()) < likelyMatching;
    }

    /**
     * An upper bound of the distance computations of a graph search whose accept-set covers a fraction {@code p} of
     * the points around the query: to collect {@code ef} accepted results the beam expands about {@code ef / p} nodes,
     * each scoring at most its {@code 2m} layer-0 neighbours; the upper layers add about {@code m log n}. Capped at the
     * segment size. (Measured counts are 4-7 times lower, since neighbours overlap.)
     */
    static double graphCost(double p, int n, int ef, int m) {
        double expanded = Math.max(ef, 10) / Math.max(p, 1.0 / n);
        return Math.min((double) n, expanded * 2 * m) + m * Math.log(Math.max(2, n));
    }

    /**
     * The graph search's top {@code k} for a filter whose {@code matchingCount} matching points {@code accept}
     * accepts (codes used as {@code quantization} says), or null when the exact scan of those points is the cheaper
     * (or the only trustworthy) answer.
     */
    static List<ScoredOrd> graphOrNull(HnswIndex index, float[] query, int k, int ef, AcceptOrds accept,
            long matchingCount, QuantizationSearchParams quantization) {
        long budget = matchingCount / GRAPH_COST_FACTOR;
        if (matchingCount <= (long) MIN_GRAPH_SCORES_PER_EF * ef) {
            return null;
        }
        if (!index.traversesFilterAware(matchingCount)
                && PLAIN_SCORES_PER_EXPANSION * Math.max(ef, k) * (double) index.size() / matchingCount > budget) {
            return null; // too selective for the filter-aware traversal, and the plain one would run out anyway
        }
        return index.searchFiltered(query, k, ef, accept, matchingCount, budget, quantization);
    }
}
