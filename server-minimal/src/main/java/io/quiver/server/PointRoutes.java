package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.OrderBy;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Record;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's point endpoints: upsert, delete, the four payload operations, update and delete of vectors (bodies parsed by
 * {@link VectorOperationParser}), batch updates, retrieve, get by id, scroll and count. Each maps one request to one engine call; {@code wait} (default false) picks completed vs acknowledged.
 * Stateless and threadsafe.
 */
final class PointRoutes {
    private final CollectionLookup collections;
    private final ObjectMapper json;

    PointRoutes(CollectionLookup collections, ObjectMapper json) {
        this.collections = collections;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("PUT", "/collections/{c}/points", WRITE, r -> update(r, "upsert")),
                new Route("POST", "/collections/{c}/points/delete", WRITE, r -> update(r, "delete")),
                new Route("POST", "/collections/{c}/points/payload", WRITE, r -> update(r, "set_payload")),
                new Route("PUT", "/collections/{c}/points/payload", WRITE, r -> update(r, "overwrite_payload")),
                new Route("POST", "/collections/{c}/points/payload/delete", WRITE, r -> update(r, "delete_payload")),
                new Route("POST", "/collections/{c}/points/payload/clear", WRITE, r -> update(r, "clear_payload")),
                new Route("PUT", "/collections/{c}/points/vectors", WRITE, r -> update(r, "update_vectors")),
                new Route("POST", "/collections/{c}/points/vectors/delete", WRITE, r -> update(r, "delete_vectors")),
                new Route("POST", "/collections/{c}/points/batch", WRITE, this::batch),
                new Route("POST", "/collections/{c}/points", READ, this::retrieve),
                new Route("GET", "/collections/{c}/points/{id}", READ, this::getPoint),
                new Route("POST", "/collections/{c}/points/scroll", READ, this::scroll),
                new Route("POST", "/collections/{c}/points/count", READ, this::count));
    }

    /** One parsed update operation, ready to run on a collection with the {@code wait} flag. */
    @FunctionalInterface
    interface PreparedUpdate {
        UpdateResult apply(CollectionService collection, boolean wait);
    }

    /**
     * Parses one update operation's body for a collection whose vector is {@code vectorName}; every check of its
     * format happens here, before anything runs.
     */
    @FunctionalInterface
    interface UpdateParser {
        PreparedUpdate parse(JsonNode body, VectorName vectorName);
    }

    /** One update operation by its batch name: parsed, passed through strict mode, applied. */
    private ApiResponse update(ApiRequest request, String kind) {
        CollectionService collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.writeParams().waitRequested());
        JsonNode body = request.jsonObject();
        PreparedUpdate update = operation(kind).parse(body, VectorName.of(collection));
        StrictModeCheck.of(collection).update(kind, body);
        return ApiResponse.ok(update.apply(collection, wait).toJson());
    }

    private PreparedUpdate upsert(JsonNode body, VectorName vectorName) {
        List<Point> points = RequestParser.points(body, vectorName);
        return (c, wait) -> c.upsert(points, wait);
    }

    private PreparedUpdate delete(JsonNode body, VectorName unused) {
        PointsSelector selector = RequestParser.selector(body);
        return (c, wait) -> c.delete(selector, wait);
    }

    private PreparedUpdate setPayload(JsonNode body, VectorName unused) {
        ObjectNode payload = RequestParser.requiredPayload(body);
        String key = JsonFields.optText(body, "key");
        if (key != null) {
            RequestParser.keyPath(key, "key");
        }
        PointsSelector selector = RequestParser.selector(body);
        return (c, wait) -> c.setPayload(selector, payload, key, wait);
    }

    private PreparedUpdate overwritePayload(JsonNode body, VectorName unused) {
        ObjectNode payload = RequestParser.requiredPayload(body);
        PointsSelector selector = RequestParser.selector(body);
        return (c, wait) -> c.overwritePayload(selector, payload, wait);
    }

    private PreparedUpdate deletePayload(JsonNode body, VectorName unused) {
        JsonNode keys = JsonFields.requireArray(body, "keys");
        List<String> names = new ArrayList<>(keys.size());
        for (JsonNode k : keys) {
            if (!k.isTextual()) {
                throw JsonFields.typeError("keys[]", k, "a string");
            }
            names.add(RequestParser.keyPath(k.textValue(), "keys[]"));
        }
        PointsSelector selector = RequestParser.selector(body);
        return (c, wait) -> c.deletePayloadKeys(selector, names, wait);
    }

    private PreparedUpdate clearPayload(JsonNode body, VectorName unused) {
        PointsSelector selector = RequestParser.selector(body);
        return (c, wait) -> c.clearPayload(selector, wait);
    }

    /**
     * {@code {"operations":[{"upsert":{…}},{"delete":{…}},…]}}: applied in order, one UpdateResult each. Every
     * operation is parsed before the first runs (as Qdrant deserializes the whole body first), so a malformed one
     * changes nothing, and passes strict mode before the first runs (a refused one changes nothing either); an
     * operation the collection refuses (a wrong dimension, say) stops the batch with the earlier ones applied, as in
     * Qdrant.
     */
    private ApiResponse batch(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.writeParams().waitRequested());
        JsonNode operations = JsonFields.requireArray(request.jsonObject(), "operations");
        List<PreparedUpdate> prepared = new ArrayList<>(operations.size());
        List<Runnable> strictChecks = new ArrayList<>(operations.size());
        StrictModeCheck strict = StrictModeCheck.of(collection);
        VectorName vectorName = VectorName.of(collection);
        for (JsonNode op : operations) {
            if (!op.isObject() || op.size() != 1) {
                throw ApiException.badRequest("Format error in JSON body: operations[]: expected one operation object");
            }
            String kind = op.fieldNames().next();
            JsonNode body = op.get(kind);
            if (!body.isObject()) {
                throw JsonFields.typeError("operations[]." + kind, body, "an object");
            }
            prepared.add(operation(kind).parse(body, vectorName));
            strictChecks.add(() -> strict.update(kind, body));
        }
        strictChecks.forEach(Runnable::run);
        ArrayNode results = json.createArrayNode();
        for (PreparedUpdate update : prepared) {
            results.add(update.apply(collection, wait).toJson());
        }
        return ApiResponse.ok(results);
    }

    private UpdateParser operation(String kind) {
        return switch (kind) {
            case "upsert" -> this::upsert;
            case "delete" -> this::delete;
            case "set_payload" -> this::setPayload;
            case "overwrite_payload" -> this::overwritePayload;
            case "delete_payload" -> this::deletePayload;
            case "clear_payload" -> this::clearPayload;
            case "update_vectors" -> VectorOperationParser::updateVectors;
            case "delete_vectors" -> VectorOperationParser::deleteVectors;
            default -> throw ApiException.badRequest("Format error in JSON body: operations[]: unknown variant `"
                    + kind + "`");
        };
    }

    private ApiResponse retrieve(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.jsonObject();
        List<PointId> ids = RequestParser.ids(JsonFields.requireArray(body, "ids"), "ids");
        VectorName vectorName = VectorName.of(collection);
        List<Record> records = collection.retrieve(ids, RequestParser.withPayload(body, WithPayload.ALL),
                RequestParser.withVector(body, false, vectorName), read.consistency());
        ArrayNode out = json.createArrayNode();
        records.forEach(r -> out.add(r.toJson(vectorName.name())));
        return ApiResponse.ok(out);
    }

    private ApiResponse getPoint(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        String raw = request.pathParam("id");
        PointId id;
        if (raw.chars().allMatch(Character::isDigit) && !raw.isEmpty()) {
            id = RequestParser.id(json.getNodeFactory().numberNode(new java.math.BigInteger(raw)), "id");
        } else {
            try {
                id = PointId.parseText(raw);
            } catch (RuntimeException e) {
                throw ApiException.badRequest("Format error in path parameters: id: `" + raw
                        + "` is neither an unsigned integer nor a UUID");
            }
        }
        List<Record> records = collection.retrieve(List.of(id), WithPayload.ALL, true, read.consistency());
        if (records.isEmpty()) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        return ApiResponse.ok(records.getFirst().toJson(collection.config().vectorName()));
    }

    private ApiResponse scroll(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.json();
        if (body.isNull()) {
            body = json.createObjectNode();
        } else if (!body.isObject()) {
            throw ApiException.badRequest("Format error in JSON body: expected a scroll request object");
        }
        VectorName vectorName = VectorName.of(collection);
        ScrollRequest scroll = RequestParser.scroll(body, vectorName); // the body's format first, then strict mode
        StrictModeCheck.of(collection).scroll(body).timeout(read);
        if (JsonFields.present(body, "order_by")) {
            return ApiResponse.ok(orderedScroll(collection, body, scroll, read.consistency()));
        }
        ScrollResult page = collection.scroll(scroll, read.consistency());
        ObjectNode result = json.createObjectNode();
        ArrayNode points = result.putArray("points");
        page.points().forEach(r -> points.add(r.toJson(vectorName.name())));
        result.set("next_page_offset", page.nextPageOffsetOrNull() == null ? null : page.nextPageOffsetOrNull().toJson());
        return ApiResponse.ok(result);
    }

    /** {@code order_by}: sorted by a payload value, each point with its {@code order_value}, no next page offset. */
    private ObjectNode orderedScroll(CollectionService collection, JsonNode body, ScrollRequest scroll,
            ReadConsistency consistency) {
        if (JsonFields.present(body, "offset")) {
            throw ApiException.badRequest("Bad request: Cannot use an `offset` when using `order_by`");
        }
        String vectorName = collection.config().vectorName();
        ObjectNode result = json.createObjectNode();
        ArrayNode points = result.putArray("points");
        collection.scrollOrdered(OrderBy.parse(body.get("order_by")), scroll.filterOrNull(), scroll.limit(),
                scroll.withPayload(), scroll.withVector(), consistency)
                .forEach(r -> points.add(r.toJson(vectorName)));
        result.putNull("next_page_offset");
        return result;
    }

    private ApiResponse count(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.json();
        if (body.isNull()) {
            body = json.createObjectNode();
        } else if (!body.isObject()) {
            throw ApiException.badRequest("Format error in JSON body: expected a count request object");
        }
        JsonFields.optBool(body, "exact", true);
        Filter filter = RequestParser.filter(body, "filter");
        StrictModeCheck.of(collection).count(body).timeout(read);
        long count = collection.count(filter, read.consistency());
        return ApiResponse.ok(json.createObjectNode().put("count", count));
    }
}
