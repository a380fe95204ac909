package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.ExampleQuery.BestScore;
import io.quiver.engine.ExampleQuery.Context;
import io.quiver.engine.ExampleQuery.ContextPair;
import io.quiver.engine.ExampleQuery.Discover;
import io.quiver.engine.ExampleQuery.SumScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scores of Qdrant's example queries computed from given similarities (each "example" here stands for its
 * similarity): which side {@code best_score} picks and its sign, {@code sum_scores}, discovery's rank then target
 * part, and the context loss with its margin — the cases Qdrant's own unit tests state as facts.
 */
class ExampleQueryTest {

    private static List<float[]> examples(int count) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new float[] {i});
        }
        return out;
    }

    private static float sigmoid(float x) {
        return 0.5f * (x / (1 + Math.abs(x)) + 1);
    }

    private static float bestScore(float[] positives, float[] negatives) {
        BestScore q = new BestScore(examples(positives.length), examples(negatives.length));
        float[] sims = new float[positives.length + negatives.length];
        System.arraycopy(positives, 0, sims, 0, positives.length);
        System.arraycopy(negatives, 0, sims, positives.length, negatives.length);
        return q.score(sims);
    }

    @Test
    void bestScorePicksTheNearerSideAndNegatesANegative() {
        assertEquals(sigmoid(42), bestScore(new float[] {42}, new float[] {4}));
        assertEquals(-sigmoid(42), bestScore(new float[] {4}, new float[] {42}));
        assertEquals(-sigmoid(0), bestScore(new float[] {-1}, new float[] {0}));
        assertEquals(sigmoid(0), bestScore(new float[] {0}, new float[] {-1}));
        assertEquals(sigmoid(-42), bestScore(new float[] {-42}, new float[] {-84}));
        assertEquals(-sigmoid(-42), bestScore(new float[] {-84}, new float[] {-42}));
        assertEquals(-sigmoid(6), bestScore(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
        assertEquals(sigmoid(10), bestScore(new float[] {10, 2, 3}, new float[] {4, 5, 6}));
        assertEquals(-sigmoid(7), bestScore(new float[] {7}, new float[] {7}), "a tie goes to the negative");
        // no positives: every point is ranked by its nearest negative, nearer ones lower
        assertEquals(-sigmoid(3), bestScore(new float[] {}, new float[] {3, -1}));
        assertTrue(bestScore(new float[] {}, new float[] {-1}) > bestScore(new float[] {}, new float[] {3}));
        // no negatives: the best positive
        assertEquals(sigmoid(-5), bestScore(new float[] {-5, -9}, new float[] {}));
        assertThrows(BadRequestException.class, () -> new BestScore(List.of(), List.of()));
    }

    @Test
    void bestScoreAlwaysPrefersAPositivePick() {
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            float p = random.nextFloat() * 200 - 100;
            float n = random.nextFloat() * 200 - 100;
            float positivePick = bestScore(new float[] {p}, new float[] {});
            float negativePick = bestScore(new float[] {}, new float[] {n});
            assertTrue(positivePick >= negativePick, p + " vs " + n);
            assertTrue(positivePick >= 0f && positivePick <= 1f && negativePick <= 0f && negativePick >= -1f);
        }
    }

    @Test
    void sumScoresSubtractsTheNegatives() {
        SumScores q = new SumScores(examples(2), examples(1));
        assertEquals(0.5f + 0.25f - 2f, q.score(new float[] {0.5f, 0.25f, 2f}));
        assertEquals(0f, new SumScores(List.of(), List.of()).score(new float[0]));
        assertEquals(-3f, new SumScores(List.of(), examples(1)).score(new float[] {3f}));
    }

    private static Discover discover(int pairs) {
        List<ContextPair> list = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            list.add(new ContextPair(new float[] {1}, new float[] {2}));
        }
        return new Discover(new float[] {0}, list);
    }

    /** Similarities laid out as the query reads them: the target's, then each pair's positive and negative. */
    private static float discoverScore(float target, float... pairs) {
        float[] sims = new float[1 + pairs.length];
        sims[0] = target;
        System.arraycopy(pairs, 0, sims, 1, pairs.length);
        return discover(pairs.length / 2).score(sims);
    }

    @Test
    void discoveryRanksByPairsThenByTheTarget() {
        assertEquals(sigmoid(42), discoverScore(42), "no pairs: the target part only");
        assertEquals(1 + sigmoid(42), discoverScore(42, 10, 4));
        assertEquals(-1 + sigmoid(42), discoverScore(42, 4, 10));
        assertEquals(sigmoid(42), discoverScore(42, 11, 11), "an equal pair counts 0");
        assertEquals(sigmoid(42), discoverScore(42, 10, 4, 4, 10));
        assertEquals(2 + sigmoid(42), discoverScore(42, 10, 4, 4, 2));
        assertEquals(-2 + sigmoid(42), discoverScore(42, 4, 10, 2, 4));
        assertEquals(4 + sigmoid(42), discoverScore(42, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0, 4));
        // a better rank wins whatever the target says; the same rank goes by the target
        assertTrue(discoverScore(-1000, 1, 0, 1, 0, 1, 0) > 2.5f);
        assertTrue(discoverScore(1000, 1, 0, 0, 1) < 2.5f);
        assertTrue(discoverScore(1, 1, 0, 1, 0) > 2.5f && discoverScore(-1, 1, 0, 1, 0) < 2.5f);
    }

    private static float contextScore(float... pairs) {
        List<ContextPair> list = new ArrayList<>();
        for (int i = 0; i < pairs.length / 2; i++) {
            list.add(new ContextPair(new float[] {1}, new float[] {2}));
        }
        return new Context(list).score(pairs);
    }

    @Test
    void contextLossIsZeroInsideEveryPositiveZoneAndAboveMinusOnePerPair() {
        assertEquals(0f, contextScore(), "no pairs");
        assertEquals(0f, contextScore(5, 1));
        assertEquals(0f, contextScore(5, 1, 3, 2));
        float d = 1 - 3 - Math.ulp(1f);
        assertEquals(d / (1 + Math.abs(d)), contextScore(1, 3));
        // the margin: an equal pair loses a little, so it is not inside the zone
        assertTrue(contextScore(0.5f, 0.5f) < 0f);
        assertEquals(-Math.ulp(1f) / (1 + Math.ulp(1f)), contextScore(0.5f, 0.5f));
        Random random = new Random(2);
        for (int i = 0; i < 1000; i++) {
            float score = contextScore(random.nextFloat() * 200 - 100, random.nextFloat() * 200 - 100);
            assertTrue(score <= 0f && score > -1f, "loss " + score);
        }
    }

    @Test
    void examplesAreListedInTheOrderScoresReadThem() {
        float[] t = {9};
        float[] p = {1};
        float[] n = {2};
        assertEquals(List.of(t, p, n), new Discover(t, List.of(new ContextPair(p, n))).examples());
        assertEquals(List.of(p, n), new Context(List.of(new ContextPair(p, n))).examples());
        assertEquals(List.of(p, n), new BestScore(List.of(p), List.of(n)).examples());
        ExampleQuery doubled = new SumScores(List.of(p), List.of(n)).mapExamples(v -> new float[] {v[0] * 2});
        assertEquals(2f, doubled.examples().get(0)[0]);
        assertEquals(4f, doubled.examples().get(1)[0]);
        assertEquals("sum_scores", doubled.kind());
    }
}
