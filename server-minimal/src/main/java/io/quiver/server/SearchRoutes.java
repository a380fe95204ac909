package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;

import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's search endpoints: {@code points/search}, {@code points/search/batch}, and the universal
 * {@code points/query} (nearest by a vector or by a point's id; no query = points by id) with its batch form.
 * Stateless and threadsafe.
 */
final class SearchRoutes {
    private final CollectionLookup collections;
    private final ObjectMapper json;

    SearchRoutes(CollectionLookup collections, ObjectMapper json) {
        this.collections = collections;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/collections/{c}/points/search", READ, this::search),
                new Route("POST", "/collections/{c}/points/search/batch", READ, this::searchBatch),
                new Route("POST", "/collections/{c}/points/query", READ, this::query),
                new Route("POST", "/collections/{c}/points/query/batch", READ, this::queryBatch));
    }

    private ApiResponse search(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        return ApiResponse.ok(scored(collection.search(RequestParser.search(request.jsonObject()),
                PointRoutes.consistency(request))));
    }

    private ApiResponse searchBatch(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        JsonNode searches = JsonFields.requireArray(request.jsonObject(), "searches");
        List<SearchRequest> parsed = new ArrayList<>(searches.size());
        for (JsonNode s : searches) {
            if (!s.isObject()) {
                throw JsonFields.typeError("searches[]", s, "a search request");
            }
            parsed.add(RequestParser.search(s));
        }
        ReadConsistency consistency = PointRoutes.consistency(request);
        ArrayNode out = json.createArrayNode();
        parsed.forEach(s -> out.add(scored(collection.search(s, consistency))));
        return ApiResponse.ok(out);
    }

    private ApiResponse query(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        return ApiResponse.ok(query(collection, request.jsonObject(), PointRoutes.consistency(request)));
    }

    private ApiResponse queryBatch(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        JsonNode searches = JsonFields.requireArray(request.jsonObject(), "searches");
        for (JsonNode s : searches) {
            if (!s.isObject()) {
                throw JsonFields.typeError("searches[]", s, "a query request");
            }
        }
        ReadConsistency consistency = PointRoutes.consistency(request);
        ArrayNode out = json.createArrayNode();
        for (JsonNode s : searches) {
            out.add(query(collection, s, consistency));
        }
        return ApiResponse.ok(out);
    }

    /** One QueryRequest: {@code {"points":[ScoredPoint…]}}. */
    private ObjectNode query(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        for (String unsupported : List.of("prefetch", "lookup_from")) {
            if (JsonFields.present(body, unsupported)) {
                throw ApiException.badRequest("Wrong input: `" + unsupported + "` is not supported by this server");
            }
        }
        String using = JsonFields.optText(body, "using");
        if (using != null && !using.equals(RequestParser.DEFAULT_VECTOR)) {
            throw ApiException.badRequest("Wrong input: Not existing vector name error: " + using);
        }
        int limit = JsonFields.optInt(body, "limit", 10, 1);
        JsonNode query = body.get("query");
        ObjectNode result = json.createObjectNode();
        ArrayNode points = result.putArray("points");
        if (query == null || query.isNull()) {
            points.addAll(byId(collection, body, limit, consistency));
            return result;
        }
        PointId exclude = null;
        float[] vector;
        if (query.isObject() && query.has("nearest")) {
            JsonNode nearest = query.get("nearest");
            if (nearest.isArray() || (nearest.isObject() && !nearest.isEmpty())) {
                vector = RequestParser.vector(nearest, "query.nearest");
            } else {
                exclude = RequestParser.id(nearest, "query.nearest");
                vector = vectorOf(collection, exclude, consistency);
            }
        } else if (query.isArray()) {
            vector = RequestParser.vector(query, "query");
        } else if (query.isIntegralNumber() || query.isTextual()) {
            exclude = RequestParser.id(query, "query");
            vector = vectorOf(collection, exclude, consistency);
        } else if (query.isObject() && query.size() == 1) {
            String kind = query.fieldNames().next();
            throw ApiException.badRequest("Wrong input: query `" + kind + "` is not supported by this server; "
                    + "use a vector, a point id or {\"nearest\": …}");
        } else {
            throw ApiException.badRequest("Format error in JSON body: query: data did not match any variant of "
                    + "untagged enum QueryInterface");
        }
        JsonNode searchBody = exclude == null ? body : excluding(body, exclude);
        points.addAll(scored(collection.search(RequestParser.searchTail(searchBody, vector, limit), consistency)));
        return result;
    }

    /**
     * Searching by a point's id returns neighbours other than the point itself, as Qdrant does: the request's filter
     * gains {@code must_not: has_id [self]}.
     */
    private JsonNode excluding(JsonNode body, PointId self) {
        ObjectNode copy = body.deepCopy();
        ObjectNode filter = json.createObjectNode();
        JsonNode original = body.get("filter");
        if (original != null && !original.isNull()) {
            filter.putArray("must").add(original);
        }
        filter.putArray("must_not").addObject().putArray("has_id").add(self.toJson());
        copy.set("filter", filter);
        return copy;
    }

    private float[] vectorOf(CollectionService collection, PointId id, ReadConsistency consistency) {
        List<Record> records = collection.retrieve(List.of(id), WithPayload.NONE, true, consistency);
        if (records.isEmpty()) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        return records.getFirst().vectorOrNull();
    }

    /** A query without {@code query}: the points that pass the filter, by id, with score 0. */
    private ArrayNode byId(CollectionService collection, JsonNode body, int limit, ReadConsistency consistency) {
        int offset = JsonFields.optInt(body, "offset", 0, 0);
        Filter filter = RequestParser.filter(body, "filter");
        int upTo = (int) Math.min(Integer.MAX_VALUE, (long) limit + offset);
        ScrollRequest scroll = new ScrollRequest(null, upTo, filter, RequestParser.withPayload(body, WithPayload.NONE),
                RequestParser.withVector(body, false));
        List<Record> records = collection.scroll(scroll, consistency).points();
        ArrayNode out = json.createArrayNode();
        for (int i = offset; i < records.size(); i++) {
            Record r = records.get(i);
            out.add(new ScoredPoint(r.id(), 0, 0f, r.payloadOrNull(), r.vectorOrNull()).toJson());
        }
        return out;
    }

    private ArrayNode scored(List<ScoredPoint> hits) {
        ArrayNode out = json.createArrayNode();
        hits.forEach(h -> out.add(h.toJson()));
        return out;
    }
}
