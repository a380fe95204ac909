package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One search hit: id, version of its last change, score (Qdrant's convention), optional payload and vector. */
public record ScoredPoint(PointId id, long version, float score, ObjectNode payloadOrNull, float[] vectorOrNull) {
    /** Qdrant's ScoredPoint JSON: {"id","version","score","payload","vector"}. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id.toJson());
        n.put("version", version);
        n.put("score", score);
        n.set("payload", payloadOrNull);
        n.set("vector", Record.vectorJson(vectorOrNull));
        return n;
    }
}
