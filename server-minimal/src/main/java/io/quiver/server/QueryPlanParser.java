package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.DistributionBasedScoreFusion;
import io.quiver.engine.MaximalMarginalRelevance;
import io.quiver.engine.OrderBy;
import io.quiver.engine.PointId;
import io.quiver.engine.ReciprocalRankFusion;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a QueryRequest body ({@code points/query} and each entry of {@code points/query/batch}) into a
 * {@link QueryPlan}, so that a bad request fails before any search runs: wrong shapes and types are 400s, values out
 * of range 422s, Qdrant's rules on how a stage's parts combine 400s, a vector of another dimension a 400, an unknown
 * point id a 404 (ids are looked up here, for their stored vectors). Like Qdrant's serde model, a prefetch object
 * ignores keys it does not know; a query object does not (a 400, as for the root's query). One per request, used by
 * the request's thread only.
 */
final class QueryPlanParser {
    /** Qdrant's {@code MAX_PREFETCH_DEPTH}: prefetches may nest this many levels below the root. */
    static final int MAX_PREFETCH_DEPTH = 64;
    private static final int DEFAULT_LIMIT = 10;
    /** The query kinds Qdrant knows that this server does not run (a 400 naming the kind). */
    private static final List<String> UNSUPPORTED_QUERIES = List.of("relevance_feedback");

    private final CollectionLookup collections;
    private final CollectionService collection;
    private final ReadConsistency consistency;
    private final Set<PointId> referenced = new LinkedHashSet<>();

    /** {@code collections}: where a stage's {@code lookup_from} names the collection its example ids come from. */
    QueryPlanParser(CollectionLookup collections, CollectionService collection, ReadConsistency consistency) {
        this.collections = collections;
        this.collection = collection;
        this.consistency = consistency;
    }

    QueryPlan parse(JsonNode body) {
        int depth = depth(body);
        if (depth > MAX_PREFETCH_DEPTH) {
            throw ApiException.badRequest("Wrong input: Validation failed: prefetches depth " + depth
                    + " exceeds max depth " + MAX_PREFETCH_DEPTH);
        }
        QueryPlan.Stage root = stage(body, "");
        int offset = JsonFields.optInt(body, "offset", 0, 0);
        return new QueryPlan(root, offset, RequestParser.withPayload(body, WithPayload.NONE),
                RequestParser.withVector(body, false, VectorName.of(collection)), referenced);
    }

    /** Whether a stage's scoring compares vectors, so that its {@code using} (or the default) must name one. */
    private static boolean scoresByVector(QueryPlan.Scoring scoringOrNull) {
        return scoringOrNull instanceof QueryPlan.Nearest || scoringOrNull instanceof QueryPlan.Examples
                || scoringOrNull instanceof QueryPlan.NearestMmr;
    }

    /** How many levels of prefetches a request or prefetch object nests (0: none). */
    private static int depth(JsonNode node) {
        JsonNode prefetch = node.get("prefetch");
        int deepest = 0;
        if (prefetch != null && prefetch.isObject()) {
            deepest = 1 + depth(prefetch);
        } else if (prefetch != null && prefetch.isArray()) {
            for (JsonNode p : prefetch) {
                if (p.isObject()) {
                    deepest = Math.max(deepest, 1 + depth(p));
                }
            }
        }
        return deepest;
    }

    /** The root (a QueryRequest) or one Prefetch; {@code where} prefixes field names in messages. */
    private QueryPlan.Stage stage(JsonNode node, String where) {
        String using = JsonFields.optText(node, "using", where + "using");
        VectorName vectorName = VectorName.of(collection);
        if (using != null) {
            vectorName.require(using);
        }
        int limit = JsonFields.optInt(node, "limit", where + "limit", DEFAULT_LIMIT, 1);
        ExampleSource source = ExampleSource.of(collections, collection, node, where, consistency);
        QueryPlan.Scoring scoring = scoring(node.get("query"), where + "query", limit, source);
        if (using == null && scoresByVector(scoring)) {
            vectorName.require(""); // no `using`: Qdrant's default, the unnamed vector
        }
        List<QueryPlan.Stage> prefetches = prefetches(node.get("prefetch"), where + "prefetch");
        Float threshold = JsonFields.optFloat(node, "score_threshold", where + "score_threshold");
        Filter filter = filter(node.get("filter"), where + "filter");
        RequestParser.SearchParams params = RequestParser.params(node);
        // how a stage's parts may combine: Qdrant's CollectionQueryRequest::validation, then its PlannedQuery
        if (!prefetches.isEmpty() && scoring == null) {
            throw ApiException.badRequest("Bad request: A query is needed to merge the prefetches. "
                    + "Can't have prefetches without defining a query.");
        }
        if (threshold != null && scoring == null) {
            throw ApiException.badRequest("Bad request: A query is needed to use the score_threshold. "
                    + "Can't have score_threshold without defining a query.");
        }
        if (threshold != null && scoring instanceof QueryPlan.Ordered) {
            throw ApiException.badRequest("Bad request: Can't use score_threshold with an order_by query.");
        }
        if (scoring instanceof QueryPlan.Formula && prefetches.isEmpty()) {
            throw ApiException.badRequest("Wrong input: Validation failed: cannot apply Formula without prefetches");
        }
        if (scoring instanceof QueryPlan.Fuse fuse) {
            if (prefetches.isEmpty()) {
                throw ApiException.badRequest("Wrong input: Validation failed: cannot apply Fusion without prefetches");
            }
            if (fuse.fusion() instanceof ReciprocalRankFusion rrf && rrf.weightCount() >= 0
                    && rrf.weightCount() != prefetches.size()) {
                throw ApiException.badRequest("Wrong input: Validation failed: RRF weights length ("
                        + rrf.weightCount() + ") does not match number of prefetches (" + prefetches.size() + ")");
            }
        }
        return new QueryPlan.Stage(prefetches, scoring, filter, threshold, limit, params);
    }

    /** {@code prefetch}: absent, null, one Prefetch object or an array of them. */
    private List<QueryPlan.Stage> prefetches(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isObject()) {
            return List.of(stage(node, field + "."));
        }
        if (!node.isArray()) {
            throw notOneOrMany(field);
        }
        List<QueryPlan.Stage> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode p = node.get(i);
            if (!p.isObject()) {
                throw notOneOrMany(field);
            }
            out.add(stage(p, field + "[" + i + "]."));
        }
        return out;
    }

    private static ApiException notOneOrMany(String field) {
        return ApiException.badRequest("Format error in JSON body: " + field
                + ": data did not match any variant of untagged enum MaybeOneOrMany");
    }

    private static Filter filter(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw JsonFields.typeError(field, node, "a filter object");
        }
        return FilterParser.parse(node);
    }

    /**
     * A stage's {@code query} (null: none): a vector, a point id, {@code nearest} (a vector or an id; optionally
     * with {@code mmr}, at the root and in a prefetch), {@code recommend} (any strategy), {@code discover},
     * {@code context}, {@code fusion} ({@code rrf}/{@code dbsf}), {@code rrf}, {@code order_by}, {@code formula}
     * (needs prefetches) or {@code sample} ({@code random}). Every kind is taken at the root and in a prefetch alike.
     */
    private QueryPlan.Scoring scoring(JsonNode query, String field, int limit, ExampleSource source) {
        if (query == null || query.isNull()) {
            return null;
        }
        if (query.isObject() && query.has("nearest")) {
            onlyKeys(query, field, "nearest", "mmr");
            JsonNode nearest = query.get("nearest");
            float[] vector = nearest.isArray() || (nearest.isObject() && !nearest.isEmpty())
                    ? checked(RequestParser.vector(nearest, field + ".nearest"))
                    : storedVector(source, RequestParser.id(nearest, field + ".nearest"));
            JsonNode mmr = query.get("mmr");
            if (mmr == null || mmr.isNull()) {
                return new QueryPlan.Nearest(vector);
            }
            return mmr(vector, mmr, field + ".mmr", limit);
        }
        if (query.isObject() && query.has("recommend")) {
            onlyKeys(query, field, "recommend");
            JsonNode spec = query.get("recommend");
            if (!spec.isObject()) {
                throw JsonFields.typeError(field + ".recommend", spec, "a recommend query object");
            }
            RecommendInput.Resolved r = RecommendInput.resolve(source, spec, field + ".recommend.", false);
            referenced.addAll(r.examples());
            return r.examplesOrNull() != null ? new QueryPlan.Examples(r.examplesOrNull())
                    : new QueryPlan.Nearest(checked(r.averageOrNull()));
        }
        if (query.isObject() && query.has("discover")) {
            onlyKeys(query, field, "discover");
            DiscoverInput.Resolved d = DiscoverInput.ofDiscoverQuery(source, query.get("discover"),
                    field + ".discover");
            referenced.addAll(d.examples());
            return new QueryPlan.Examples(d.query());
        }
        if (query.isObject() && query.has("context")) {
            onlyKeys(query, field, "context");
            DiscoverInput.Resolved d = DiscoverInput.ofContextQuery(source, query.get("context"),
                    field + ".context");
            referenced.addAll(d.examples());
            return new QueryPlan.Examples(d.query());
        }
        if (query.isObject() && query.has("fusion")) {
            onlyKeys(query, field, "fusion");
            JsonNode fusion = query.get("fusion");
            if (fusion.isTextual() && fusion.textValue().equals("rrf")) {
                return new QueryPlan.Fuse(new ReciprocalRankFusion(ReciprocalRankFusion.DEFAULT_K, null));
            }
            if (fusion.isTextual() && fusion.textValue().equals("dbsf")) {
                return new QueryPlan.Fuse(new DistributionBasedScoreFusion());
            }
            throw notAQuery(field);
        }
        if (query.isObject() && query.has("rrf")) {
            onlyKeys(query, field, "rrf");
            return new QueryPlan.Fuse(rrf(query.get("rrf"), field + ".rrf"));
        }
        if (query.isObject() && query.has("order_by")) {
            onlyKeys(query, field, "order_by");
            return new QueryPlan.Ordered(orderBy(query.get("order_by"), field + ".order_by"));
        }
        if (query.isObject() && query.has("formula")) {
            onlyKeys(query, field, "formula", "defaults");
            // a formula's conditions are evaluated on payloads, where the vector is known as ""
            return new QueryPlan.Formula(FormulaInput.parse(
                    io.quiver.engine.filter.Filter.forVectorNamed(query, VectorName.of(collection).name()), field));
        }
        if (query.isObject() && query.has("sample")) {
            onlyKeys(query, field, "sample");
            JsonNode sample = query.get("sample");
            if (sample.isTextual() && sample.textValue().equals("random")) {
                return new QueryPlan.Sample();
            }
            String variant = sample.isTextual() ? "`" + sample.textValue() + "`" : sample.toString();
            throw ApiException.badRequest("Format error in JSON body: " + field + ".sample: unknown variant "
                    + variant + ", expected `random`");
        }
        if (query.isArray()) {
            return new QueryPlan.Nearest(checked(RequestParser.vector(query, field)));
        }
        if (query.isIntegralNumber() || query.isTextual()) {
            return new QueryPlan.Nearest(storedVector(source, RequestParser.id(query, field)));
        }
        if (query.isObject() && query.size() == 1 && UNSUPPORTED_QUERIES.contains(query.fieldNames().next())) {
            String kind = query.fieldNames().next();
            throw ApiException.badRequest("Wrong input: query `" + kind + "` is not supported by this server; "
                    + "use a vector, a point id, {\"nearest\": …} (optionally with \"mmr\"), {\"recommend\": …}, "
                    + "{\"discover\": …}, {\"context\": …}, {\"fusion\": …}, {\"rrf\": …}, "
                    + "{\"order_by\": …}, {\"formula\": …} or {\"sample\": \"random\"}");
        }
        throw notAQuery(field);
    }

    /**
     * {@code order_by}: a key, or {@code {"key", "direction": "asc"|"desc", "start_from": number or RFC 3339
     * datetime}}; a bad shape is a 400 naming the field.
     */
    private static OrderBy orderBy(JsonNode node, String field) {
        try {
            return OrderBy.parse(node);
        } catch (BadRequestException e) {
            String reason = e.getMessage().startsWith("Wrong input: ")
                    ? e.getMessage().substring("Wrong input: ".length()) : e.getMessage();
            throw ApiException.badRequest("Format error in JSON body: " + field + ": " + reason);
        }
    }

    private static ApiException notAQuery(String field) {
        return ApiException.badRequest("Format error in JSON body: " + field
                + ": data did not match any variant of untagged enum QueryInterface");
    }

    /** A query object's keys must be among {@code allowed}: an unknown key is a 400, not silently ignored. */
    private static void onlyKeys(JsonNode query, String field, String... allowed) {
        List<String> known = List.of(allowed);
        query.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                throw ApiException.badRequest("Format error in JSON body: " + field + ": unknown field `" + key
                        + "`, expected " + (allowed.length == 1 ? "`" + allowed[0] + "`"
                        : "one of `" + String.join("`, `", allowed) + "`"));
            }
        });
    }

    /**
     * A query point's stored vector (404 when there is none); a point of the searched collection is left out of every
     * stage's results.
     */
    private float[] storedVector(ExampleSource source, PointId id) {
        if (source.excludesExamples()) {
            referenced.add(id);
        }
        return source.storedVector(id);
    }

    /** A query vector must have the collection's dimension. */
    private float[] checked(float[] vector) {
        int dim = collection.config().vectors().size();
        if (vector.length != dim) {
            throw ApiException.badRequest("Wrong input: Vector dimension error: expected dim: " + dim + ", got "
                    + vector.length);
        }
        return vector;
    }

    /**
     * {@code {"rrf": {"k": k, "weights": [...]}}}: {@code k} ≥ 1 (default {@value ReciprocalRankFusion#DEFAULT_K},
     * else 422), {@code weights} one number per prefetch (absent: all 1); other keys are a 400.
     */
    private static ReciprocalRankFusion rrf(JsonNode spec, String field) {
        if (spec == null || !spec.isObject()) {
            throw JsonFields.typeError(field, spec == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                    : spec, "struct Rrf");
        }
        onlyKeys(spec, field, "k", "weights");
        int k = JsonFields.optInt(spec, "k", field + ".k", ReciprocalRankFusion.DEFAULT_K, 1);
        JsonNode w = spec.get("weights");
        if (w == null || w.isNull()) {
            return new ReciprocalRankFusion(k, null);
        }
        if (!w.isArray()) {
            throw JsonFields.typeError(field + ".weights", w, "a sequence");
        }
        List<Float> weights = new ArrayList<>(w.size());
        for (int i = 0; i < w.size(); i++) {
            JsonNode x = w.get(i);
            String at = field + ".weights[" + i + "]";
            if (!x.isNumber()) {
                throw JsonFields.typeError(at, x, "f32");
            }
            if (!Float.isFinite(x.floatValue())) {
                throw ApiException.badRequest("Format error in JSON body: " + at + ": value out of float range");
            }
            weights.add(x.floatValue());
        }
        return new ReciprocalRankFusion(k, weights);
    }

    /**
     * {@code mmr} of a {@code nearest} query: {@code diversity} in [0, 1] (default 0.5) and {@code candidates_limit}
     * at most 16384 (default: the {@code limit} of the request or prefetch that holds the query, as Qdrant resolves
     * it before a query group scales the limits); other keys are a 400, values out of range a 422.
     */
    private static QueryPlan.NearestMmr mmr(float[] vector, JsonNode node, String field, int limit) {
        if (!node.isObject()) {
            throw JsonFields.typeError(field, node, "an mmr object");
        }
        onlyKeys(node, field, "diversity", "candidates_limit");
        float diversity = MaximalMarginalRelevance.DEFAULT_DIVERSITY;
        JsonNode d = node.get("diversity");
        if (d != null && !d.isNull()) {
            if (!d.isNumber()) {
                throw JsonFields.typeError(field + ".diversity", d, "a number");
            }
            double value = d.doubleValue();
            if (!(value >= 0 && value <= 1)) {
                throw ApiException.validation(field + ".diversity", "value " + d.asText()
                        + " invalid, must be from 0.0 to 1.0");
            }
            diversity = (float) value;
        }
        Integer candidates = JsonFields.optInt(node, "candidates_limit", field + ".candidates_limit", null, 0);
        if (candidates != null && candidates > MaximalMarginalRelevance.MAX_CANDIDATES) {
            throw ApiException.validation(field + ".candidates_limit", "value "
                    + node.get("candidates_limit").asText() + " invalid, must be "
                    + MaximalMarginalRelevance.MAX_CANDIDATES + " or smaller");
        }
        return new QueryPlan.NearestMmr(vector, diversity, candidates == null ? limit : candidates);
    }
}
