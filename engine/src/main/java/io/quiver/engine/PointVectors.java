package io.quiver.engine;

/**
 * One point's new vector in an update of vectors (Qdrant's {@code PointVectors}): the point keeps its payload and
 * gets {@code vector} in place of the one it had (or had deleted). A value object; the engine copies the vector
 * before changing it (Cosine normalisation), so the caller's array is never modified.
 */
public record PointVectors(PointId id, float[] vector) {}
