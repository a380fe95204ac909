package io.quiver.engine.index;

import java.util.List;

/**
 * How many points of a segment a filter may match, as Qdrant's {@code CardinalityEstimation}: a guaranteed lower
 * bound {@code min}, an expected value {@code exp} and an upper bound {@code max}. Used to choose between an exact
 * scan over the matching ordinals and a filtered HNSW search. Immutable.
 */
public record CardinalityEstimation(long min, long exp, long max) {

    /** A known count. */
    public static CardinalityEstimation exact(long count) {
        return new CardinalityEstimation(count, count, count);
    }

    /** Nothing known about a condition over {@code total} points. */
    public static CardinalityEstimation unknown(long total) {
        return new CardinalityEstimation(0, total / 2, total);
    }

    /** True when min == max (the count is known). */
    public boolean isExact() {
        return min == max;
    }

    /** All of the conditions hold (Qdrant's combine_must_estimations). */
    static CardinalityEstimation and(List<CardinalityEstimation> parts, long total) {
        if (parts.isEmpty()) {
            return exact(total);
        }
        long min = total;
        long max = total;
        double exp = total;
        for (CardinalityEstimation p : parts) {
            min = Math.max(0, min - (total - p.min));
            max = Math.min(max, p.max);
            exp *= total == 0 ? 0 : (double) p.exp / total;
        }
        return new CardinalityEstimation(min, Math.max(min, Math.min(max, Math.round(exp))), max);
    }

    /** At least one of the conditions holds (Qdrant's combine_should_estimations). */
    static CardinalityEstimation or(List<CardinalityEstimation> parts, long total) {
        if (parts.isEmpty()) {
            return exact(0);
        }
        long min = 0;
        long max = 0;
        double none = 1;
        for (CardinalityEstimation p : parts) {
            min = Math.max(min, p.min);
            max = Math.min(total, max + p.max);
            none *= total == 0 ? 1 : 1 - (double) p.exp / total;
        }
        long exp = Math.round(total * (1 - none));
        return new CardinalityEstimation(min, Math.max(min, Math.min(max, exp)), max);
    }

    /** The complement within {@code total} points. */
    CardinalityEstimation not(long total) {
        return new CardinalityEstimation(total - max, total - exp, total - min);
    }
}
