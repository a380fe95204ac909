package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored point as read back: id, payload (null when not requested) and vector (null when not requested). */
public record Record(PointId id, ObjectNode payloadOrNull, float[] vectorOrNull) {
    /** Qdrant's Record JSON: {"id":..,"payload":..,"vector":..}. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.set("payload", payloadOrNull);
        n.set("vector", vectorJson(vectorOrNull));
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
