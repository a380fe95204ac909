package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's UpdateVectors ({@code {"points":[{"id":..,"vector":..}], "shard_key":..}}) and DeleteVectors
 * ({@code {"points":[..]}} or {@code {"filter":{..}}}, with {@code "vector":["", ..]}) bodies, as the
 * {@code points/vectors} endpoints and the {@code update_vectors} / {@code delete_vectors} batch operations take
 * them: shape errors are 400s, empty lists 422s (Qdrant's validation messages), unknown vector names 400s, all before
 * anything runs; dimensions, values and missing points are the collection's checks. Stateless and threadsafe.
 */
final class VectorOperationParser {
    private VectorOperationParser() {
    }

    /** UpdateVectors: each point's new vector ({@code vector}, alias {@code vectors}); the payload is kept. */
    static PointRoutes.PreparedUpdate updateVectors(JsonNode body, VectorName vectorName) {
        if (!JsonFields.present(body, "points")) {
            throw ApiException.badRequest("Format error in JSON body: missing field `points`");
        }
        JsonNode array = JsonFields.requireArray(body, "points");
        checkShardKey(body);
        if (array.isEmpty()) {
            throw ApiException.validation("points", "must specify points to update");
        }
        List<PointVectors> points = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode p = array.get(i);
            if (!p.isObject()) {
                throw JsonFields.typeError("points[" + i + "]", p, "a point with vectors");
            }
            PointId id = RequestParser.id(p.get("id"), "id");
            JsonNode vector = p.has("vector") ? p.get("vector") : p.get("vectors");
            if (vector != null && (vector.isObject() || vector.isArray()) && vector.isEmpty()) {
                throw ApiException.validation("points[" + i + "].vector", "must specify vectors to update for point");
            }
            points.add(new PointVectors(id, RequestParser.vector(vector, "vector", vectorName)));
        }
        return (c, wait) -> c.updateVectors(points, wait);
    }

    /**
     * DeleteVectors: the selected points lose the named vectors ({@code vector}, alias {@code vectors}). {@code points}
     * and {@code filter} are separate fields in Qdrant, not a selector: given both, both run (the filter's operation
     * first, then the ids'; the answer is the last one's), as Qdrant's {@code do_delete_vectors} runs them; neither is
     * a 400 {@code No filter or points provided}.
     */
    static PointRoutes.PreparedUpdate deleteVectors(JsonNode body, VectorName vectorName) {
        String field = body.has("vector") ? "vector" : "vectors";
        if (!JsonFields.present(body, field)) {
            throw ApiException.badRequest("Format error in JSON body: missing field `vector`");
        }
        JsonNode array = JsonFields.requireArray(body, field);
        List<String> names = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                throw JsonFields.typeError("vector[]", n, "a vector name");
            }
            if (!names.contains(n.textValue())) { // a set of names in Qdrant
                names.add(n.textValue());
            }
        }
        checkShardKey(body);
        List<PointsSelector> selectors = new ArrayList<>(2);
        Filter filter = RequestParser.filter(body, "filter");
        if (filter != null) {
            selectors.add(PointsSelector.filter(filter));
        }
        if (JsonFields.present(body, "points")) {
            selectors.add(RequestParser.selector(body));
        }
        if (names.isEmpty()) {
            throw ApiException.validation("vector", "must specify vector names to delete");
        }
        if (selectors.isEmpty()) {
            throw ApiException.badRequest("Bad request: No filter or points provided");
        }
        names.forEach(vectorName::require);
        return (c, wait) -> {
            UpdateResult last = null;
            for (PointsSelector selector : selectors) {
                last = c.deleteVectors(selector, names, wait);
            }
            return last;
        };
    }

    /**
     * Qdrant's {@code shard_key} selector (a key, or a list of keys: strings or unsigned integers) is taken and
     * ignored: Quiver shards by point id only, as a collection without custom sharding does.
     */
    private static void checkShardKey(JsonNode body) {
        JsonNode key = body.get("shard_key");
        if (key == null || key.isNull()) {
            return;
        }
        for (JsonNode k : key.isArray() ? key : List.of(key)) {
            if (!k.isTextual() && !(k.isIntegralNumber() && k.bigIntegerValue().signum() >= 0
                    && k.bigIntegerValue().compareTo(JsonFields.U64_MAX) <= 0)) {
                throw ApiException.badRequest("Format error in JSON body: shard_key: data did not match any variant "
                        + "of untagged enum ShardKeySelector");
            }
        }
    }
}
