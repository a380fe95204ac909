package io.quiver.hnsw;

/**
 * A caller's score of one stored vector, by its ordinal in the {@link VectorStore}, for a search whose objective is
 * not the distance to one query vector (Qdrant's best-score and sum-of-scores recommendations, discovery and context
 * queries): larger is better, and the value is reported as it is. One instance per search, used by the searching
 * thread only, so it may keep scratch state.
 */
@FunctionalInterface
public interface OrdScorer {

    /** The score of stored vector {@code ord}; larger is better. */
    float score(int ord);
}
