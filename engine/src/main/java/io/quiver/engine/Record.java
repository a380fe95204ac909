package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
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
     * Qdrant's Record JSON: {"id":..,"payload":..,"vector":..} of a collection whose vector is unnamed; a point whose
     * vector was requested but deleted shows {@code "vector": {}} (Qdrant's empty set of named vectors).
     */
    public ObjectNode toJson() {
        return toJson("");
    }

    /**
     * As {@link #toJson()} for a collection whose one vector is named {@code vectorName}: the vector shows as
     * {@code {"vectorName": [...]}} (as a plain array when the name is {@code ""}).
     */
    public ObjectNode toJson(String vectorName) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.set("payload", payloadOrNull);
        n.set("vector", vectorJson(vectorOrNull, vectorMissing, vectorName));
        return n;
    }

    /** A point's {@code vector} field: null (not requested), {@code {}} (missing), an array or {@code {name: array}}. */
    static JsonNode vectorJson(float[] v, boolean missing, String vectorName) {
        if (missing) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (v == null) {
            return null;
        }
        ArrayNode a = JsonNodeFactory.instance.arrayNode(v.length);
        for (float f : v) {
            a.add(f);
        }
        if (vectorName.isEmpty()) {
            return a;
        }
        ObjectNode named = JsonNodeFactory.instance.objectNode();
        named.set(vectorName, a);
        return named;
    }
}
