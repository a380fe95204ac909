package io.quiver.hnsw;

/**
 * The codes an index stores beside its graph, to search on them and rescore on the float vectors: int8
 * ({@link ScalarQuantizationConfig}), bits ({@link BinaryQuantizationConfig}) or centroid numbers of sub-vectors
 * ({@link ProductQuantizationConfig}). Immutable values.
 */
public sealed interface IndexQuantization
        permits ScalarQuantizationConfig, BinaryQuantizationConfig, ProductQuantizationConfig {
}
