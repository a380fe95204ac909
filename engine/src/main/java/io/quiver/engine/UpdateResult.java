package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The answer to a write: the operation id (increasing per collection) and its status. Immutable. */
public record UpdateResult(long operationId, UpdateStatus status) {
    /** {"operation_id":..,"status":"completed"}. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("operation_id", operationId);
        n.put("status", status.jsonName());
        return n;
    }
}
