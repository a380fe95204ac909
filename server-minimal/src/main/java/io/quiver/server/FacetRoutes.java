package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PayloadFacet;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.filter.Filter;

import java.util.List;

import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's {@code POST /collections/{c}/facet} (FacetRequest: {@code key}, {@code limit} default 10, {@code filter},
 * {@code exact} default false): the body is checked, then the engine's {@link PayloadFacet} counts the values of the
 * key's payload index over the collection's scroll pages. Answers {@code {"hits":[{"value":v,"count":n}…]}}.
 * Stateless and threadsafe.
 */
final class FacetRoutes {
    private static final int DEFAULT_LIMIT = 10;

    private final CollectionLookup collections;
    private final ObjectMapper json;

    FacetRoutes(CollectionLookup collections, ObjectMapper json) {
        this.collections = collections;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(new Route("POST", "/collections/{c}/facet", READ, this::facet));
    }

    private ApiResponse facet(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode body = request.jsonObject();
        if (!JsonFields.present(body, "key")) {
            throw ApiException.badRequest("Format error in JSON body: missing field `key`");
        }
        String key = RequestParser.keyPath(JsonFields.optText(body, "key"), "key");
        Filter filter = RequestParser.filter(body, "filter");
        JsonFields.optBool(body, "exact", false);
        int limit = JsonFields.optInt(body, "limit", DEFAULT_LIMIT, 1);
        StrictModeCheck.of(collection).facet(body).timeout(request.readParams());
        JsonNode schema = collection.infoJson().get("payload_schema");
        List<PayloadFacet.Hit> hits = PayloadFacet.facet(schema instanceof ObjectNode o ? o : null,
                () -> collection.count(null, consistency), key, filter, limit,
                (offset, n, f, withPayload) -> collection.scroll(new ScrollRequest(offset, n, f, withPayload, false),
                        consistency));
        ObjectNode result = json.createObjectNode();
        ArrayNode out = result.putArray("hits");
        hits.forEach(h -> out.add(h.toJson()));
        return ApiResponse.ok(result);
    }
}
