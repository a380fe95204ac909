package io.quiver.engine;

import java.util.List;

/**
 * A way to merge several ranked lists of search hits into one (Qdrant's fusion of prefetch results, a query
 * {@code {"fusion": …}} or {@code {"rrf": …}}): each point appears once, with the fused score, and keeps the id,
 * version, payload and vector of its first appearance (lists in order, each best first). The result is best first:
 * fused score descending (a larger fused score is better whatever the collection's distance), equal scores by id
 * ascending (Qdrant leaves such ties in hash-map order, so it promises none). Follows Qdrant's
 * {@code lib/segment/src/common/reciprocal_rank_fusion.rs} and {@code score_fusion.rs}. Implementations are immutable
 * and threadsafe.
 */
public sealed interface ScoreFusion permits ReciprocalRankFusion, DistributionBasedScoreFusion {

    /** The fused list of {@code ranked} (each list best first, no id twice within one list). */
    List<ScoredPoint> fuse(List<List<ScoredPoint>> ranked);
}
