package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.filter.JsonPath;
import io.quiver.hnsw.QuantizationSearchParams;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns Qdrant's request bodies into engine requests: points (list and batch forms), ids, selectors, filters,
 * {@code with_payload}/{@code with_vector}, search, query and scroll requests. Shape and type errors are 400s, range
 * errors 422s; dimension checks are the engine's. Stateless and threadsafe.
 */
final class RequestParser {
    private RequestParser() {
    }

    /**
     * {@code {"points":[{id, vector, payload}...]}} or {@code {"batch":{ids, vectors, payloads}}} for a collection
     * whose vector is {@code vectorName}; a point's {@code "vector": {}} and a batch's {@code "vectors": {}} (the named
     * forms without a name) store points without a vector, as Qdrant does.
     */
    static List<Point> points(JsonNode body, VectorName vectorName) {
        if (JsonFields.present(body, "points")) {
            JsonNode array = JsonFields.requireArray(body, "points");
            List<Point> points = new ArrayList<>(array.size());
            for (JsonNode p : array) {
                if (!p.isObject()) {
                    throw JsonFields.typeError("points[]", p, "a point object");
                }
                points.add(new Point(id(p.get("id"), "id"),
                        upsertedVector(p.has("vector") ? p.get("vector") : p.get("vectors"), "vector", vectorName),
                        payload(p.get("payload"))));
            }
            return points;
        }
        JsonNode batch = JsonFields.optObject(body, "batch");
        if (batch == null) {
            throw ApiException.badRequest("Format error in JSON body: expected `points` or `batch`");
        }
        JsonNode ids = JsonFields.requireArray(batch, "ids");
        JsonNode vectors = batch.has("vectors") ? batch.get("vectors") : null;
        // the named form without names: every point without a vector, as Qdrant splits such a batch
        boolean vectorless = vectors != null && vectors.isObject() && vectors.isEmpty();
        if (!vectorless && (vectors == null || !vectors.isArray())) {
            vectors = namedBatch(vectors, vectorName);
        }
        JsonNode payloads = batch.get("payloads");
        if (payloads != null && !payloads.isNull() && !payloads.isArray()) {
            throw JsonFields.typeError("batch.payloads", payloads, "a sequence");
        }
        // Qdrant validates the column lengths after parsing: a 422 on the batch
        if (!vectorless && vectors.size() != ids.size()) {
            throw ApiException.validation("batch", "number of ids and vectors must be equal (" + ids.size() + " != "
                    + vectors.size() + ")");
        }
        if (payloads != null && !payloads.isNull() && payloads.size() != ids.size()) {
            throw ApiException.validation("batch", "number of ids and payloads must be equal (" + ids.size() + " != "
                    + payloads.size() + ")");
        }
        List<Point> points = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            JsonNode payload = payloads == null || payloads.isNull() ? null : payloads.get(i);
            points.add(new Point(id(ids.get(i), "batch.ids"),
                    vectorless ? null : vector(vectors.get(i), "batch.vectors", VectorName.UNNAMED),
                    payload(payload)));
        }
        return points;
    }

    /** A batch's column of the collection's vector: {@code {"name": [[…], …]}} ({@code ""} when unnamed). */
    private static JsonNode namedBatch(JsonNode vectors, VectorName vectorName) {
        if (vectors != null && vectors.isObject()) {
            rejectOtherNames(vectors, vectorName);
            JsonNode column = vectors.get(vectorName.name());
            if (column != null && column.isArray()) {
                return column;
            }
        }
        throw ApiException.badRequest("Format error in JSON body: batch.vectors: expected a sequence of vectors");
    }

    /** A point id; a negative number or a non-UUID string is a 400. */
    static PointId id(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `" + field + "`");
        }
        if (!node.isIntegralNumber() && !node.isTextual()) {
            throw ApiException.badRequest("Format error in JSON body: " + field
                    + ": data did not match any variant of untagged enum ExtendedPointId");
        }
        return PointId.parse(node);
    }

    /**
     * A payload key path ({@code a.b}, {@code arr[].a}, {@code "quoted.key"}), returned as given once it parses;
     * 400 otherwise (empty, {@code a..b}, unclosed brackets...), before anything is logged or proposed.
     */
    static String keyPath(String text, String field) {
        try {
            JsonPath.parse(text);
            return text;
        } catch (BadRequestException e) {
            String reason = e.getMessage().startsWith("Wrong input: ")
                    ? e.getMessage().substring("Wrong input: ".length()) : e.getMessage();
            throw ApiException.badRequest("Format error in JSON body: " + field + ": " + reason);
        }
    }

    static List<PointId> ids(JsonNode array, String field) {
        if (array == null || !array.isArray()) {
            throw JsonFields.typeError(field, array == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : array, "a sequence");
        }
        List<PointId> ids = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            ids.add(id(n, field));
        }
        return ids;
    }

    /**
     * The vector of an upserted point: as {@link #vector}, except that the named form without names ({@code {}}) is a
     * point without a vector (null), as Qdrant stores {@code "vector": {}}.
     */
    static float[] upsertedVector(JsonNode node, String field, VectorName vectorName) {
        if (node != null && node.isObject() && node.isEmpty()) {
            return null;
        }
        return vector(node, field, vectorName);
    }

    /** A dense vector given without a name (a query's or an example's): as {@link #vector(JsonNode, String, VectorName)}
     * for the unnamed vector; {@code using} names the vector it is for. */
    static float[] vector(JsonNode node, String field) {
        return vector(node, field, VectorName.UNNAMED);
    }

    /**
     * A dense vector of a point or a search: an array of finite numbers, which Qdrant takes for the unnamed vector
     * {@code ""}, or the named form {@code {"name": [...]}}; a name other than {@code vectorName}'s (also {@code ""}
     * when the collection's vector is named) is Qdrant's 400 "Not existing vector name error". Values that overflow
     * float32 count as non-finite (Qdrant rejects NaN and infinities).
     */
    static float[] vector(JsonNode node, String field, VectorName vectorName) {
        if (node == null || node.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `" + field + "`");
        }
        if (node.isObject()) {
            rejectOtherNames(node, vectorName);
            JsonNode named = node.get(vectorName.name());
            if (named == null) {
                throw ApiException.badRequest("Format error in JSON body: " + field + ": expected a vector");
            }
            node = named;
        } else {
            vectorName.require(""); // an array is Qdrant's unnamed vector
        }
        if (!node.isArray()) {
            throw JsonFields.typeError(field, node, "a sequence of floats");
        }
        float[] vector = new float[node.size()];
        for (int i = 0; i < vector.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isNumber()) {
                throw JsonFields.typeError(field + "[" + i + "]", x, "f32");
            }
            float f = x.floatValue();
            if (!Float.isFinite(f)) {
                throw ApiException.badRequest("Wrong input: vector " + field + "[" + i + "] is not a finite float32: " + x);
            }
            vector[i] = f;
        }
        return vector;
    }

    private static void rejectOtherNames(JsonNode named, VectorName vectorName) {
        named.fieldNames().forEachRemaining(vectorName::require);
    }

    /** A payload: a JSON object, or null/absent meaning empty. */
    static ObjectNode payload(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw JsonFields.typeError("payload", node, "a map");
        }
        return (ObjectNode) node;
    }

    /** A payload that must be given (set/overwrite payload). */
    static ObjectNode requiredPayload(JsonNode body) {
        JsonNode node = body.get("payload");
        if (node == null || node.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `payload`");
        }
        return payload(node);
    }

    static Filter filter(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw JsonFields.typeError(field, node, "a filter object");
        }
        return FilterParser.parse(node);
    }

    /** {@code points: [ids]} or {@code filter: {...}} (delete, payload operations). */
    static PointsSelector selector(JsonNode body) {
        if (JsonFields.present(body, "points")) {
            JsonNode points = body.get("points");
            if (points.isObject() && points.has("filter")) {
                return PointsSelector.filter(filter(points, "filter"));
            }
            return PointsSelector.ids(ids(points, "points"));
        }
        Filter filter = filter(body, "filter");
        if (filter != null) {
            return PointsSelector.filter(filter);
        }
        throw ApiException.badRequest("Format error in JSON body: either `points` or `filter` is required");
    }

    static WithPayload withPayload(JsonNode body, WithPayload absent) {
        JsonNode node = body.get("with_payload");
        if (node == null || node.isNull()) {
            return absent;
        }
        return WithPayload.parse(node);
    }

    /**
     * {@code with_vector} (alias {@code with_vectors}): a boolean or a list of vector names, each of which must be
     * {@code vectorName}'s.
     */
    static boolean withVector(JsonNode body, boolean absent, VectorName vectorName) {
        JsonNode node = body.has("with_vector") ? body.get("with_vector") : body.get("with_vectors");
        if (node == null || node.isNull()) {
            return absent;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            for (JsonNode name : node) {
                if (!name.isTextual()) {
                    throw JsonFields.typeError("with_vector", name, "a vector name");
                }
                vectorName.require(name.textValue());
            }
            return !node.isEmpty();
        }
        throw JsonFields.typeError("with_vector", node, "a boolean or a list of vector names");
    }

    /** Qdrant's SearchRequest: {@code vector}, {@code limit} (required, ≥ 1), filter, offset, params, thresholds. */
    static SearchRequest search(JsonNode body, VectorName vectorName) {
        float[] vector = searchVector(body, vectorName);
        if (!JsonFields.present(body, "limit")) {
            throw ApiException.badRequest("Format error in JSON body: missing field `limit`");
        }
        int limit = JsonFields.optInt(body, "limit", null, 1);
        return searchTail(body, vector, limit, vectorName);
    }

    /**
     * A SearchRequest's {@code vector} (Qdrant's NamedVectorStruct): a vector (the unnamed one), {@code {"name":
     * [...]}}, or {@code {"name": "name", "vector": [...]}} (no {@code name}: the unnamed vector); a name other than
     * {@code vectorName}'s is a 400.
     */
    static float[] searchVector(JsonNode body, VectorName vectorName) {
        JsonNode vectorNode = body.get("vector");
        if (vectorNode != null && vectorNode.isObject() && vectorNode.has("vector")) {
            String name = JsonFields.optText(vectorNode, "name");
            vectorName.require(name == null ? "" : name);
            return vector(vectorNode.get("vector"), "vector.vector");
        }
        return vector(vectorNode, "vector", vectorName);
    }

    /**
     * The parts SearchRequest and QueryRequest share: filter, offset, payload/vector selection, params, for a
     * collection whose vector is {@code vectorName}.
     */
    static SearchRequest searchTail(JsonNode body, float[] vector, int limit, VectorName vectorName) {
        return searchTail(body, vector, null, limit, vectorName);
    }

    /** {@link #searchTail(JsonNode, float[], int, VectorName)} of a search ranking by an example query. */
    static SearchRequest searchTail(JsonNode body, ExampleQuery query, int limit, VectorName vectorName) {
        return searchTail(body, null, query, limit, vectorName);
    }

    private static SearchRequest searchTail(JsonNode body, float[] vector, ExampleQuery query, int limit,
            VectorName vectorName) {
        int offset = JsonFields.optInt(body, "offset", 0, 0);
        Float threshold = JsonFields.optFloat(body, "score_threshold");
        SearchParams params = params(body);
        return new SearchRequest(vector, filter(body, "filter"), limit, offset, withPayload(body, WithPayload.NONE),
                withVector(body, false, vectorName), threshold, params.hnswEfOrNull(), params.exact(),
                params.quantizationOrNull(), params.indexedOnly(), query);
    }

    /** Qdrant's SearchParams ({@code params} of a search, a query or a prefetch); absent fields take the defaults. */
    record SearchParams(Integer hnswEfOrNull, boolean exact, QuantizationSearchParams quantizationOrNull,
            boolean indexedOnly) {
        static final SearchParams DEFAULTS = new SearchParams(null, false, null, false);

        SearchParams withExact(boolean e) {
            return new SearchParams(hnswEfOrNull, e, quantizationOrNull, indexedOnly);
        }
    }

    /** The body's {@code params}: {@code hnsw_ef} (≥ 1), {@code exact}, {@code indexed_only}, {@code quantization}. */
    static SearchParams params(JsonNode body) {
        JsonNode params = JsonFields.optObject(body, "params");
        if (params == null) {
            return SearchParams.DEFAULTS;
        }
        Integer hnswEf = JsonFields.optInt(params, "hnsw_ef", null, 1);
        boolean exact = JsonFields.optBool(params, "exact", false);
        boolean indexedOnly = JsonFields.optBool(params, "indexed_only", false);
        return new SearchParams(hnswEf, exact, quantization(JsonFields.optObject(params, "quantization")), indexedOnly);
    }

    /**
     * Qdrant's {@code params.quantization}: {@code ignore} (default false), {@code rescore} (default true) and
     * {@code oversampling} (≥ 1; absent: the index's default). Null when the request does not set it.
     */
    private static QuantizationSearchParams quantization(JsonNode node) {
        if (node == null) {
            return null;
        }
        QuantizationSearchParams defaults = QuantizationSearchParams.defaults();
        boolean ignore = JsonFields.optBool(node, "ignore", defaults.ignore());
        boolean rescore = JsonFields.optBool(node, "rescore", defaults.rescore());
        double oversampling = defaults.oversampling();
        JsonNode o = node.get("oversampling");
        if (o != null && !o.isNull()) {
            if (!o.isNumber()) {
                throw JsonFields.typeError("oversampling", o, "a number");
            }
            oversampling = o.doubleValue();
            if (!(oversampling >= 1.0) || !Double.isFinite(oversampling)) {
                throw ApiException.validation("params.quantization.oversampling",
                        "value " + o.asText() + " invalid, must be 1.0 or larger");
            }
        }
        return new QuantizationSearchParams(ignore, rescore, oversampling);
    }

    /** Qdrant's ScrollRequest: offset (a point id), limit (default 10, ≥ 1), filter, with_payload (default true). */
    static ScrollRequest scroll(JsonNode body, VectorName vectorName) {
        PointId offset = JsonFields.present(body, "offset") ? id(body.get("offset"), "offset") : null;
        int limit = JsonFields.optInt(body, "limit", 10, 1);
        return new ScrollRequest(offset, limit, filter(body, "filter"), withPayload(body, WithPayload.ALL),
                withVector(body, false, vectorName));
    }
}
