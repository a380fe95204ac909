package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A snapshot of a collection's state, in Qdrant's CollectionInfo shape. Immutable (the JSON nodes are copies).
 *
 * @param optimizerErrorOrNull null means optimizer_status "ok"; otherwise {"error": message}
 */
public record CollectionInfo(CollectionStatus status, String optimizerErrorOrNull, long pointsCount,
        long indexedVectorsCount, int segmentsCount, CollectionConfig config, ObjectNode payloadSchema) {

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("status", status.jsonName());
        if (optimizerErrorOrNull == null) {
            n.put("optimizer_status", "ok");
        } else {
            n.putObject("optimizer_status").put("error", optimizerErrorOrNull);
        }
        n.put("indexed_vectors_count", indexedVectorsCount);
        n.put("points_count", pointsCount);
        n.put("segments_count", segmentsCount);
        n.set("config", config.toJson());
        n.set("payload_schema",
                payloadSchema == null ? JsonNodeFactory.instance.objectNode() : payloadSchema.deepCopy());
        return n;
    }
}
