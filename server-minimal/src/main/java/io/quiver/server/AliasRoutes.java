package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.AliasAction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's alias endpoints: {@code POST /collections/aliases} (create, delete and rename actions, applied in order,
 * all or nothing, by the catalog), {@code GET /aliases} and {@code GET /collections/{c}/aliases}. Every other
 * collection-scoped route resolves aliases through {@link CollectionLookup#get}. Stateless and threadsafe.
 */
final class AliasRoutes {
    private final CollectionLookup collections;
    private final ObjectMapper json;

    AliasRoutes(CollectionLookup collections, ObjectMapper json) {
        this.collections = collections;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/collections/aliases", WRITE, this::update),
                new Route("GET", "/aliases", READ, this::listAll),
                new Route("GET", "/collections/{c}/aliases", READ, this::listOfCollection));
    }

    private ApiResponse update(ApiRequest request) {
        request.metaTimeout(null);
        List<AliasAction> actions = parseActions(request.jsonObject());
        collections.catalog().updateAliases(actions);
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    /**
     * Every alias, grouped by collection: Qdrant lists the aliases of each collection in turn; Quiver orders the
     * collections and each one's aliases by name (Qdrant's order within a collection is a hash map's).
     */
    private ApiResponse listAll(ApiRequest request) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(collections.catalog().aliases().asMap().entrySet());
        entries.sort(Map.Entry.<String, String>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        return ApiResponse.ok(aliasesJson(entries));
    }

    /**
     * The aliases of one collection, by name. As in Qdrant the name is not resolved and not checked: an unknown
     * collection (or an alias) has no aliases, not a 404.
     */
    private ApiResponse listOfCollection(ApiRequest request) {
        String collection = request.pathParam("c");
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (String alias : collections.catalog().aliases().aliasesOf(collection)) {
            entries.add(Map.entry(alias, collection));
        }
        entries.sort(Comparator.comparing(Map.Entry::getKey));
        return ApiResponse.ok(aliasesJson(entries));
    }

    private ObjectNode aliasesJson(List<Map.Entry<String, String>> aliasToCollection) {
        ObjectNode result = json.createObjectNode();
        ArrayNode list = result.putArray("aliases");
        for (Map.Entry<String, String> e : aliasToCollection) {
            list.addObject().put("alias_name", e.getKey()).put("collection_name", e.getValue());
        }
        return result;
    }

    /**
     * Qdrant's {@code ChangeAliasesOperation}: {@code actions} (required) holds objects of its untagged enum
     * {@code AliasOperations}, tried in its order: {@code {"create_alias": {"collection_name", "alias_name"}}},
     * {@code {"delete_alias": {"alias_name"}}}, {@code {"rename_alias": {"old_alias_name", "new_alias_name"}}}, each
     * name a string; other keys are ignored, as serde ignores them. An action that matches none is a 400.
     */
    static List<AliasAction> parseActions(JsonNode body) {
        JsonNode actions = JsonFields.requireArray(body, "actions");
        List<AliasAction> out = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            AliasAction action = actionOrNull(actions.get(i));
            if (action == null) {
                throw ApiException.badRequest("Format error in JSON body: actions[" + i + "]: data did not match any "
                        + "variant of untagged enum AliasOperations");
            }
            out.add(action);
        }
        return out;
    }

    private static AliasAction actionOrNull(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        JsonNode create = node.get("create_alias");
        if (hasStrings(create, "collection_name", "alias_name")) {
            return new AliasAction.Create(create.get("collection_name").textValue(),
                    create.get("alias_name").textValue());
        }
        JsonNode delete = node.get("delete_alias");
        if (hasStrings(delete, "alias_name")) {
            return new AliasAction.Delete(delete.get("alias_name").textValue());
        }
        JsonNode rename = node.get("rename_alias");
        if (hasStrings(rename, "old_alias_name", "new_alias_name")) {
            return new AliasAction.Rename(rename.get("old_alias_name").textValue(),
                    rename.get("new_alias_name").textValue());
        }
        return null;
    }

    private static boolean hasStrings(JsonNode node, String... fields) {
        if (node == null || !node.isObject()) {
            return false;
        }
        for (String field : fields) {
            if (!(node.get(field) != null && node.get(field).isTextual())) {
                return false;
            }
        }
        return true;
    }
}
