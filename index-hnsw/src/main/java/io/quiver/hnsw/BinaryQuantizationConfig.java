package io.quiver.hnsw;

/**
 * Build-time option of binary quantization (Qdrant's {@code quantization_config.binary} with the {@code one_bit}
 * encoding): every vector is stored a second time as one bit per component, set when the component is above zero. The
 * graph is searched on the bits and the best candidates rescored on the float vectors. Meant for embeddings whose
 * components are centred on zero; on data with all-positive components every record is all ones. Immutable value.
 *
 * @param queryBits how the query is encoded: 1 (the query's own bits, Hamming distance; Qdrant's query encoding
 *                  {@code default}/{@code binary}), 4 or 8 (the query quantized to that many bits per component and
 *                  compared with the stored bits, Qdrant's {@code scalar4bits}/{@code scalar8bits}: more accurate, a
 *                  little slower)
 */
public record BinaryQuantizationConfig(int queryBits) implements IndexQuantization {

    public BinaryQuantizationConfig {
        if (queryBits != 1 && queryBits != 4 && queryBits != 8) {
            throw new IllegalArgumentException("queryBits must be 1, 4 or 8, got " + queryBits);
        }
    }

    /** Binary query encoding, Qdrant's default. */
    public static BinaryQuantizationConfig defaults() {
        return new BinaryQuantizationConfig(1);
    }
}
