package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the examples of one recommend, discover or context input (Qdrant's {@code VectorInput}): a point id stands
 * for its stored vector in the {@link ExampleSource} (a 404 {@code No point with id … found} when there is none) and,
 * when it is a point of the searched collection, is noted, since results leave such points out; an array is a raw
 * vector. Every vector must have the searched collection's dimension (else a 400). One per input, used by the
 * request's thread only.
 */
final class ExampleVectors {
    private final ExampleSource source;
    private final int dimension;
    private final List<PointId> ids = new ArrayList<>();

    ExampleVectors(ExampleSource source) {
        this.source = source;
        this.dimension = source.searched().config().vectors().size();
    }

    /** The searched collection's points among the examples resolved so far, in order (repeats kept). */
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
        if (source.excludesExamples()) {
            ids.add(id);
        }
        return checked(source.storedVector(id));
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

    private float[] checked(float[] vector) {
        if (vector.length != dimension) {
            throw ApiException.badRequest("Wrong input: Vector dimension error: expected dim: " + dimension
                    + ", got " + vector.length);
        }
        return vector;
    }
}
