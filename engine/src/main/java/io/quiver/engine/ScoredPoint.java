package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One hit: id, version of its last change, score (Qdrant's convention), optional payload and vector; {@code
 * vectorMissing} when the vector was requested but the point has none (only a query without a query, which lists
 * points like a scroll, returns such points: searches never do). Immutable value (the arrays are not modified).
 */
public record ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull,
        boolean vectorMissing) {
    /** A hit whose vector, when requested, is present ({@code vectorOrNull} null: not requested). */
    public ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull) {
        this(id, version, score, payloadOrNull, vectorOrNull, false);
    }

    /**
     * Qdrant's ScoredPoint JSON: {"id","version","score","payload","vector"}; a requested vector the point does not
     * have shows as {@code "vector": {}}, as {@link Record#toJson()} shows it.
     */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.put("version", version);
        n.put("score", score);
        n.set("payload", payloadOrNull);
        n.set("vector", vectorMissing ? JsonNodeFactory.instance.objectNode() : Record.vectorJson(vectorOrNull));
        return n;
    }
}
