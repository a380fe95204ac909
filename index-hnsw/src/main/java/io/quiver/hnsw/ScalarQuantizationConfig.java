package io.quiver.hnsw;

/**
 * Build-time option of int8 scalar quantization (Qdrant's {@code quantization_config.scalar} with type int8): every
 * vector is stored a second time as one signed byte per component, mapped linearly from {@code [lo, hi]}, where lo and
 * hi bound the central {@code quantile} fraction of all component values (1.0: the plain minimum and maximum).
 * The graph is then searched on the codes and the best candidates rescored on the float vectors. Immutable value.
 *
 * @param quantile fraction of component values inside the quantization range, in (0.5, 1.0]
 */
public record ScalarQuantizationConfig(float quantile) implements IndexQuantization {

    public ScalarQuantizationConfig {
        if (!(quantile > 0.5f && quantile <= 1.0f)) {
            throw new IllegalArgumentException("quantile must be in (0.5, 1], got " + quantile);
        }
    }

    /**
     * quantile 1.0 (the full range of values), Qdrant's default when no quantile is set. Clipping at 0.99 hurts
     * skewed data (e.g. unit-normalised images whose few large components carry the similarity).
     */
    public static ScalarQuantizationConfig defaults() {
        return new ScalarQuantizationConfig(1.0f);
    }
}
