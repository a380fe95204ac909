package io.quiver.hnsw;

/**
 * One search result: an internal ordinal and its score in Qdrant's convention (see {@link Distance#score}).
 * Immutable value.
 *
 * @param ord   ordinal in the {@link VectorStore}
 * @param score dot product for COSINE/DOT (higher is better), distance for EUCLID/MANHATTAN (lower is better)
 */
public record ScoredOrd(int ord, float score) {
}
