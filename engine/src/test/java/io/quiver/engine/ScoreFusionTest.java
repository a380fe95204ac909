package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RRF and DBSF against the formulas worked out here in double precision: hand-made lists for positions, weights and
 * ties, random lists for DBSF's mean ± 3σ normalisation.
 */
class ScoreFusionTest {

    private static ScoredPoint hit(long id, float score) {
        return new ScoredPoint(PointId.of(id), id * 10, score, null, null);
    }

    private static List<Long> ids(List<ScoredPoint> points) {
        return points.stream().map(p -> Long.parseLong(p.id().toString())).toList();
    }

    private static Map<Long, Float> scores(List<ScoredPoint> points) {
        Map<Long, Float> out = new HashMap<>();
        points.forEach(p -> out.put(Long.parseLong(p.id().toString()), p.score()));
        return out;
    }

    @Test
    void rrfSumsOneOverPositionPlusK() {
        List<List<ScoredPoint>> lists = List.of(
                List.of(hit(2, 0.9f), hit(1, 0.8f)),
                List.of(hit(1, 0.7f), hit(2, 0.6f), hit(3, 0.5f)),
                List.of(hit(5, 0.9f), hit(3, 0.5f), hit(1, 0.4f)));
        List<ScoredPoint> fused = new ReciprocalRankFusion(ReciprocalRankFusion.DEFAULT_K, null).fuse(lists);
        // k = 2: position p (0-based) gains 1 / (p + 2)
        assertEquals(List.of(1L, 2L, 3L, 5L), ids(fused));
        Map<Long, Float> s = scores(fused);
        assertEquals(1 / 3d + 1 / 2d + 1 / 4d, s.get(1L), 1e-6);
        assertEquals(1 / 2d + 1 / 3d, s.get(2L), 1e-6);
        assertEquals(1 / 4d + 1 / 3d, s.get(3L), 1e-6);
        assertEquals(1 / 2d, s.get(5L), 1e-6);
        // k = 60 spreads less
        Map<Long, Float> k60 = scores(new ReciprocalRankFusion(60, null).fuse(lists));
        assertEquals(1 / 61d + 1 / 60d + 1 / 62d, k60.get(1L), 1e-6);
    }

    @Test
    void rrfWeightsStretchPositionsAndZeroWeightAddsNothing() {
        List<List<ScoredPoint>> lists = List.of(List.of(hit(1, 0f), hit(2, 0f)), List.of(hit(2, 0f), hit(1, 0f)));
        Map<Long, Float> w = scores(new ReciprocalRankFusion(2, List.of(3f, 1f)).fuse(lists));
        // 1 / ((p + 1) / w + k - 1)
        assertEquals(1 / (1 / 3d + 1) + 1 / (2 / 1d + 1), w.get(1L), 1e-6);
        assertEquals(1 / (2 / 3d + 1) + 1 / (1 / 1d + 1), w.get(2L), 1e-6);
        List<ScoredPoint> zero = new ReciprocalRankFusion(2, List.of(1f, 0f)).fuse(
                List.of(List.of(hit(1, 0f)), List.of(hit(2, 0f))));
        assertEquals(List.of(1L, 2L), ids(zero));
        assertEquals(0.5f, zero.get(0).score());
        assertEquals(0f, zero.get(1).score());
        assertThrows(IllegalArgumentException.class,
                () -> new ReciprocalRankFusion(2, List.of(1f)).fuse(List.of(List.of(), List.of())));
        assertThrows(IllegalArgumentException.class, () -> new ReciprocalRankFusion(0, null));
    }

    @Test
    void equalScoresGoByIdAndAPointKeepsItsFirstAppearance() {
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("from", "first");
        ScoredPoint first = new ScoredPoint(PointId.of(7), 3, 0.1f, payload, new float[] {1f});
        ScoredPoint again = new ScoredPoint(PointId.of(7), 4, 0.9f, null, null);
        List<ScoredPoint> fused = new ReciprocalRankFusion(2, null).fuse(
                List.of(List.of(hit(9, 1f), first), List.of(hit(4, 1f), again)));
        // 9 and 4 both 1/2 (ties by id), 7 at 1/3 + 1/3
        assertEquals(List.of(7L, 4L, 9L), ids(fused));
        assertEquals(3, fused.get(0).version());
        assertEquals("first", fused.get(0).payloadOrNull().get("from").asText());
        assertEquals(1, fused.get(0).vectorOrNull().length);
        assertNull(fused.get(1).payloadOrNull());
    }

    @Test
    void dbsfNormalisesEachListByMeanAndThreeSigmas() {
        long seed = TestSeeds.seed("dbsfNormalisesEachListByMeanAndThreeSigmas");
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            List<List<ScoredPoint>> lists = new ArrayList<>();
            Map<Long, Double> expected = new HashMap<>();
            int listCount = 1 + random.nextInt(4);
            for (int l = 0; l < listCount; l++) {
                int n = 2 + random.nextInt(30);
                List<ScoredPoint> list = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    list.add(hit(random.nextInt(60), (float) (random.nextGaussian() * 3 + 1)));
                }
                list = list.stream().collect(java.util.stream.Collectors.toMap(ScoredPoint::id, p -> p, (a, b) -> a,
                        java.util.LinkedHashMap::new)).values().stream().toList();
                if (list.size() < 2) {
                    continue;
                }
                double mean = list.stream().mapToDouble(ScoredPoint::score).average().orElseThrow();
                double var = list.stream().mapToDouble(p -> Math.pow(p.score() - mean, 2)).sum() / (list.size() - 1);
                double lo = mean - 3 * Math.sqrt(var);
                double hi = mean + 3 * Math.sqrt(var);
                for (ScoredPoint p : list) {
                    expected.merge(Long.parseLong(p.id().toString()), (p.score() - lo) / (hi - lo), Double::sum);
                }
                lists.add(list);
            }
            List<ScoredPoint> fused = new DistributionBasedScoreFusion().fuse(lists);
            assertEquals(expected.size(), fused.size());
            for (ScoredPoint p : fused) {
                assertEquals(expected.get(Long.parseLong(p.id().toString())), p.score(), 1e-4, "round " + round);
            }
            for (int i = 1; i < fused.size(); i++) {
                assertEquals(true, fused.get(i - 1).score() >= fused.get(i).score(), "best first");
            }
        }
    }

    @Test
    void dbsfGivesHalfToAListOfOneAndToEqualScores() {
        List<ScoredPoint> fused = new DistributionBasedScoreFusion().fuse(List.of(
                List.of(hit(1, 42f)), List.of(hit(2, 3f), hit(3, 3f)), List.of()));
        assertEquals(List.of(1L, 2L, 3L), ids(fused));
        fused.forEach(p -> assertEquals(0.5f, p.score()));
        // two points: mean ± 3·σ with σ = |a − b| / √2
        Map<Long, Float> two = scores(new DistributionBasedScoreFusion().fuse(List.of(List.of(hit(1, 3f), hit(2, 1f)))));
        double sigma = 2 / Math.sqrt(2);
        assertEquals((3 - (2 - 3 * sigma)) / (6 * sigma), two.get(1L), 1e-6);
        assertEquals((1 - (2 - 3 * sigma)) / (6 * sigma), two.get(2L), 1e-6);
    }
}
