package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.PointGrouping;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's grouped searches: {@code points/search/groups}, {@code points/recommend/groups} and
 * {@code points/query/groups}. A body is read and checked in full first; then the request's ranked points are paged
 * by {@link PointGrouping} (the engine's rules: which values form groups, which groups and hits win) and the chosen
 * hits are read back with the payload and vector the request asked for. Answers {@code {"groups":[{"hits":[…],
 * "id":v}…]}}; with {@code with_lookup}, each group whose id is a point id of the lookup collection also carries that
 * point as {@code "lookup"} ({@link GroupLookup}). Stateless and threadsafe.
 */
final class GroupRoutes {
    /** Qdrant's QueryGroupsRequest defaults: 3 hits per group, 10 groups. */
    private static final int QUERY_DEFAULT_GROUP_SIZE = 3;

    private final CollectionLookup collections;
    private final ObjectMapper json;

    GroupRoutes(CollectionLookup collections, ObjectMapper json) {
        this.collections = collections;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/collections/{c}/points/search/groups", READ, this::searchGroups),
                new Route("POST", "/collections/{c}/points/recommend/groups", READ, this::recommendGroups),
                new Route("POST", "/collections/{c}/points/query/groups", READ, this::queryGroups));
    }

    /** Qdrant's BaseGroupRequest part of a body, checked. */
    private record Grouping(String groupBy, int groupSize, int limit) {
        PointGrouping grouping(boolean higherIsBetter) {
            return new PointGrouping(groupBy, groupSize, limit, higherIsBetter);
        }
    }

    /**
     * {@code group_by} (required: a payload key path), {@code group_size} and {@code limit} (required when their
     * default is null; at least 1, else 422), of Rust type {@code type}: u32 in Qdrant's BaseGroupRequest (search and
     * recommend groups), usize in its QueryGroupsRequest. Missing fields and wrong
     * types are reported before values out of range, as serde reports them before validation.
     */
    private static Grouping grouping(JsonNode body, Integer defaultGroupSize, Integer defaultLimit,
            JsonFields.Unsigned type) {
        for (String field : List.of("group_by", "group_size", "limit")) {
            boolean required = field.equals("group_by") || (field.equals("group_size") ? defaultGroupSize == null
                    : defaultLimit == null);
            if (required && !JsonFields.present(body, field)) {
                throw ApiException.badRequest("Format error in JSON body: missing field `" + field + "`");
            }
        }
        String groupBy = RequestParser.keyPath(JsonFields.optText(body, "group_by"), "group_by");
        int groupSize = JsonFields.optUnsigned(body, "group_size", "group_size", defaultGroupSize, 0, type);
        int limit = JsonFields.optUnsigned(body, "limit", "limit", defaultLimit, 0, type);
        if (groupSize < 1) {
            throw ApiException.validation("group_size", "value " + groupSize + " invalid, must be 1 or larger");
        }
        if (limit < 1) {
            throw ApiException.validation("limit", "value " + limit + " invalid, must be 1 or larger");
        }
        return new Grouping(groupBy, groupSize, limit);
    }

    /** The parts a SearchGroupsRequest and a RecommendGroupsRequest share with a search, besides the vector. */
    private record SearchPart(Filter filterOrNull, Float scoreThresholdOrNull, RequestParser.SearchParams params,
            WithPayload withPayload, boolean withVector) {
        static SearchPart of(JsonNode body, VectorName vectorName) {
            return new SearchPart(RequestParser.filter(body, "filter"), JsonFields.optFloat(body, "score_threshold"),
                    RequestParser.params(body), RequestParser.withPayload(body, WithPayload.NONE),
                    RequestParser.withVector(body, false, vectorName));
        }

        /**
         * The search for one page: the best {@code limit} points by {@code vector} or by {@code examplesOrNull}
         * (exactly one given) passing this part's filter, {@code notExamples} (null: none) and the page's own filter,
         * with the payload the grouping reads.
         */
        SearchRequest page(float[] vector, ExampleQuery examplesOrNull, Filter notExamples, Filter pageFilter,
                int limit, WithPayload keyOnly) {
            return new SearchRequest(vector, allOf(allOf(filterOrNull, notExamples), pageFilter), limit, 0, keyOnly,
                    false, scoreThresholdOrNull, params.hnswEfOrNull(), params.exact(), params.quantizationOrNull(),
                    params.indexedOnly(), examplesOrNull);
        }
    }

    private ApiResponse searchGroups(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode body = request.jsonObject();
        VectorName vectorName = VectorName.of(collection);
        float[] vector = RequestParser.searchVector(body, vectorName);
        SearchPart part = SearchPart.of(body, vectorName);
        Grouping grouping = grouping(body, null, null, JsonFields.Unsigned.U32);
        StrictModeCheck.of(collection).search(body, StrictModeCheck.Limit.LIMIT).timeout(request.readParams());
        GroupLookup lookup = GroupLookup.of(collections, body);
        boolean higherIsBetter = collection.config().vectors().distance().higherIsBetter();
        List<PointGrouping.Group> groups = grouping.grouping(higherIsBetter).run((extra, limit, keyOnly) ->
                collection.search(part.page(vector, null, null, extra, limit, keyOnly), consistency));
        return ApiResponse.ok(answer(collection, groups, part.withPayload(), part.withVector(), lookup, consistency));
    }

    /**
     * As {@code points/recommend}: the examples' average vector or their {@code best_score}/{@code sum_scores} query,
     * the example ids left out of every page.
     */
    private ApiResponse recommendGroups(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode body = request.jsonObject();
        VectorName vectorName = VectorName.of(collection);
        SearchRoutes.rejectUnsupported(body, vectorName);
        SearchPart part = SearchPart.of(body, vectorName);
        Grouping grouping = grouping(body, null, null, JsonFields.Unsigned.U32);
        StrictModeCheck.of(collection).search(body, StrictModeCheck.Limit.LIMIT_TIMES_GROUP_SIZE)
                .timeout(request.readParams());
        GroupLookup lookup = GroupLookup.of(collections, body);
        RecommendInput.Resolved r = RecommendInput.resolve(
                ExampleSource.of(collections, collection, body, "", consistency), body, "", true);
        Filter notExamples = notAnyOf(r.examples());
        boolean higherIsBetter = r.examplesOrNull() != null
                || collection.config().vectors().distance().higherIsBetter();
        List<PointGrouping.Group> groups = grouping.grouping(higherIsBetter).run((extra, limit, keyOnly) ->
                collection.search(part.page(r.averageOrNull(), r.examplesOrNull(), notExamples, extra, limit,
                        keyOnly), consistency));
        return ApiResponse.ok(answer(collection, groups, part.withPayload(), part.withVector(), lookup, consistency));
    }

    /**
     * A QueryGroupsRequest: the query forms {@code points/query} takes, prefetches included, run by
     * {@link QueryRunner} for every page with the page's filter on the root (and so on every prefetch); each
     * prefetch's limit is multiplied by the number of groups, as Qdrant's {@code increase_limit_for_group} does. Groups
     * and hits rank as the root's query ranks points: by score, by {@code order_value} for {@code order_by} (whose
     * hits keep it), and in no order for {@code sample} and {@code mmr} (whichever groups and hits come first: MMR's
     * pick order, which Qdrant's aggregator does not re-sort). A root {@code mmr} picks from its
     * {@code candidates_limit} nearest points (default: the number of groups, as Qdrant resolves it before the page
     * size grows to {@code limit × group_size}) on every page, each page leaving out what was seen, until the groups
     * are full or the points run out.
     */
    private ApiResponse queryGroups(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode body = request.jsonObject();
        StrictModeCheck.of(collection).queryGroups(body).timeout(request.readParams()); // before examples are read
        QueryPlan plan = new QueryPlanParser(collections, collection, consistency).parse(body);
        QueryPlan.Stage root = plan.root();
        Grouping grouping = grouping(body, QUERY_DEFAULT_GROUP_SIZE, root.limit(), JsonFields.Unsigned.USIZE);
        GroupLookup lookup = GroupLookup.of(collections, body);
        // the order Qdrant's ScoringQuery::order gives the aggregator: by score, by order value, or none for a sample
        Comparator<ScoredPoint> bestFirst = switch (root.scoringOrNull()) {
            case QueryPlan.PointScoring p -> PointGrouping.byScore(
                    p.higherIsBetter(collection.config().vectors().distance()));
            case QueryPlan.Fuse f -> PointGrouping.byScore(true);
            case QueryPlan.Formula f -> PointGrouping.byScore(true);
            case QueryPlan.NearestMmr m -> null;
            case QueryPlan.Ordered o -> PointGrouping.byOrderValue(o.orderBy().descending());
            case QueryPlan.Sample x -> null;
            case null -> PointGrouping.byScore(true);
        };
        List<QueryPlan.Stage> prefetches = scaled(root.prefetches(), grouping.limit());
        Filter rootFilter = root.filterOrNull();
        // an MMR page holds at most its candidates_limit picks, however many are asked
        int mostPerCall = root.scoringOrNull() instanceof QueryPlan.NearestMmr m ? m.candidatesLimit()
                : Integer.MAX_VALUE;
        List<PointGrouping.Group> groups = new PointGrouping(grouping.groupBy(), grouping.groupSize(),
                grouping.limit(), bestFirst).run((extra, limit, keyOnly) -> {
            QueryPlan.Stage page = new QueryPlan.Stage(prefetches, root.scoringOrNull(), allOf(rootFilter, extra),
                    root.scoreThresholdOrNull(), limit, root.params());
            return new QueryRunner(collection, consistency).run(new QueryPlan(page, 0, keyOnly, false,
                    plan.excludedIds()));
        }, mostPerCall);
        return ApiResponse.ok(answer(collection, groups, plan.withPayload(), plan.withVector(), lookup, consistency));
    }

    /** The stages with every limit in their trees multiplied by {@code factor} (saturating). */
    private static List<QueryPlan.Stage> scaled(List<QueryPlan.Stage> stages, int factor) {
        List<QueryPlan.Stage> out = new ArrayList<>(stages.size());
        for (QueryPlan.Stage s : stages) {
            int limit = (int) Math.min(Integer.MAX_VALUE, (long) s.limit() * factor);
            out.add(new QueryPlan.Stage(scaled(s.prefetches(), factor), s.scoringOrNull(), s.filterOrNull(),
                    s.scoreThresholdOrNull(), limit, s.params()));
        }
        return out;
    }

    /**
     * {@code {"groups":[…]}}, each hit read back with the payload and vector the request asked for (the grouping saw
     * only the key); a hit whose point was deleted meanwhile keeps its score and shows neither.
     */
    private ObjectNode answer(CollectionService collection, List<PointGrouping.Group> groups, WithPayload withPayload,
            boolean withVector, GroupLookup lookupOrNull, ReadConsistency consistency) {
        Map<PointId, Record> records = new HashMap<>();
        if (withPayload.enabled() || withVector) {
            Set<PointId> ids = new LinkedHashSet<>();
            groups.forEach(g -> g.hits().forEach(h -> ids.add(h.id())));
            for (Record r : collection.retrieve(new ArrayList<>(ids), withPayload, withVector, consistency)) {
                records.put(r.id(), r);
            }
        }
        ObjectNode result = json.createObjectNode();
        ArrayNode out = result.putArray("groups");
        for (PointGrouping.Group g : groups) {
            List<ScoredPoint> hits = new ArrayList<>(g.hits().size());
            for (ScoredPoint h : g.hits()) {
                Record r = records.get(h.id());
                hits.add(new ScoredPoint(h.id(), h.version(), h.score(), r == null ? null : r.payloadOrNull(),
                        r == null ? null : r.vectorOrNull(), r != null && r.vectorMissing(), h.orderValueOrNull()));
            }
            out.add(new PointGrouping.Group(g.id(), hits).toJson(collection.config().vectorName()));
        }
        if (lookupOrNull != null) {
            lookupOrNull.attach(out, consistency);
        }
        return result;
    }

    /** {@code must_not: has_id [ids]}; null for no ids. */
    private static Filter notAnyOf(List<PointId> ids) {
        if (ids.isEmpty()) {
            return null;
        }
        ObjectNode f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        ArrayNode hasId = f.putArray("must_not").addObject().putArray("has_id");
        ids.forEach(id -> hasId.add(id.toJson()));
        return FilterParser.parse(f);
    }

    /** Both filters (nulls skipped): one as it is, two under {@code must}. */
    private static Filter allOf(Filter a, Filter b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        ObjectNode both = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        both.putArray("must").add(a.toJson()).add(b.toJson());
        return FilterParser.parse(both);
    }
}
