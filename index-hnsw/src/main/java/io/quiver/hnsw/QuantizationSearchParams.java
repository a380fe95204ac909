package io.quiver.hnsw;

/**
 * Search-time use of the int8 codes (Qdrant's search {@code params.quantization}). Immutable.
 *
 * @param ignore       search on the float vectors even if the index has codes
 * @param rescore      rescore the best candidates found on codes with the float vectors (reported scores are then
 *                     exact); without it scores are the approximate ones computed from codes
 * @param oversampling with rescore, the best {@code ceil(k * oversampling)} candidates by code score are rescored on
 *                     the float vectors and the best k of those returned (Qdrant's oversampling); at most the
 *                     {@code max(ef, k)} candidates the beam holds are rescored (the beam is not widened)
 */
public record QuantizationSearchParams(boolean ignore, boolean rescore, double oversampling) {

    public QuantizationSearchParams {
        if (!(oversampling >= 1.0)) {
            throw new IllegalArgumentException("oversampling must be >= 1, got " + oversampling);
        }
    }

    /**
     * Use the codes and rescore the best {@code 2k}: oversampling 2 absorbs the ranking error of int8 codes on data
     * whose values do not fit 255 levels well, for a few extra float reads per query.
     */
    public static QuantizationSearchParams defaults() {
        return new QuantizationSearchParams(false, true, 2.0);
    }

    /** Copy with another oversampling. */
    public QuantizationSearchParams withOversampling(double newOversampling) {
        return new QuantizationSearchParams(ignore, rescore, newOversampling);
    }
}
