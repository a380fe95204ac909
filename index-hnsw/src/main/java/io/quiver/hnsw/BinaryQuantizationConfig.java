package io.quiver.hnsw;

/**
 * Build-time option of binary quantization (Qdrant's {@code quantization_config.binary}): every vector is stored a
 * second time as one bit per component (or two, or one and a half; see {@link Encoding}), and the graph is searched
 * on the bits, the best candidates rescored on the float vectors. Meant for embeddings whose components are centred
 * on zero: with {@link Encoding#ONE_BIT} a bit is the component's sign, so data whose components are all positive
 * gets records that only say which components are non-zero. Immutable value.
 *
 * @param encoding  how a component becomes bits (Qdrant's {@code encoding})
 * @param queryBits how the query is encoded: 1 (encoded as the stored vectors, Hamming distance; Qdrant's query
 *                  encoding {@code default}/{@code binary}), 4 or 8 (the query quantized to that many bits per
 *                  component and compared with the stored bits, Qdrant's {@code scalar4bits}/{@code scalar8bits}:
 *                  more accurate, a little slower)
 */
public record BinaryQuantizationConfig(Encoding encoding, int queryBits) implements IndexQuantization {

    /** Qdrant's binary encodings. */
    public enum Encoding {
        /** One bit per component: set when the component is above zero. */
        ONE_BIT,
        /**
         * Two bits per component, from its z-score over the data: {@code 00} at or below {@code -2/3} standard
         * deviations, {@code 10} inside, {@code 11} at or above {@code +2/3}; the second bits follow all the first
         * ones.
         */
        TWO_BITS,
        /** As {@link #TWO_BITS}, but the second bits of each pair of components are OR-ed into one. */
        ONE_AND_HALF_BITS
    }

    public BinaryQuantizationConfig {
        if (encoding == null) {
            throw new IllegalArgumentException("encoding is required");
        }
        if (queryBits != 1 && queryBits != 4 && queryBits != 8) {
            throw new IllegalArgumentException("queryBits must be 1, 4 or 8, got " + queryBits);
        }
    }

    /** One bit per component, the query encoded by {@code queryBits}. */
    public BinaryQuantizationConfig(int queryBits) {
        this(Encoding.ONE_BIT, queryBits);
    }

    /** One bit per component, the query encoded as the stored vectors: Qdrant's defaults. */
    public static BinaryQuantizationConfig defaults() {
        return new BinaryQuantizationConfig(Encoding.ONE_BIT, 1);
    }
}
