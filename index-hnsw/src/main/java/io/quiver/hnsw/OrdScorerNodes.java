package io.quiver.hnsw;

/**
 * Graph nodes scored by a caller's {@link OrdScorer}: node {@code n} is the store's ordinal {@code ordinals.ord(n)},
 * and its similarity is the caller's score. Lets the layer search of {@link HnswIndex#search(OrdScorer, int, int,
 * AcceptOrds)} walk the graph by any objective. One instance per search, used by the searching thread.
 */
final class OrdScorerNodes extends NodeScorer {
    private final OrdScorer scorer;
    private final NodeOrdinals ordinals;

    OrdScorerNodes(OrdScorer scorer, NodeOrdinals ordinals) {
        this.scorer = scorer;
        this.ordinals = ordinals;
    }

    @Override
    float similarity(int node) {
        return scorer.score(ordinals.ord(node));
    }
}
