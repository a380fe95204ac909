package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.hnsw.Distance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MMR picks on hand-made geometry where relevance and diversity disagree; plus its edge cases. */
class MaximalMarginalRelevanceTest {

    private static ScoredPoint hit(long id, float... vector) {
        return new ScoredPoint(PointId.of(id), 1, 0f, null, vector);
    }

    private static List<Long> ids(List<ScoredPoint> points) {
        return points.stream().map(p -> Long.parseLong(p.id().toString())).toList();
    }

    @Test
    void diversityTradesRelevanceForDistanceToWhatIsPicked() {
        // Euclid around the origin: 1 is nearest, 2 nearly as near but next to 1, 3 far from both
        List<ScoredPoint> hits = List.of(hit(1, 0.1f, 0f), hit(2, 0.12f, 0f), hit(3, 0f, -0.5f));
        float[] origin = {0f, 0f};
        MaximalMarginalRelevance relevanceOnly = new MaximalMarginalRelevance(Distance.EUCLID, 0f);
        assertEquals(List.of(1L, 2L, 3L), ids(relevanceOnly.select(origin, hits, 3)));
        // diversity 0.5: 2 scores 0.5·(−0.0144) − 0.5·(−0.0004) = −0.007, 3 scores 0.5·(−0.25) − 0.5·(−0.26) = 0.005
        MaximalMarginalRelevance balanced = new MaximalMarginalRelevance(Distance.EUCLID, 0.5f);
        assertEquals(List.of(1L, 3L, 2L), ids(balanced.select(origin, hits, 3)));
        assertEquals(List.of(1L, 3L), ids(balanced.select(origin, hits, 2)));
    }

    /**
     * On a uint8 collection a query is cast as its points were ({@code 1.7 → 1}): relevance follows the search's
     * scores, so with diversity 0 the point at 1 comes first (the raw query would put the one at 2 first).
     */
    @Test
    void theQueryTakesTheVectorsDatatypeBeforeRelevanceIsMeasured() {
        CollectionConfig.VectorParams uint8 = new CollectionConfig.VectorParams("", 2, Distance.EUCLID, null, null,
                null, "uint8");
        List<ScoredPoint> hits = List.of(hit(1, 1f, 0f), hit(2, 2f, 0f));
        float[] query = {1.7f, 0f};
        assertEquals(List.of(2L, 1L), ids(new MaximalMarginalRelevance(Distance.EUCLID, 0f).select(query, hits, 2)));
        assertEquals(List.of(1L, 2L), ids(new MaximalMarginalRelevance(uint8, 0f).select(query, hits, 2)));
    }

    @Test
    void pointsWithoutVectorsAndRepeatsAreDroppedAndFewerThanTwoComeBackAsTheyAre() {
        MaximalMarginalRelevance mmr = new MaximalMarginalRelevance(Distance.DOT, 0.5f);
        ScoredPoint noVector = new ScoredPoint(PointId.of(9), 1, 5f, null, null);
        assertEquals(List.of(1L), ids(mmr.select(new float[] {1f, 0f}, List.of(noVector, hit(1, 1f, 0f)), 5)));
        assertEquals(List.of(1L, 2L), ids(mmr.select(new float[] {1f, 0f},
                List.of(hit(1, 1f, 0f), hit(1, 1f, 0f), hit(2, 0f, 1f)), 5)));
        assertEquals(List.of(), mmr.select(new float[] {1f, 0f}, List.of(hit(1, 1f, 0f), hit(2, 0f, 1f)), 0));
        assertThrows(IllegalArgumentException.class, () -> new MaximalMarginalRelevance(Distance.DOT, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> new MaximalMarginalRelevance(Distance.DOT, Float.NaN));
    }
}
