package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's {@code with_lookup} of the group endpoints: a collection name, or {@code {"collection": …, "with_payload":
 * …, "with_vectors"|"with_vector": …}} (payload by default, no vector). Each group whose id is a point id (an unsigned
 * integer or a UUID string) of that collection gets the point as {@code "lookup"} ({@code {"id","payload","vector"}});
 * other groups get none. Immutable; one per request.
 */
record GroupLookup(CollectionService collection, WithPayload withPayload, boolean withVector) {

    /** The request's {@code with_lookup}, or null without one; an unknown collection is Qdrant's 404. */
    static GroupLookup of(CollectionLookup collections, JsonNode body) {
        JsonNode spec = body.get("with_lookup");
        if (spec == null || spec.isNull()) {
            return null;
        }
        String name;
        WithPayload withPayload = WithPayload.ALL;
        if (spec.isTextual()) {
            name = spec.textValue();
        } else if (spec.isObject()) {
            name = JsonFields.optText(spec, "collection", "with_lookup.collection");
            if (name == null) {
                throw ApiException.badRequest("Format error in JSON body: with_lookup: missing field `collection`");
            }
            withPayload = RequestParser.withPayload(spec, WithPayload.ALL);
        } else {
            throw JsonFields.typeError("with_lookup", spec, "a collection name or struct WithLookup");
        }
        CollectionService collection = collections.catalog().resolve(name)
                .orElseThrow(() -> ApiException.notFound("Collection " + name + " not found"));
        boolean withVector = spec.isObject() && RequestParser.withVector(spec, false, VectorName.of(collection));
        return new GroupLookup(collection, withPayload, withVector);
    }

    /** Adds {@code "lookup"} to each group JSON of {@code groups} whose id names a point of the lookup collection. */
    void attach(ArrayNode groups, ReadConsistency consistency) {
        List<PointId> ids = new ArrayList<>();
        for (JsonNode group : groups) {
            PointId id = pointIdOrNull(group.get("id"));
            if (id != null) {
                ids.add(id);
            }
        }
        Map<PointId, Record> found = new HashMap<>();
        if (!ids.isEmpty()) {
            for (Record r : collection.retrieve(ids, withPayload, withVector, consistency)) {
                found.put(r.id(), r);
            }
        }
        for (JsonNode group : groups) {
            PointId id = pointIdOrNull(group.get("id"));
            Record r = id == null ? null : found.get(id);
            if (r != null) {
                ((ObjectNode) group).set("lookup", r.toJson(collection.config().vectorName()));
            }
        }
    }

    /** A group value as a point id: an unsigned integer or a UUID string; null for any other value. */
    private static PointId pointIdOrNull(JsonNode value) {
        if (value == null || !(value.isIntegralNumber() || value.isTextual())) {
            return null;
        }
        try {
            return PointId.parse(value);
        } catch (BadRequestException e) {
            return null;
        }
    }
}
