package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.CollectionDefaults;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's collection endpoints: list, get, exists, create, update, delete, payload index create/delete, and the
 * standalone form of {@code GET /collections/{c}/cluster}. Stateless and threadsafe.
 */
final class CollectionRoutes {
    /** Qdrant's longest collection name, in characters (and Quiver's, in UTF-8 bytes: a directory name). */
    private static final int MAX_NAME_CHARS = 255;
    /** The characters Qdrant's {@code validate_collection_name} refuses, in its order. */
    private static final char[] FORBIDDEN = {'<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\u001F'};

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
        boolean exists = collections.exists(request.pathParam("c"));
        return ApiResponse.ok(json.createObjectNode().put("exists", exists));
    }

    private ApiResponse create(ApiRequest request) {
        String name = validName(request.pathParam("c"));
        request.metaTimeout(null);
        JsonNode body = request.jsonObject();
        CollectionConfig config = CollectionConfig.fromCreateRequest(body, defaults);
        JsonNode shardNumber = body.get("shard_number");
        if (shardNumber == null || shardNumber.isNull()) {
            config = config.withShardNumber(collections.catalog().defaultShardNumber());
        }
        collections.catalog().create(name, config);
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    private ApiResponse update(ApiRequest request) {
        String name = collections.get(request.pathParam("c")).name(); // an alias updates its collection
        request.metaTimeout(null);
        JsonNode body = request.json();
        collections.catalog().update(name, body.isNull() ? json.createObjectNode() : request.jsonObject());
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    private ApiResponse delete(ApiRequest request) {
        request.metaTimeout(null);
        return ApiResponse.ok(BooleanNode.valueOf(collections.catalog().delete(request.pathParam("c"))));
    }

    private ApiResponse createIndex(ApiRequest request) {
        var collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.writeParams().waitRequested());
        JsonNode body = request.jsonObject();
        String field = JsonFields.optText(body, "field_name");
        if (field == null || field.isEmpty()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `field_name`");
        }
        // Qdrant's CreateFieldIndex takes `field_type` as an alias of `field_schema` (older clients send it); serde
        // refuses a body that gives both.
        if (body.has("field_schema") && body.has("field_type")) {
            throw ApiException.badRequest("Format error in JSON body: duplicate field `field_schema`");
        }
        JsonNode schema = body.has("field_schema") ? body.get("field_schema") : body.get("field_type");
        if (schema == null || schema.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `field_schema`");
        }
        return ApiResponse.ok(collection.createPayloadIndex(field, schema, wait).toJson());
    }

    private ApiResponse deleteIndex(ApiRequest request) {
        var collection = collections.get(request.pathParam("c"));
        boolean wait = collections.effectiveWait(request.writeParams().waitRequested());
        return ApiResponse.ok(collection.deletePayloadIndex(request.pathParam("field"), wait).toJson());
    }

    private ApiResponse clusterInfo(ApiRequest request) {
        return ApiResponse.ok(collections.get(request.pathParam("c")).clusterInfoJson());
    }

    /**
     * Qdrant's rule for a new collection's name ({@code StrictCollectionPath}): 1 to 255 characters and none of
     * {@code < > : " / \ | ? *}, NUL or U+001F, reported for the first of those (in that order) the name contains,
     * as a 422. Quiver also refuses what its storage cannot hold as a directory name: other control characters,
     * {@code .} and {@code ..}, and more than 255 UTF-8 bytes (Qdrant lets those through to a failing mkdir).
     */
    static String validName(String name) {
        checkPathName(name);
        for (char c : FORBIDDEN) {
            if (name.indexOf(c) >= 0) {
                throw nameError("collection name cannot contain \"" + c + "\" char");
            }
        }
        if (name.chars().anyMatch(c -> c < 0x20) || name.equals(".") || name.equals("..")
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_CHARS) {
            throw nameError("collection name must be a valid directory name: no control characters, not `.` or "
                    + "`..`, at most " + MAX_NAME_CHARS + " UTF-8 bytes");
        }
        return name;
    }

    /**
     * Qdrant's rule for the collection name of every collection endpoint ({@code CollectionPath}): 1 to 255
     * characters, else a 422. The characters are not checked here (a name read may predate the stricter rule).
     */
    static void checkPathName(String name) {
        int chars = name.codePointCount(0, name.length());
        if (chars < 1 || chars > MAX_NAME_CHARS) {
            throw nameError("length must be between 1 and " + MAX_NAME_CHARS + " characters, got " + chars);
        }
    }

    private static ApiException nameError(String problem) {
        return new ApiException(422, "Validation error in path parameters: [name: " + problem + "]");
    }
}
