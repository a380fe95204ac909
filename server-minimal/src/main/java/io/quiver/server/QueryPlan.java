package io.quiver.server;

import io.quiver.engine.PointId;
import io.quiver.engine.ScoreFusion;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.util.List;
import java.util.Set;

/**
 * One universal query ({@code points/query}, Qdrant's QueryRequest) parsed and checked in full, before anything runs:
 * the root stage with its tree of prefetches, the page the root returns ({@code offset}, {@code with_payload},
 * {@code with_vector}) and the point ids that queries anywhere in the tree refer to, which every stage leaves out (as
 * Qdrant's root filter gains {@code must_not: has_id} and passes it down). Built by {@link QueryPlanParser}, run by
 * {@link QueryRunner}; immutable.
 */
record QueryPlan(Stage root, int offset, WithPayload withPayload, boolean withVector, Set<PointId> excludedIds) {
    QueryPlan {
        excludedIds = Set.copyOf(excludedIds);
    }

    /**
     * The root or one prefetch: its candidates are its own query's hits when it has no prefetches (a search, or without
     * a query the points in id order with score 0), else its query applied to the union (or, fusing, the lists) of its
     * prefetches' candidates. {@code filterOrNull} is the stage's own filter; a stage also applies the filters of the
     * stages above it. {@code limit} bounds what the stage passes up; {@code scoreThresholdOrNull} needs a query.
     */
    record Stage(List<Stage> prefetches, Scoring scoringOrNull, Filter filterOrNull, Float scoreThresholdOrNull,
            int limit, RequestParser.SearchParams params) {
        Stage {
            prefetches = List.copyOf(prefetches);
        }
    }

    /** How a stage scores its candidates. */
    sealed interface Scoring {
    }

    /**
     * Nearest to one vector (a raw vector, {@code nearest}, a point's stored vector, or a recommendation's average
     * vector), scored by the collection's distance; with prefetches, an exact search over the prefetched points.
     */
    record Nearest(float[] vector) implements Scoring {
    }

    /**
     * Nearest re-ranked by Maximal Marginal Relevance (root only): the {@code candidatesLimit} nearest (of the
     * prefetched points, when there are prefetches) are re-ranked with {@code diversity}.
     */
    record NearestMmr(float[] vector, float diversity, int candidatesLimit) implements Scoring {
    }

    /** The prefetches' candidate lists fused into one ({@code {"fusion": …}} or {@code {"rrf": …}}). */
    record Fuse(ScoreFusion fusion) implements Scoring {
    }
}
