package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored point as read back: id, payload (null when not requested) and vector (null when not requested, or when
 * the point has none: then {@code vectorMissing} is true). Immutable value (the arrays are not modified).
 */
public record Record(PointId id, ObjectNode payloadOrNull, float[] vectorOrNull, boolean vectorMissing) {
    /** A record whose vector, when requested, is present ({@code vectorOrNull} null: not requested). */
    public Record(PointId id, ObjectNode payloadOrNull, float[] vectorOrNull) {
        this(id, payloadOrNull, vectorOrNull, false);
    }

    /**
     * Qdrant's Record JSON: {"id":..,"payload":..,"vector":..}; a point whose vector was requested but deleted shows
     * {@code "vector": {}} (Qdrant's empty set of named vectors).
     */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.set("payload", payloadOrNull);
        n.set("vector", vectorMissing ? JsonNodeFactory.instance.objectNode() : vectorJson(vectorOrNull));
        return n;
    }

    static ArrayNode vectorJson(float[] v) {
        if (v == null) {
            return null;
        }
        ArrayNode a = JsonNodeFactory.instance.arrayNode(v.length);
        for (float f : v) {
            a.add(f);
        }
        return a;
    }
}
