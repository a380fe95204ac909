package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.CollectionDefaults;

import java.util.List;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's collection endpoints: list, get, exists, create, update, delete, payload index create/delete, and the
 * standalone form of {@code GET /collections/{c}/cluster}. Stateless and threadsafe.
 */
final class CollectionRoutes {
    /** Qdrant's collection-name rule: non-empty, at most 255 bytes, no path separators or NUL. */
    private static final int MAX_NAME_BYTES = 255;

    private final CollectionLookup collections;
    private final CollectionDefaults defaults;
    private final ObjectMapper json;

    CollectionRoutes(CollectionLookup collections, CollectionDefaults defaults, ObjectMapper json) {
        this.collections = collections;
        this.defaults = defaults;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/collections", READ, this::list),
                new Route("GET", "/collections/{c}", READ, this::info),
                new Route("GET", "/collections/{c}/exists", READ, this::exists),
                new Route("PUT", "/collections/{c}", WRITE, this::create),
                new Route("PATCH", "/collections/{c}", WRITE, this::update),
                new Route("DELETE", "/collections/{c}", WRITE, this::delete),
                new Route("PUT", "/collections/{c}/index", WRITE, this::createIndex),
                new Route("DELETE", "/collections/{c}/index/{field}", WRITE, this::deleteIndex),
                new Route("GET", "/collections/{c}/cluster", READ, this::clusterInfo));
    }

    private ApiResponse list(ApiRequest request) {
        ObjectNode result = json.createObjectNode();
        ArrayNode names = result.putArray("collections");
        collections.catalog().names().forEach(n -> names.addObject().put("name", n));
        return ApiResponse.ok(result);
    }

    private ApiResponse info(ApiRequest request) {
        return ApiResponse.ok(collections.get(request.pathParam("c")).infoJson());
    }

    private ApiResponse exists(ApiRequest request) {
        boolean exists = collections.catalog().find(request.pathParam("c")).isPresent();
        return ApiResponse.ok(json.createObjectNode().put("exists", exists));
    }

    private ApiResponse create(ApiRequest request) {
        String name = validName(request.pathParam("c"));
        request.queryInt("timeout", null, 1);
        CollectionConfig config = CollectionConfig.fromCreateRequest(request.jsonObject(), defaults);
        collections.catalog().create(name, config);
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    private ApiResponse update(ApiRequest request) {
        String name = request.pathParam("c");
        collections.get(name);
        request.queryInt("timeout", null, 1);
        JsonNode body = request.json();
        collections.catalog().update(name, body.isNull() ? json.createObjectNode() : request.jsonObject());
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    private ApiResponse delete(ApiRequest request) {
        request.queryInt("timeout", null, 1);
        return ApiResponse.ok(BooleanNode.valueOf(collections.catalog().delete(request.pathParam("c"))));
    }

    private ApiResponse createIndex(ApiRequest request) {
        var collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.queryFlag("wait", false));
        JsonNode body = request.jsonObject();
        String field = JsonFields.optText(body, "field_name");
        if (field == null || field.isEmpty()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `field_name`");
        }
        JsonNode schema = body.get("field_schema");
        if (schema == null || schema.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `field_schema`");
        }
        return ApiResponse.ok(collection.createPayloadIndex(field, schema, wait).toJson());
    }

    private ApiResponse deleteIndex(ApiRequest request) {
        var collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.queryFlag("wait", false));
        return ApiResponse.ok(collection.deletePayloadIndex(request.pathParam("field"), wait).toJson());
    }

    private ApiResponse clusterInfo(ApiRequest request) {
        return ApiResponse.ok(collections.get(request.pathParam("c")).clusterInfoJson());
    }

    private static String validName(String name) {
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES
                || name.contains("/") || name.contains("\\") || name.contains("\0") || name.equals(".")
                || name.equals("..")) {
            throw new ApiException(422, "Validation error in path parameters: [collection_name: collection name "
                    + "must be 1 to 255 bytes without path separators or NUL]");
        }
        return name;
    }
}
