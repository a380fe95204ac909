package io.quiver.engine.index;

import io.quiver.hnsw.AcceptOrds;
import java.util.BitSet;

/**
 * One filter planned over one segment for one search: either the exact set of matching live ordinals (when indexes
 * and payload columns decide it cheaply) or a cardinality estimate with a lazy per-ordinal check for a graph search
 * (when deciding needs the payloads parsed). Made by {@link PayloadIndexes#plan}; used by the querying thread and its
 * search helpers while the shard's read lock is held, and cached by its segment for later searches with the same
 * filter; never mutated after it is made, except that the lazy form materialises its matching set on the first
 * {@link #matching()} call (concurrent first calls may each compute it; all compute the same set, published through
 * a volatile field).
 */
public final class SegmentFilter {

    private volatile BitSet matching;
    private final CardinalityEstimation estimate;
    private final BitSet candidates;
    private final OrdMatcher matcher;
    private final long likelyAtLeast;

    private SegmentFilter(BitSet matching, CardinalityEstimation estimate, BitSet candidates, OrdMatcher matcher,
            long likelyAtLeast) {
        this.matching = matching;
        this.estimate = estimate;
        this.candidates = candidates;
        this.matcher = matcher;
        this.likelyAtLeast = likelyAtLeast;
    }

    static SegmentFilter ofMatching(BitSet matching) {
        long n = matching.cardinality();
        return new SegmentFilter(matching, CardinalityEstimation.exact(n), null, null, n);
    }

    /** @param likelyAtLeast a sampled lower confidence bound of the count when checks are cheap, else -1 */
    static SegmentFilter lazy(CardinalityEstimation estimate, BitSet candidates, OrdMatcher matcher,
            long likelyAtLeast) {
        return new SegmentFilter(null, estimate, candidates, matcher, likelyAtLeast);
    }

    /**
     * True when deciding a point costs no payload parsing (index bits and columns only): then {@link #matching()} is
     * a cheap scan and {@link #likelyAtLeast()} a sampled bound.
     */
    public boolean isCheap() {
        return likelyAtLeast >= 0;
    }

    /**
     * For a cheap plan, a count the matching set very probably reaches (three standard deviations below a sampled
     * estimate; exact when materialised); -1 otherwise. Only for choosing a search strategy, never for results.
     */
    public long likelyAtLeast() {
        return likelyAtLeast;
    }

    /** How many live points match (exact when {@link #isMaterialised()}). */
    public CardinalityEstimation estimate() {
        return estimate;
    }

    /** True when the matching set is known without further payload evaluation. */
    public boolean isMaterialised() {
        return matching != null;
    }

    /** The exact matching live ordinals; evaluates every candidate's payload first if the plan was lazy. */
    public BitSet matching() {
        BitSet m = matching;
        if (m == null) {
            m = FilterPlanner.scan(candidates, matcher);
            matching = m;
        }
        return m;
    }

    /**
     * The accept-set for a filtered graph search: one bit test when materialised, else the candidates' bit test
     * followed by the compiled check (index bits and columns first, payload evaluation where they cannot decide).
     */
    public AcceptOrds accept() {
        BitSet bits = matching;
        if (bits != null) {
            return bits::get;
        }
        BitSet cand = candidates;
        OrdMatcher m = matcher;
        return ord -> cand.get(ord) && m.matches(ord);
    }
}
