package io.quiver.engine.shard;

import io.quiver.engine.ExampleQuery;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.index.CardinalityEstimation;
import io.quiver.engine.index.SegmentFilter;
import io.quiver.engine.segment.Segment;
import io.quiver.hnsw.AcceptOrds;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.ScoredOrd;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One segment's best points for an {@link ExampleQuery}, as Qdrant scores such queries: inside the HNSW traversal when
 * the segment has a graph ({@link HnswIndex#search(io.quiver.hnsw.OrdScorer, int, int, AcceptOrds)}, every visited
 * vector scored by an {@link ExampleScorer}), else — and with {@code exact}, and for a filter matching fewer points
 * than {@code full_scan_threshold} — by an exact scan of the (matching) live points. The filter choice is Qdrant's
 * cardinality rule: below the threshold at most, scan; at least the threshold surely, graph; in between, the exact
 * count decides. Scores are the query's (larger is better), best first. Stateless; called on a searching thread under
 * the shard's read lock.
 */
final class ExampleSegmentSearch {
    private ExampleSegmentSearch() {
    }

    /**
     * {@code query}'s examples must be in stored form; deleted points and points without a vector never come back
     * (the filter is planned over the points with a vector, as {@link ShardReader}'s searches plan it).
     */
    static List<ScoredOrd> search(Segment seg, ShardSettings st, IdTracker tracker, ExampleQuery query, int k,
            Filter filter, Integer hnswEf, boolean exact) {
        ExampleScorer scorer = new ExampleScorer(query, st.distance(), seg.vectors());
        HnswIndex idx = seg.index();
        boolean useIndex = idx != null && !exact;
        int ef = Math.max(k, hnswEf != null ? hnswEf : st.hnsw().efConstruct());
        if (filter == null) {
            AcceptOrds live = seg.searchableOrdsOrNull();
            return useIndex ? idx.search(scorer, k, ef, live) : scan(seg, scorer, k, null);
        }
        SegmentFilter plan = seg.plan(filter,
                () -> seg.payloadIndexes().plan(filter, SegmentView.withVectors(seg, tracker)));
        CardinalityEstimation estimate = plan.estimate();
        if (estimate.max() == 0) {
            return List.of();
        }
        long threshold = st.fullScanThresholdVectors();
        boolean graph = useIndex && seg.liveCount() >= threshold && estimate.max() >= threshold
                && (estimate.min() >= threshold || plan.matching().cardinality() >= threshold);
        if (graph) {
            AcceptOrds matching = plan.accept();
            return idx.search(scorer, k, ef,
                    ord -> !seg.isDeleted(ord) && seg.hasVector(ord) && matching.accept(ord));
        }
        BitSet matching = plan.matching();
        return matching.isEmpty() ? List.of() : scan(seg, scorer, k, matching);
    }

    /** The {@code k} best live ordinals (of {@code ordsOrNull}, else all), by exact scan, best first. */
    private static List<ScoredOrd> scan(Segment seg, ExampleScorer scorer, int k, BitSet ordsOrNull) {
        int n = seg.count();
        PriorityQueue<ScoredOrd> worstFirst = new PriorityQueue<>(Math.min(k, Math.max(1, n)) + 1,
                (a, b) -> Float.compare(a.score(), b.score()));
        int ord = ordsOrNull == null ? 0 : ordsOrNull.nextSetBit(0);
        while (ord >= 0 && ord < n) {
            if (!seg.isDeleted(ord) && seg.hasVector(ord)) {
                float score = scorer.score(ord);
                if (worstFirst.size() < k) {
                    worstFirst.add(new ScoredOrd(ord, score));
                } else if (score > worstFirst.peek().score()) {
                    worstFirst.poll();
                    worstFirst.add(new ScoredOrd(ord, score));
                }
            }
            ord = ordsOrNull == null ? ord + 1 : ordsOrNull.nextSetBit(ord + 1);
        }
        List<ScoredOrd> out = new ArrayList<>(worstFirst.size());
        while (!worstFirst.isEmpty()) {
            out.add(worstFirst.poll());
        }
        Collections.reverse(out);
        return out;
    }
}
