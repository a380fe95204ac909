package io.quiver.hnsw;

/**
 * Build-time option of product quantization (Qdrant's {@code quantization_config.product}): every vector is cut into
 * sub-vectors of {@code bucketSize} components, and each sub-vector is stored as the one-byte number of the nearest of
 * 256 centroids learned for its position (k-means). The graph is searched on those codes through a per-query table of
 * partial similarities, and the best candidates rescored on the float vectors. Immutable value.
 *
 * @param bucketSize components per sub-vector: 1, 2, 4, 8 or 16 (Qdrant's compression x4, x8, x16, x32, x64 of the
 *                   float vectors)
 */
public record ProductQuantizationConfig(int bucketSize) implements IndexQuantization {

    public ProductQuantizationConfig {
        if (bucketSize != 1 && bucketSize != 2 && bucketSize != 4 && bucketSize != 8 && bucketSize != 16) {
            throw new IllegalArgumentException("bucketSize must be 1, 2, 4, 8 or 16, got " + bucketSize);
        }
    }

    /** The config of Qdrant's compression {@code x4}..{@code x64}: 4 float bytes per component, one code byte. */
    public static ProductQuantizationConfig ofCompression(int ratio) {
        return new ProductQuantizationConfig(ratio / 4);
    }
}
