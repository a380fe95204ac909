package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One point to upsert: id, float32 vector and a JSON payload (null means empty). A value object; the engine copies
 * the vector before changing it (Cosine normalisation), so the caller's array is never modified.
 */
public record Point(PointId id, float[] vector, ObjectNode payload) {
    public Point(PointId id, float[] vector) {
        this(id, vector, null);
    }
}
