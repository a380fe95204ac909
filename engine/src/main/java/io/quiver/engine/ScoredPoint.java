package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One hit: id, version of its last change, score (Qdrant's convention), optional payload and vector; {@code
 * vectorMissing} when the vector was requested but the point has none (only the queries that list points rather
 * than search them — no query, {@code order_by}, {@code sample} — return such points: searches never do);
 * {@code orderValueOrNull} the payload value an {@code order_by} query ordered it by (a {@link Long} or a
 * {@link Double}), else null. Immutable value (the arrays are not modified).
 */
public record ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull,
        boolean vectorMissing, Number orderValueOrNull) {
    /** A hit not ordered by a payload value. */
    public ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull,
            boolean vectorMissing) {
        this(id, version, score, payloadOrNull, vectorOrNull, vectorMissing, null);
    }

    /** A hit whose vector, when requested, is present ({@code vectorOrNull} null: not requested). */
    public ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull) {
        this(id, version, score, payloadOrNull, vectorOrNull, false, null);
    }

    /**
     * Qdrant's ScoredPoint JSON: {"id","version","score","payload","vector"} and, for a hit of an {@code order_by}
     * query, "order_value"; a requested vector the point does not have shows as {@code "vector": {}}, as
     * {@link Record#toJson()} shows it.
     */
    public ObjectNode toJson() {
        return toJson("");
    }

    /** As {@link #toJson()} for a collection whose one vector is named {@code vectorName} (see {@link Record}). */
    public ObjectNode toJson(String vectorName) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.put("version", version);
        n.put("score", score);
        n.set("payload", payloadOrNull);
        n.set("vector", Record.vectorJson(vectorOrNull, vectorMissing, vectorName));
        if (orderValueOrNull != null) {
            OrderedScroll.putOrderValue(n, orderValueOrNull);
        }
        return n;
    }
}
