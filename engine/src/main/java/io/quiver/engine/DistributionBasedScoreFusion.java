package io.quiver.engine;

import java.util.List;

/**
 * Qdrant's Distribution-Based Score Fusion ({@code {"fusion":"dbsf"}}): each list's scores are normalised on their
 * own spread, then a point's normalised scores are summed (float, in list order). A list of two or more is normalised
 * to {@code (s − lo) / (hi − lo)} with {@code lo, hi = mean ∓ 3·σ}, the mean and the sample variance
 * ({@code n − 1}) taken by Welford's one-pass method in float; when {@code lo == hi} (every score equal) and for a
 * list of one, each score becomes 0.5. Scores are taken as given, larger meaning better (Qdrant does the same under
 * Euclid and Manhattan, whose scores are distances). Immutable; threadsafe.
 */
public final class DistributionBasedScoreFusion implements ScoreFusion {

    @Override
    public List<ScoredPoint> fuse(List<List<ScoredPoint>> ranked) {
        FusedScores sums = new FusedScores();
        for (List<ScoredPoint> list : ranked) {
            float[] normalised = normalised(list);
            for (int i = 0; i < normalised.length; i++) {
                sums.add(list.get(i), normalised[i]);
            }
        }
        return sums.bestFirst();
    }

    /** The list's scores mapped by its mean ± 3 standard deviations onto [0, 1] (values outside stay outside). */
    static float[] normalised(List<ScoredPoint> list) {
        int n = list.size();
        float[] out = new float[n];
        if (n < 2) {
            if (n == 1) {
                out[0] = 0.5f;
            }
            return out;
        }
        float mean = 0f;
        float aggregate = 0f;
        for (int i = 0; i < n; i++) {
            float s = list.get(i).score();
            float before = s - mean;
            mean += before / (float) (i + 1);
            aggregate += before * (s - mean);
        }
        float variance = aggregate / ((float) n - 1f);
        float sigma = (float) Math.sqrt(variance);
        float lo = mean - 3f * sigma;
        float hi = mean + 3f * sigma;
        for (int i = 0; i < n; i++) {
            out[i] = lo == hi ? 0.5f : (list.get(i).score() - lo) / (hi - lo);
        }
        return out;
    }
}
