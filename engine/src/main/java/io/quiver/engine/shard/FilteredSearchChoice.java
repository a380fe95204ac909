package io.quiver.engine.shard;

import io.quiver.hnsw.AcceptOrds;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.ScoredOrd;
import java.util.BitSet;
import java.util.List;

/**
 * Chooses, for one filtered search of one indexed segment whose matching set is known exactly, between an exact scan
 * of the matching points and a graph search with the matching set as accept-set, by counting distance computations.
 * An exact scan computes one distance per matching point. A graph search computes about {@code ef / p · 2m} (see
 * {@link #graphCost}) where {@code p} is the fraction of accepted points <i>around the query</i>: for a filter
 * uncorrelated with the vectors that is its global selectivity, but a filter correlated with them (the query's own
 * class, say) accepts most of the query's neighbourhood and makes the graph far cheaper than the selectivity
 * predicts. When the two costs straddle the exact scan's cost, a small unfiltered probe search measures the local
 * acceptance: its {@link #PROBE_SIZE} nearest points, of which the accepted share (Laplace-smoothed) estimates
 * {@code p}. Stateless; called on the searching thread under the shard's read lock.
 */
final class FilteredSearchChoice {

    /** Beam and result count of the probe: enough points to tell "mostly accepted" from "rarely accepted". */
    static final int PROBE_SIZE = 16;

    private FilteredSearchChoice() {
    }

    /**
     * True when a graph search is expected to cost fewer distance computations than an exact scan of
     * {@code likelyMatching} points even if the filter is uncorrelated with the query (no probe needed).
     */
    static boolean graphWinsAnyway(HnswIndex index, int ef, long likelyMatching, long liveCount) {
        int n = (int) Math.max(1, liveCount);
        return likelyMatching > 0 && graphCost((double) likelyMatching / n, n, ef, index.params().m()) < likelyMatching;
    }

    /**
     * Expected distance computations of a graph search whose accept-set covers a fraction {@code p} of the points
     * around the query: to collect {@code ef} accepted results the beam expands about {@code ef / p} nodes, and
     * Quiver's layer-0 search scores every not yet visited neighbour of an expanded node, up to {@code 2m} of them
     * (the layer-0 degree); the upper layers add about {@code m log n}. Capped at the segment size.
     */
    static double graphCost(double p, int n, int ef, int m) {
        double expanded = Math.max(ef, 10) / Math.max(p, 1.0 / n);
        return Math.min((double) n, expanded * 2 * m) + m * Math.log(Math.max(2, n));
    }

    /**
     * Whether to search the graph rather than scan the {@code matching} ordinals exactly, for a query with beam
     * width {@code ef}. {@code liveAccept} rejects deleted points (null when there are none); {@code query} is only
     * used by the probe.
     */
    static boolean preferGraph(HnswIndex index, float[] query, int ef, BitSet matching, long matchingCount,
            long liveCount, AcceptOrds liveAccept) {
        int m = index.params().m();
        int n = (int) Math.max(1, liveCount);
        double exactCost = matchingCount;
        if (exactCost <= graphCost(1, n, ef, m)) {
            return false; // cheaper than even an unfiltered graph search
        }
        if (graphWinsAnyway(index, ef, matchingCount, liveCount)) {
            return true; // broad enough that the graph wins whatever the correlation
        }
        List<ScoredOrd> probe = index.search(query, PROBE_SIZE, PROBE_SIZE, liveAccept);
        int accepted = 0;
        for (ScoredOrd s : probe) {
            if (matching.get(s.ord())) {
                accepted++;
            }
        }
        double local = (accepted + 1.0) / (probe.size() + 2.0);
        double p = Math.max(local, (double) matchingCount / n);
        double probeCost = graphCost(1, n, PROBE_SIZE, m);
        return graphCost(p, n, ef, m) + probeCost < exactCost;
    }
}
