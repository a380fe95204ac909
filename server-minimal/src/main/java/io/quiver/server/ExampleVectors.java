package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the examples of one recommend, discover or context input (Qdrant's {@code VectorInput}): a point id stands
 * for its stored vector (a 404 {@code No point with id … found} when there is none) and is noted, since results
 * leave such points out; an array is a raw vector. Every vector must have the collection's dimension (else a 400).
 * One per input, used by the request's thread only.
 */
final class ExampleVectors {
    private final CollectionService collection;
    private final ReadConsistency consistency;
    private final int dimension;
    private final List<PointId> ids = new ArrayList<>();

    ExampleVectors(CollectionService collection, ReadConsistency consistency) {
        this.collection = collection;
        this.consistency = consistency;
        this.dimension = collection.config().vectors().size();
    }

    /** The point ids among the examples resolved so far, in order (repeats kept). */
    List<PointId> ids() {
        return List.copyOf(ids);
    }

    /** One example: a vector (an array) or a point id; {@code field} names it in messages. */
    float[] vector(JsonNode example, String field) {
        if (example == null || example.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `" + field + "`");
        }
        if (example.isArray()) {
            return checked(RequestParser.vector(example, field));
        }
        PointId id = RequestParser.id(example, field);
        ids.add(id);
        return checked(storedVector(collection, id, consistency));
    }

    /** A list of examples ({@code spec.name}; absent or null: none). */
    List<float[]> list(JsonNode spec, String name, String field) {
        JsonNode list = spec.get(name);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw JsonFields.typeError(field, list, "a sequence");
        }
        List<float[]> out = new ArrayList<>(list.size());
        for (JsonNode example : list) {
            out.add(vector(example, field + "[]"));
        }
        return out;
    }

    /** The stored vector of a point; 404 when there is no such point. */
    static float[] storedVector(CollectionService collection, PointId id, ReadConsistency consistency) {
        List<Record> records = collection.retrieve(List.of(id), WithPayload.NONE, true, consistency);
        if (records.isEmpty()) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        return records.getFirst().vectorOrNull();
    }

    private float[] checked(float[] vector) {
        if (vector.length != dimension) {
            throw ApiException.badRequest("Wrong input: Vector dimension error: expected dim: " + dimension
                    + ", got " + vector.length);
        }
        return vector;
    }
}
