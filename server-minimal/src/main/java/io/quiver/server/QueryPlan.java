package io.quiver.server;

import io.quiver.engine.ExampleQuery;
import io.quiver.engine.OrderBy;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoreFusion;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.hnsw.Distance;

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
     * The root or one prefetch: its candidates are its own query's hits when it has no prefetches (a search, the points
     * in a payload value's order or a random sample of them, or without a query the points in id order; all three
     * listed with score 1),
     * else its query applied to the union (or, fusing, the lists) of its prefetches' candidates. {@code filterOrNull} is the stage's own filter; a stage also applies the filters of the
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
     * A scoring that ranks points one by one, so that one search runs it: with prefetches, an exact search restricted
     * to the prefetched points.
     */
    sealed interface PointScoring extends Scoring {
        /** The search ranking by this scoring, with the rest of its shape. */
        SearchRequest search(Filter filterOrNull, int limit, int offset, WithPayload withPayload, boolean withVector,
                Float scoreThresholdOrNull, RequestParser.SearchParams params);

        /** True when better points score higher. */
        boolean higherIsBetter(Distance distance);
    }

    /**
     * Nearest to one vector (a raw vector, {@code nearest}, a point's stored vector, or a recommendation's average
     * vector), scored by the collection's distance.
     */
    record Nearest(float[] vector) implements PointScoring {
        @Override
        public SearchRequest search(Filter filterOrNull, int limit, int offset, WithPayload withPayload,
                boolean withVector, Float scoreThresholdOrNull, RequestParser.SearchParams params) {
            return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector,
                    scoreThresholdOrNull, params.hnswEfOrNull(), params.exact(), params.quantizationOrNull(),
                    params.indexedOnly());
        }

        @Override
        public boolean higherIsBetter(Distance distance) {
            return distance.higherIsBetter();
        }
    }

    /**
     * Scored against examples, larger is better: {@code best_score} and {@code sum_scores} recommendations, discovery
     * and context search.
     */
    record Examples(ExampleQuery query) implements PointScoring {
        @Override
        public SearchRequest search(Filter filterOrNull, int limit, int offset, WithPayload withPayload,
                boolean withVector, Float scoreThresholdOrNull, RequestParser.SearchParams params) {
            return new SearchRequest(null, filterOrNull, limit, offset, withPayload, withVector,
                    scoreThresholdOrNull, params.hnswEfOrNull(), params.exact(), params.quantizationOrNull(),
                    params.indexedOnly(), query);
        }

        @Override
        public boolean higherIsBetter(Distance distance) {
            return true;
        }
    }

    /**
     * Nearest re-ranked by Maximal Marginal Relevance, at the root or in a prefetch: without prefetches, or at the
     * root, the {@code candidatesLimit} nearest (of the prefetched points, when there are prefetches) are re-ranked
     * with {@code diversity}; in a prefetch with prefetches of its own, every point those passed up is a candidate
     * (Qdrant's shard-level MMR), {@code candidatesLimit} unused.
     */
    record NearestMmr(float[] vector, float diversity, int candidatesLimit) implements Scoring {
    }

    /** The prefetches' candidate lists fused into one ({@code {"fusion": …}} or {@code {"rrf": …}}). */
    record Fuse(ScoreFusion fusion) implements Scoring {
    }

    /**
     * {@code {"order_by": …}}: the points (of the stage's filter, or its prefetches' candidates) ordered by a payload
     * value, each with its {@code order_value}; listed, not scored (Qdrant gives them score 1 and version 0).
     */
    record Ordered(OrderBy orderBy) implements Scoring {
    }

    /**
     * {@code {"formula": …, "defaults": …}}: the union of the prefetches' candidates re-scored by a score-boosting
     * formula (needs prefetches), best first.
     */
    record Formula(io.quiver.engine.formula.Formula formula) implements Scoring {
    }

    /**
     * {@code {"sample": "random"}}: distinct points drawn at random (from the stage's filter, or its prefetches'
     * candidates); listed, not scored (score 1, version 0).
     */
    record Sample() implements Scoring {
    }
}
