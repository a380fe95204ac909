package io.quiver.engine;

import java.util.List;

/**
 * Qdrant's Reciprocal Rank Fusion ({@code {"fusion":"rrf"}}, or {@code {"rrf":{"k":k,"weights":[…]}}}): only positions
 * count, not the lists' scores. The point at 0-based position {@code p} of list {@code i} gains
 * {@code 1 / ((p + 1) / w_i + k − 1)} in float arithmetic — {@code 1 / (p + k)} with the default weight 1 — and a
 * weight ≤ 0 gives nothing; a point's score is the float sum of its gains in list order. Qdrant's default {@code k} is
 * {@value #DEFAULT_K}. Immutable; threadsafe.
 */
public final class ReciprocalRankFusion implements ScoreFusion {
    /** Qdrant's {@code DEFAULT_RRF_K}. */
    public static final int DEFAULT_K = 2;

    private final int k;
    private final float[] weightsOrNull;

    /**
     * {@code k} ≥ 1; {@code weightsOrNull}: one weight per list (null: all 1), the caller having checked the count
     * against the lists it will fuse.
     */
    public ReciprocalRankFusion(int k, List<Float> weightsOrNull) {
        if (k < 1) {
            throw new IllegalArgumentException("rrf k must be at least 1, got " + k);
        }
        this.k = k;
        if (weightsOrNull == null) {
            this.weightsOrNull = null;
        } else {
            this.weightsOrNull = new float[weightsOrNull.size()];
            for (int i = 0; i < this.weightsOrNull.length; i++) {
                this.weightsOrNull[i] = weightsOrNull.get(i);
            }
        }
    }

    /** The number of weights given, or -1 when every list weighs 1. */
    public int weightCount() {
        return weightsOrNull == null ? -1 : weightsOrNull.length;
    }

    @Override
    public List<ScoredPoint> fuse(List<List<ScoredPoint>> ranked) {
        if (weightsOrNull != null && weightsOrNull.length != ranked.size()) {
            throw new IllegalArgumentException("RRF weights length (" + weightsOrNull.length
                    + ") does not match number of prefetches (" + ranked.size() + ")");
        }
        FusedScores sums = new FusedScores();
        for (int i = 0; i < ranked.size(); i++) {
            float weight = weightsOrNull == null ? 1f : weightsOrNull[i];
            List<ScoredPoint> list = ranked.get(i);
            for (int position = 0; position < list.size(); position++) {
                sums.add(list.get(position), gain(position, weight));
            }
        }
        return sums.bestFirst();
    }

    private float gain(int position, float weight) {
        if (weight <= 0f) {
            return 0f;
        }
        return 1f / ((float) (position + 1) / weight + (float) k - 1f);
    }
}
