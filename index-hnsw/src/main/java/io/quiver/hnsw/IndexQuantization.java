package io.quiver.hnsw;

/**
 * The codes an index stores beside its graph, to search on them and rescore on the float vectors: int8
 * ({@link ScalarQuantizationConfig}) or one bit per component ({@link BinaryQuantizationConfig}). Immutable values.
 */
public sealed interface IndexQuantization permits ScalarQuantizationConfig, BinaryQuantizationConfig {
}
