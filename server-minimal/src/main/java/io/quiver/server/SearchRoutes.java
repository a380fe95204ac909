package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoredPoint;

import java.util.List;

import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's search endpoints: {@code points/search}, {@code points/search/batch}, {@code points/recommend} (strategies
 * {@code average_vector}, {@code best_score}, {@code sum_scores}: {@link RecommendInput}) and {@code points/discover}
 * (discovery and context search: {@link DiscoverInput}) with their batch forms, and the universal
 * {@code points/query} with its batch form (parsed by {@link QueryPlanParser}, run by {@link QueryRunner}:
 * prefetches, nearest by a vector or a point's id, MMR, recommendation, discovery, context, RRF/DBSF fusion; no query
 * = points by id). Stateless and threadsafe.
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
                new Route("POST", "/collections/{c}/points/recommend", READ, this::recommend),
                new Route("POST", "/collections/{c}/points/recommend/batch", READ, this::recommendBatch),
                new Route("POST", "/collections/{c}/points/discover", READ, this::discover),
                new Route("POST", "/collections/{c}/points/discover/batch", READ, this::discoverBatch),
                new Route("POST", "/collections/{c}/points/query", READ, this::query),
                new Route("POST", "/collections/{c}/points/query/batch", READ, this::queryBatch));
    }

    private ApiResponse search(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.jsonObject();
        VectorName vectorName = VectorName.of(collection);
        var search = RequestParser.search(body, vectorName);
        StrictModeCheck.of(collection).search(body, StrictModeCheck.Limit.LIMIT).timeout(read);
        return ApiResponse.ok(scored(vectorName, collection.search(search, read.consistency())));
    }

    private ApiResponse searchBatch(ApiRequest request) {
        return batch(request, "a search request", SEARCH_LIKE,
                (collection, body, consistency) -> {
                    VectorName vectorName = VectorName.of(collection);
                    return scored(vectorName, collection.search(RequestParser.search(body, vectorName), consistency));
                });
    }

    /** The strict mode checks of one entry of a batch endpoint. */
    private interface StrictEntry {
        void check(StrictModeCheck strict, JsonNode body);
    }

    private static final StrictEntry SEARCH_LIKE = (strict, body) -> strict.search(body, StrictModeCheck.Limit.LIMIT);

    /** One entry of a batch endpoint, answered as the single endpoint answers it. */
    private interface BatchEntry {
        JsonNode answer(CollectionService collection, JsonNode body, ReadConsistency consistency);
    }

    /**
     * A batch endpoint ({@code {"searches":[…]}}): every entry must be an object (checked before any runs); the answer
     * is the array of the entries' answers, in order. Every entry passes strict mode before the first runs, then the
     * request's {@code timeout}, as Qdrant checks a batch.
     */
    private ApiResponse batch(ApiRequest request, String entryKind, StrictEntry strictEntry, BatchEntry entry) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        ReadConsistency consistency = read.consistency();
        JsonNode searches = JsonFields.requireArray(request.jsonObject(), "searches");
        for (JsonNode s : searches) {
            if (!s.isObject()) {
                throw JsonFields.typeError("searches[]", s, entryKind);
            }
        }
        StrictModeCheck strict = StrictModeCheck.of(collection);
        for (JsonNode s : searches) {
            strictEntry.check(strict, s);
        }
        strict.timeout(read);
        ArrayNode out = json.createArrayNode();
        for (JsonNode s : searches) {
            out.add(entry.answer(collection, s, consistency));
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse recommend(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.jsonObject();
        StrictModeCheck.of(collection).search(body, StrictModeCheck.Limit.LIMIT).timeout(read); // before examples
        return ApiResponse.ok(recommend(collection, body, read.consistency()));
    }

    private ApiResponse recommendBatch(ApiRequest request) {
        return batch(request, "a recommend request", SEARCH_LIKE, this::recommend);
    }

    /**
     * One RecommendRequest: the points nearest to its examples' average vector, or best by their {@code best_score} or
     * {@code sum_scores}, the example points themselves left out.
     */
    private ArrayNode recommend(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        VectorName vectorName = VectorName.of(collection);
        rejectUnsupported(body, vectorName);
        int limit = requiredLimit(body);
        RecommendInput.Resolved r = RecommendInput.resolve(
                ExampleSource.of(collections, collection, body, "", consistency), body, "", true);
        return scored(vectorName, collection.search(r.search(excluding(body, r.examples()), limit, vectorName),
                consistency));
    }

    /** A request's {@code limit}: required (a 400 when missing), at least 1 (a 422). */
    private static int requiredLimit(JsonNode body) {
        if (!JsonFields.present(body, "limit")) {
            throw ApiException.badRequest("Format error in JSON body: missing field `limit`");
        }
        return JsonFields.optInt(body, "limit", null, 1);
    }

    private ApiResponse discover(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.jsonObject();
        StrictModeCheck.of(collection).search(body, StrictModeCheck.Limit.LIMIT).timeout(read); // before examples
        return ApiResponse.ok(discover(collection, body, read.consistency()));
    }

    private ApiResponse discoverBatch(ApiRequest request) {
        return batch(request, "a discover request", SEARCH_LIKE, this::discover);
    }

    /**
     * One DiscoverRequest: the best points by discovery (a target ranked within its context pairs) or, without a
     * target, by context search, the example points left out. A DiscoverRequest has no {@code score_threshold}
     * (ignored, as Qdrant's model ignores unknown keys); vector names other than the collection's are 400s; with
     * {@code lookup_from}, example ids come from that collection ({@link ExampleSource}).
     */
    private ArrayNode discover(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        VectorName vectorName = VectorName.of(collection);
        vectorName.requireUsing(JsonFields.optText(body, "using"));
        int limit = requiredLimit(body);
        DiscoverInput.Resolved d = DiscoverInput.ofRequest(ExampleSource.of(collections, collection, body, "",
                consistency), body);
        ObjectNode shape = (ObjectNode) excluding(body, d.examples()).deepCopy();
        shape.remove("score_threshold");
        return scored(vectorName, collection.search(RequestParser.searchTail(shape, d.query(), limit, vectorName),
                consistency));
    }

    /** A RecommendRequest's fields this server does not take (also those of a RecommendGroupsRequest). */
    static void rejectUnsupported(JsonNode body, VectorName vectorName) {
        for (String unsupported : List.of("prefetch")) {
            if (JsonFields.present(body, unsupported)) {
                throw ApiException.badRequest("Wrong input: `" + unsupported + "` is not supported by this server");
            }
        }
        vectorName.requireUsing(JsonFields.optText(body, "using"));
    }

    private ApiResponse query(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        JsonNode body = request.jsonObject();
        StrictModeCheck.of(collection).query(body).timeout(read); // before the plan reads examples
        return ApiResponse.ok(query(collection, body, read.consistency()));
    }

    private ApiResponse queryBatch(ApiRequest request) {
        return batch(request, "a query request", StrictModeCheck::query, this::query);
    }

    /** One QueryRequest, prefetches and all: {@code {"points":[ScoredPoint…]}}. */
    private ObjectNode query(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        QueryPlan plan = new QueryPlanParser(collections, collection, consistency).parse(body);
        ObjectNode result = json.createObjectNode();
        result.set("points", scored(VectorName.of(collection), new QueryRunner(collection, consistency).run(plan)));
        return result;
    }

    /**
     * Searching by points' ids (a point's own neighbours, a recommendation's or discovery's examples) returns other
     * points, as Qdrant does: the request's filter gains {@code must_not: has_id [ids]}. No ids: the body as it is.
     */
    private JsonNode excluding(JsonNode body, List<PointId> ids) {
        if (ids.isEmpty()) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        ObjectNode filter = json.createObjectNode();
        JsonNode original = body.get("filter");
        if (original != null && !original.isNull()) {
            filter.putArray("must").add(original);
        }
        ArrayNode hasId = filter.putArray("must_not").addObject().putArray("has_id");
        ids.forEach(id -> hasId.add(id.toJson()));
        copy.set("filter", filter);
        return copy;
    }

    /** The hits as Qdrant's ScoredPoint JSON, vectors under the collection's vector name. */
    private ArrayNode scored(VectorName vectorName, List<ScoredPoint> hits) {
        ArrayNode out = json.createArrayNode();
        hits.forEach(h -> out.add(h.toJson(vectorName.name())));
        return out;
    }
}
