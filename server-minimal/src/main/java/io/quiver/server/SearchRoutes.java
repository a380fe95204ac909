package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.MaximalMarginalRelevance;
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
 * Qdrant's search endpoints: {@code points/search}, {@code points/search/batch}, {@code points/recommend} (its
 * {@code average_vector} strategy) with its batch form, and the universal {@code points/query} (nearest by a vector
 * or by a point's id, optionally re-ranked by MMR, or a recommendation; no query = points by id) with its batch form.
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
                new Route("POST", "/collections/{c}/points/recommend", READ, this::recommend),
                new Route("POST", "/collections/{c}/points/recommend/batch", READ, this::recommendBatch),
                new Route("POST", "/collections/{c}/points/query", READ, this::query),
                new Route("POST", "/collections/{c}/points/query/batch", READ, this::queryBatch));
    }

    private ApiResponse search(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadParams read = request.readParams();
        return ApiResponse.ok(scored(collection.search(RequestParser.search(request.jsonObject()),
                read.consistency())));
    }

    private ApiResponse searchBatch(ApiRequest request) {
        return batch(request, "a search request",
                (collection, body, consistency) -> scored(collection.search(RequestParser.search(body), consistency)));
    }

    /** One entry of a batch endpoint, answered as the single endpoint answers it. */
    private interface BatchEntry {
        JsonNode answer(CollectionService collection, JsonNode body, ReadConsistency consistency);
    }

    /**
     * A batch endpoint ({@code {"searches":[…]}}): every entry must be an object (checked before any runs); the answer
     * is the array of the entries' answers, in order.
     */
    private ApiResponse batch(ApiRequest request, String entryKind, BatchEntry entry) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode searches = JsonFields.requireArray(request.jsonObject(), "searches");
        for (JsonNode s : searches) {
            if (!s.isObject()) {
                throw JsonFields.typeError("searches[]", s, entryKind);
            }
        }
        ArrayNode out = json.createArrayNode();
        for (JsonNode s : searches) {
            out.add(entry.answer(collection, s, consistency));
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse recommend(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        return ApiResponse.ok(recommend(collection, request.jsonObject(), consistency));
    }

    private ApiResponse recommendBatch(ApiRequest request) {
        return batch(request, "a recommend request", this::recommend);
    }

    /** One RecommendRequest: the points nearest to its examples' average vector, the examples themselves left out. */
    private ArrayNode recommend(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        rejectUnsupported(body);
        if (!JsonFields.present(body, "limit")) {
            throw ApiException.badRequest("Format error in JSON body: missing field `limit`");
        }
        int limit = JsonFields.optInt(body, "limit", null, 1);
        Recommendation r = recommendation(collection, body, "", consistency);
        return scored(collection.search(RequestParser.searchTail(excluding(body, r.examples()), r.vector(), limit),
                consistency));
    }

    /** The query vector of a recommendation and the ids among its examples (which the results leave out). */
    private record Recommendation(float[] vector, List<PointId> examples) {}

    /**
     * Qdrant's {@code average_vector} strategy over {@code positive} and {@code negative} examples (point ids, whose
     * stored vectors count, or vectors): {@code avg(positive) + (avg(positive) - avg(negative))}, or
     * {@code avg(positive)} without negatives. {@code where} prefixes field names in error messages.
     */
    private Recommendation recommendation(CollectionService collection, JsonNode spec, String where,
            ReadConsistency consistency) {
        String strategy = JsonFields.optText(spec, "strategy");
        if (strategy != null && !strategy.equals("average_vector")) {
            if (!strategy.equals("best_score") && !strategy.equals("sum_scores")) {
                throw ApiException.badRequest("Format error in JSON body: " + where + "strategy: unknown variant `"
                        + strategy + "`, expected one of `average_vector`, `best_score`, `sum_scores`");
            }
            throw ApiException.badRequest("Wrong input: recommend strategy `" + strategy
                    + "` is not supported by this server; use `average_vector`");
        }
        List<PointId> ids = new ArrayList<>();
        List<float[]> positive = examples(collection, spec, "positive", where, ids, consistency);
        List<float[]> negative = examples(collection, spec, "negative", where, ids, consistency);
        if (positive.isEmpty()) {
            throw ApiException.badRequest(
                    "Wrong input: Positive vectors should not be empty with `average_vector` strategy");
        }
        int dim = positive.getFirst().length;
        for (List<float[]> side : List.of(positive, negative)) {
            for (float[] v : side) {
                if (v.length != dim) {
                    throw ApiException.badRequest("Wrong input: Vector dimension error: expected dim: " + dim
                            + ", got " + v.length);
                }
            }
        }
        double[] pos = average(positive, dim);
        float[] query = new float[dim];
        if (negative.isEmpty()) {
            for (int d = 0; d < dim; d++) {
                query[d] = (float) pos[d];
            }
        } else {
            double[] neg = average(negative, dim);
            for (int d = 0; d < dim; d++) {
                query[d] = (float) (pos[d] + (pos[d] - neg[d]));
            }
        }
        return new Recommendation(query, ids);
    }

    /** The vectors of one side's examples ({@code name}: absent = none); ids are looked up and noted in {@code ids}. */
    private List<float[]> examples(CollectionService collection, JsonNode spec, String name, String where,
            List<PointId> ids, ReadConsistency consistency) {
        String field = where + name;
        JsonNode list = spec.get(name);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw JsonFields.typeError(field, list, "a sequence");
        }
        List<float[]> out = new ArrayList<>(list.size());
        for (JsonNode example : list) {
            if (example.isArray()) {
                out.add(RequestParser.vector(example, field + "[]"));
            } else {
                PointId id = RequestParser.id(example, field + "[]");
                ids.add(id);
                out.add(vectorOf(collection, id, consistency));
            }
        }
        return out;
    }

    private static double[] average(List<float[]> vectors, int dim) {
        double[] sum = new double[dim];
        for (float[] v : vectors) {
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            sum[d] /= vectors.size();
        }
        return sum;
    }

    private static void rejectUnsupported(JsonNode body) {
        for (String unsupported : List.of("prefetch", "lookup_from")) {
            if (JsonFields.present(body, unsupported)) {
                throw ApiException.badRequest("Wrong input: `" + unsupported + "` is not supported by this server");
            }
        }
        String using = JsonFields.optText(body, "using");
        if (using != null && !using.equals(RequestParser.DEFAULT_VECTOR)) {
            throw ApiException.badRequest("Wrong input: Not existing vector name error: " + using);
        }
    }

    private ApiResponse query(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        return ApiResponse.ok(query(collection, request.jsonObject(), consistency));
    }

    private ApiResponse queryBatch(ApiRequest request) {
        return batch(request, "a query request", this::query);
    }

    /** One QueryRequest: {@code {"points":[ScoredPoint…]}}. */
    private ObjectNode query(CollectionService collection, JsonNode body, ReadConsistency consistency) {
        rejectUnsupported(body);
        int limit = JsonFields.optInt(body, "limit", 10, 1);
        JsonNode query = body.get("query");
        ObjectNode result = json.createObjectNode();
        ArrayNode points = result.putArray("points");
        if (query == null || query.isNull()) {
            points.addAll(byId(collection, body, limit, consistency));
            return result;
        }
        List<PointId> exclude = List.of();
        float[] vector;
        MaximalMarginalRelevanceRequest mmr = null;
        if (query.isObject() && query.has("nearest")) {
            onlyKeys(query, "nearest", "mmr");
            JsonNode nearest = query.get("nearest");
            if (nearest.isArray() || (nearest.isObject() && !nearest.isEmpty())) {
                vector = RequestParser.vector(nearest, "query.nearest");
            } else {
                PointId self = RequestParser.id(nearest, "query.nearest");
                exclude = List.of(self);
                vector = vectorOf(collection, self, consistency);
            }
            mmr = mmr(query.get("mmr"), limit);
        } else if (query.isObject() && query.has("recommend")) {
            onlyKeys(query, "recommend");
            JsonNode spec = query.get("recommend");
            if (!spec.isObject()) {
                throw JsonFields.typeError("query.recommend", spec, "a recommend query object");
            }
            Recommendation r = recommendation(collection, spec, "query.recommend.", consistency);
            exclude = r.examples();
            vector = r.vector();
        } else if (query.isArray()) {
            vector = RequestParser.vector(query, "query");
        } else if (query.isIntegralNumber() || query.isTextual()) {
            PointId self = RequestParser.id(query, "query");
            exclude = List.of(self);
            vector = vectorOf(collection, self, consistency);
        } else if (query.isObject() && query.size() == 1 && UNSUPPORTED_QUERIES.contains(query.fieldNames().next())) {
            String kind = query.fieldNames().next();
            throw ApiException.badRequest("Wrong input: query `" + kind + "` is not supported by this server; "
                    + "use a vector, a point id, {\"nearest\": …} (optionally with \"mmr\") or {\"recommend\": …}");
        } else {
            throw ApiException.badRequest("Format error in JSON body: query: data did not match any variant of "
                    + "untagged enum QueryInterface");
        }
        SearchRequest search = RequestParser.searchTail(excluding(body, exclude), vector, limit);
        if (mmr == null) {
            points.addAll(scored(collection.search(search, consistency)));
        } else {
            points.addAll(scored(maximalMarginalRelevance(collection, search, mmr, consistency)));
        }
        return result;
    }

    /** The query kinds Qdrant knows that this server does not run (a 400 naming the kind). */
    private static final List<String> UNSUPPORTED_QUERIES = List.of("discover", "context", "order_by", "fusion",
            "rrf", "formula", "sample", "relevance_feedback");

    /** A query object's keys must be among {@code allowed}: an unknown key is a 400, not silently ignored. */
    private static void onlyKeys(JsonNode query, String... allowed) {
        List<String> known = List.of(allowed);
        query.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                throw ApiException.badRequest("Format error in JSON body: query: unknown field `" + key
                        + "`, expected " + (allowed.length == 1 ? "`" + allowed[0] + "`"
                        : "one of `" + String.join("`, `", allowed) + "`"));
            }
        });
    }

    /** Qdrant's {@code mmr} of a nearest query: {@code diversity} and the number of candidates to re-rank. */
    private record MaximalMarginalRelevanceRequest(float diversity, int candidatesLimit) {}

    /**
     * Parses {@code query.mmr} (null: none): {@code diversity} in [0, 1] (default 0.5) and {@code candidates_limit}
     * at most 16384 (default: the request's {@code limit}); other keys are a 400, values out of range a 422.
     */
    private static MaximalMarginalRelevanceRequest mmr(JsonNode node, int limit) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw JsonFields.typeError("query.mmr", node, "an mmr object");
        }
        onlyKeys(node, "diversity", "candidates_limit");
        float diversity = MaximalMarginalRelevance.DEFAULT_DIVERSITY;
        JsonNode d = node.get("diversity");
        if (d != null && !d.isNull()) {
            if (!d.isNumber()) {
                throw JsonFields.typeError("query.mmr.diversity", d, "a number");
            }
            double value = d.doubleValue();
            if (!(value >= 0 && value <= 1)) {
                throw ApiException.validation("query.mmr.diversity", "value " + d.asText()
                        + " invalid, must be from 0.0 to 1.0");
            }
            diversity = (float) value;
        }
        Integer candidates = JsonFields.optInt(node, "candidates_limit", null, 0);
        if (candidates != null && candidates > MaximalMarginalRelevance.MAX_CANDIDATES) {
            throw ApiException.validation("query.mmr.candidates_limit", "value " + node.get("candidates_limit").asText()
                    + " invalid, must be " + MaximalMarginalRelevance.MAX_CANDIDATES + " or smaller");
        }
        return new MaximalMarginalRelevanceRequest(diversity, candidates == null ? limit : candidates);
    }

    /**
     * A nearest query re-ranked by MMR: the {@code candidates_limit} nearest points (with their vectors, after the
     * filter and score threshold) are re-ranked, {@code offset + limit} of them picked, the first {@code offset}
     * skipped; vectors are returned only when the request asked for them.
     */
    private List<ScoredPoint> maximalMarginalRelevance(CollectionService collection, SearchRequest search,
            MaximalMarginalRelevanceRequest mmr, ReadConsistency consistency) {
        SearchRequest candidates = new SearchRequest(search.vector(), search.filterOrNull(), mmr.candidatesLimit(), 0,
                search.withPayload(), true, search.scoreThresholdOrNull(), search.hnswEfOrNull(), search.exact(),
                search.quantizationOrNull(), search.indexedOnly());
        List<ScoredPoint> found = collection.search(candidates, consistency);
        List<ScoredPoint> picked = new MaximalMarginalRelevance(collection.config().vectors().distance(),
                mmr.diversity()).select(search.vector(), found, search.candidates());
        List<ScoredPoint> page = picked.subList(Math.min(search.offset(), picked.size()), picked.size());
        if (search.withVector()) {
            return page;
        }
        List<ScoredPoint> out = new ArrayList<>(page.size());
        page.forEach(p -> out.add(new ScoredPoint(p.id(), p.version(), p.score(), p.payloadOrNull(), null)));
        return out;
    }

    /**
     * Searching by points' ids (a point's own neighbours, a recommendation's examples) returns other points, as Qdrant
     * does: the request's filter gains {@code must_not: has_id [ids]}. No ids: the body as it is.
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
