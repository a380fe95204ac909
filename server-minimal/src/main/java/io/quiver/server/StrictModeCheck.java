package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.engine.StrictModeConfig;
import io.quiver.engine.filter.Condition;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.filter.Match;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Qdrant's collection strict mode ({@code lib/collection/src/operations/verification/}): the checks a request must
 * pass when its collection's {@code strict_mode_config.enabled} is true, each failing with Qdrant's 400
 * {@code Bad request: <what>. Help: <how>} (its {@code CollectionError::StrictMode}, a BadRequest since Qdrant 1.15).
 * A route calls one method per request, after its body parsed and before anything runs, so a refused request changes
 * nothing; every rule and message lives here. Routes serve standalone and clustered nodes alike, and the config comes
 * from the collection's service (the consensus metadata in a cluster). Created per request by {@link #of}; used by
 * that request's thread only.
 *
 * <p>Enforced: {@code max_query_limit}, {@code max_timeout} (reads), {@code unindexed_filtering_retrieve},
 * {@code unindexed_filtering_update}, {@code search_max_hnsw_ef}, {@code search_allow_exact},
 * {@code search_max_oversampling}, {@code upsert_max_batchsize}, {@code max_points_count}, {@code filter_max_conditions}
 * and {@code condition_max_size}. The others are stored and shown only.
 */
final class StrictModeCheck {
    /** Qdrant's defaults of an omitted {@code limit} (query, scroll) and {@code group_size} (query groups). */
    private static final long DEFAULT_LIMIT = 10;
    private static final long DEFAULT_GROUP_SIZE = 3;

    /** A check that lets everything through: strict mode is off. */
    private static final StrictModeCheck OFF = new StrictModeCheck(null, null);
    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");

    /** The collection's config, null when strict mode is off. */
    private final StrictModeConfig config;
    private final CollectionService collection;
    private ObjectNode payloadSchema; // read once, when a filter needs it

    private StrictModeCheck(StrictModeConfig config, CollectionService collection) {
        this.config = config;
        this.collection = collection;
    }

    /** The checks of {@code collection}'s current strict mode (none when it is disabled). */
    static StrictModeCheck of(CollectionService collection) {
        StrictModeConfig c = collection.config().strictMode();
        return c.enabled() ? new StrictModeCheck(c, collection) : OFF;
    }

    /** Which limit a search-like request reports to {@code max_query_limit}. */
    enum Limit {
        /** {@code limit} as given (search, recommend, discover, search groups). */
        LIMIT,
        /** {@code limit × group_size} (recommend groups). */
        LIMIT_TIMES_GROUP_SIZE,
        /** {@code limit} (default 10) × {@code group_size} (default 3) (query groups). */
        QUERY_GROUPS
    }

    // ---- reads ----------------------------------------------------------------------------------------------------

    /**
     * A SearchRequest, RecommendRequest, DiscoverRequest (and their groups forms): the limit, the filter's indexes
     * and size, then {@code params}.
     */
    StrictModeCheck search(JsonNode body, Limit limit) {
        if (config == null) {
            return this;
        }
        Long value = switch (limit) {
            case LIMIT -> number(body, "limit");
            case LIMIT_TIMES_GROUP_SIZE -> product(number(body, "limit"), number(body, "group_size"));
            case QUERY_GROUPS -> product(orDefault(number(body, "limit"), DEFAULT_LIMIT),
                    orDefault(number(body, "group_size"), DEFAULT_GROUP_SIZE));
        };
        checkLimit(value, "max_query_limit", "limit");
        readFilter(body.get("filter"));
        searchParams(body.get("params"));
        return this;
    }

    /**
     * A QueryRequest: each prefetch first (recursively, as a request of its own), then whether the root's query may
     * scan every point (without prefetches), then its limit (default 10), filter and params.
     */
    StrictModeCheck query(JsonNode body) {
        if (config == null) {
            return this;
        }
        queryStage(body, true);
        return this;
    }

    /**
     * A QueryGroupsRequest: the full-scan rule for the root's query, the {@code group_by} key's index (when unindexed
     * retrieval is off), {@code limit × group_size}, the filter and params (its prefetches are not checked, as in
     * Qdrant).
     */
    StrictModeCheck queryGroups(JsonNode body) {
        if (config == null) {
            return this;
        }
        if (!JsonFields.present(body, "prefetch")) {
            fullScan(body);
        }
        groupBy(JsonFields.optText(body, "group_by"));
        return search(body, Limit.QUERY_GROUPS);
    }

    private void queryStage(JsonNode node, boolean root) {
        JsonNode prefetch = node.get("prefetch");
        List<JsonNode> prefetches = new ArrayList<>();
        if (prefetch != null && prefetch.isObject()) {
            prefetches.add(prefetch);
        } else if (prefetch != null && prefetch.isArray()) {
            prefetch.forEach(p -> {
                if (p.isObject()) {
                    prefetches.add(p);
                }
            });
        }
        for (JsonNode p : prefetches) {
            queryStage(p, false);
        }
        if (!root || prefetches.isEmpty()) {
            fullScan(node);
        }
        checkLimit(orDefault(number(node, "limit"), DEFAULT_LIMIT), "max_query_limit", "limit");
        readFilter(node.get("filter"));
        searchParams(node.get("params"));
    }

    /**
     * Qdrant's {@code check_fullscan}: with {@code search_allow_exact: false}, a vector query (nearest, recommend,
     * discover, context, by id) on a collection whose HNSW graph is off ({@code m = 0}) would scan every point. Quiver
     * has no {@code payload_m}, so a tenant filter does not help either.
     */
    private void fullScan(JsonNode node) {
        if (!Boolean.FALSE.equals(config.flagOrNull("search_allow_exact"))) {
            return;
        }
        JsonNode query = node.get("query");
        if (query == null || query.isNull() || isNonVectorQuery(query)) {
            return;
        }
        if (collection.config().vectorHnsw().m() > 0) {
            return;
        }
        if (usesTenantIndex(node.get("filter"))) {
            throw strict("Request is forbidden because vector indexing is disabled (hnsw_config.m = 0 and "
                    + "hnsw_config.payload_m = 0)", "Enable vector indexing, use a prefetch query with indexed "
                    + "vectors or enable strict mode `search_allow_exact` option");
        }
        throw strict("Request is forbidden because global vector indexing is disabled (hnsw_config.m = 0)",
                "Use tenant-specific filter, enable global vector indexing or enable strict mode `search_allow_exact` "
                        + "option");
    }

    /** Fusion, order_by, formula and sample queries do not search vectors. */
    private static boolean isNonVectorQuery(JsonNode query) {
        if (!query.isObject()) {
            return false;
        }
        for (String key : List.of("fusion", "rrf", "order_by", "formula", "sample")) {
            if (query.has(key)) {
                return true;
            }
        }
        return false;
    }

    private boolean usesTenantIndex(JsonNode filterNode) {
        Filter filter = FilterParser.parseOrNull(filterNode);
        if (filter == null) {
            return false;
        }
        List<String> keys = new ArrayList<>();
        forEachCondition(filter, c -> {
            if (c instanceof FieldCondition f) {
                keys.add(f.fullKey().toString());
            }
        });
        for (String key : keys) {
            JsonNode index = schema().get(key);
            if (index != null && index.at("/params/is_tenant").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Qdrant's {@code check_grouping_field}: with {@code unindexed_filtering_retrieve: false}, the {@code group_by}
     * key needs an index that answers {@code match} (keyword, integer with lookup, uuid, bool).
     */
    private void groupBy(String key) {
        if (key == null || !Boolean.FALSE.equals(config.flagOrNull("unindexed_filtering_retrieve"))) {
            return;
        }
        JsonNode index = schema().get(key);
        String help = "Create an index supporting `match` for this key.";
        if (index == null) {
            throw strict("Index required but not found for \"" + key + "\"", help);
        }
        Set<Capability> can = capabilities(index);
        if (!can.contains(Capability.KEYWORD) && !can.contains(Capability.INT_MATCH) && !can.contains(Capability.UUID)
                && !can.contains(Capability.BOOL)) {
            String type = index.path("data_type").asText();
            String kind = type.isEmpty() ? type : Character.toUpperCase(type.charAt(0)) + type.substring(1);
            throw strict("Index of type \"" + kind + "\" found for \"" + key + "\"", help);
        }
    }

    /**
     * A ScrollRequest: its limit (an omitted one counts as the default 10: Qdrant 1.17 skipped it, a gap it fixed
     * after, qdrant#10373) and filter.
     */
    StrictModeCheck scroll(JsonNode body) {
        if (config == null) {
            return this;
        }
        checkLimit(orDefault(number(body, "limit"), DEFAULT_LIMIT), "max_query_limit", "limit");
        readFilter(body.get("filter"));
        return this;
    }

    /** A CountRequest: its filter, then {@code exact} (default true, so strict mode without exact search needs
     * {@code "exact": false}, as in Qdrant). */
    StrictModeCheck count(JsonNode body) {
        if (config == null) {
            return this;
        }
        readFilter(body.get("filter"));
        exact(!Boolean.FALSE.equals(flag(body, "exact")));
        return this;
    }

    /** A FacetRequest: {@code limit} and {@code exact} only when given (Qdrant checks no default), and the filter. */
    StrictModeCheck facet(JsonNode body) {
        if (config == null) {
            return this;
        }
        checkLimit(number(body, "limit"), "max_query_limit", "limit");
        readFilter(body.get("filter"));
        exact(Boolean.TRUE.equals(flag(body, "exact")));
        return this;
    }

    /** A SearchMatrixRequest: {@code sample × limit} of those given (neither: unchecked), and the filter. */
    StrictModeCheck matrix(JsonNode body) {
        if (config == null) {
            return this;
        }
        Long sample = number(body, "sample");
        Long limit = number(body, "limit");
        checkLimit(sample == null ? limit : limit == null ? sample : product(limit, sample), "max_query_limit",
                "limit");
        readFilter(body.get("filter"));
        return this;
    }

    /** A read's {@code timeout} query parameter, when given, against {@code max_timeout} (after the body's checks). */
    void timeout(ReadParams read) {
        if (config != null && read.timeoutSecondsOrNull() != null) {
            checkLimit(read.timeoutSecondsOrNull(), "max_timeout", "timeout");
        }
    }

    // ---- updates --------------------------------------------------------------------------------------------------

    /**
     * One point update operation by its batch name ({@code upsert}, {@code delete}, {@code set_payload}, …): the
     * size of an upsert or of an update of vectors ({@code upsert_max_batchsize}, then the collection's
     * {@code max_points_count}), and the filter of the others ({@code unindexed_filtering_update}, filter sizes).
     */
    void update(String kind, JsonNode body) {
        if (config == null) {
            return;
        }
        switch (kind) {
            case "upsert" -> {
                JsonNode batch = body.get("batch");
                JsonNode points = batch != null && batch.isObject() ? batch.get("ids") : body.get("points");
                checkLimit(points == null ? 0L : (long) points.size(), "upsert_max_batchsize", "upsert limit");
                pointsCount();
            }
            case "update_vectors" -> {
                JsonNode points = body.get("points");
                checkLimit(points == null ? 0L : (long) points.size(), "upsert_max_batchsize", "update limit");
                pointsCount();
            }
            default -> filter(body.get("filter"), "unindexed_filtering_update");
        }
    }

    /** Qdrant's {@code max_points_count}: writes that add points stop once the collection holds that many. */
    private void pointsCount() {
        Long max = config.limitOrNull("max_points_count");
        if (max != null && collection.pointsCount() >= max) {
            throw ApiException.badRequest("Bad request: Max points count limit of " + max + " reached!");
        }
    }

    // ---- shared checks --------------------------------------------------------------------------------------------

    private void checkLimit(Long value, String field, String name) {
        Long max = config.limitOrNull(field);
        if (value != null && max != null && value > max) {
            throw strict("Limit exceeded " + value + " > " + max + " for \"" + name + "\"",
                    "Reduce the \"" + name + "\" parameter to or below " + max + ".");
        }
    }

    private void exact(boolean requested) {
        if (requested && Boolean.FALSE.equals(config.flagOrNull("search_allow_exact"))) {
            throw strict("Exact search disabled!", "Set exact=false.");
        }
    }

    /** Qdrant's SearchParams checks: {@code quantization.oversampling}, {@code hnsw_ef}, then {@code exact}. */
    private void searchParams(JsonNode params) {
        if (params == null || !params.isObject()) {
            return;
        }
        JsonNode quantization = params.get("quantization");
        JsonNode oversampling = quantization == null ? null : quantization.get("oversampling");
        Double max = config.searchMaxOversamplingOrNull();
        if (max != null && oversampling != null && oversampling.isNumber() && oversampling.doubleValue() > max) {
            throw strict("Limit exceeded " + oversampling.doubleValue() + " > " + max + " for \"oversampling\"",
                    "Reduce the \"oversampling\" parameter to or below " + max + ".");
        }
        checkLimit(number(params, "hnsw_ef"), "search_max_hnsw_ef", "hnsw_ef");
        exact(Boolean.TRUE.equals(flag(params, "exact")));
    }

    private void readFilter(JsonNode node) {
        filter(node, "unindexed_filtering_retrieve");
    }

    /**
     * A filter: first every key it filters on needs a payload index able to answer the condition (when
     * {@code allowUnindexed} is false; Qdrant's {@code one_unindexed_key}), then its size: conditions counted through
     * nested filters ({@code filter_max_conditions}) and the largest {@code any}/{@code except}/{@code has_id} list
     * ({@code condition_max_size}).
     */
    private void filter(JsonNode node, String allowUnindexed) {
        Filter filter = FilterParser.parseOrNull(node);
        if (filter == null) {
            return;
        }
        if (Boolean.FALSE.equals(config.flagOrNull(allowUnindexed))) {
            Unindexed missing = firstUnindexed(filter, null);
            if (missing != null) {
                throw strict("Index required but not found for \"" + missing.key() + "\" of one of the following "
                        + "types: [" + String.join(", ", missing.types()) + "]",
                        "Create an index for this key or use a different filter.");
            }
        }
        Long maxConditions = config.limitOrNull("filter_max_conditions");
        if (maxConditions != null) {
            long count = conditionCount(filter);
            if (count > maxConditions) {
                throw strict("Filter condition limit reached (" + count + " > " + maxConditions + ")",
                        "Reduce the amount of conditions of your filter.");
            }
        }
        Long maxSize = config.limitOrNull("condition_max_size");
        if (maxSize != null) {
            long size = largestCondition(filter);
            if (size > maxSize) {
                throw strict("Condition size limit reached (" + size + " > " + maxSize + ")",
                        "Reduce the size of your condition.");
            }
        }
    }

    /** What an index can answer (Qdrant's {@code FieldIndexType}); a condition needs one of its required set. */
    private enum Capability {
        INT_MATCH("integer"), INT_RANGE("integer"), KEYWORD("keyword"), FLOAT_RANGE("float"), TEXT("text"),
        TEXT_PHRASE("text"), BOOL("bool"), UUID("uuid"), DATETIME("datetime"), GEO("geo");

        final String schemaName;

        Capability(String schemaName) {
            this.schemaName = schemaName;
        }
    }

    private record Unindexed(String key, List<String> types) {}

    /** The first condition (in clause order: must, must_not, should, min_should) whose key lacks a fitting index. */
    private Unindexed firstUnindexed(Filter filter, JsonPath prefix) {
        for (Condition c : conditions(filter)) {
            Unindexed u = unindexed(c, prefix);
            if (u != null) {
                return u;
            }
        }
        return null;
    }

    private Unindexed unindexed(Condition c, JsonPath prefix) {
        JsonPath key;
        Set<Capability> required;
        switch (c) {
            case Filter f -> {
                return firstUnindexed(f, prefix);
            }
            case Condition.Nested n -> {
                return firstUnindexed(n.filter(), extend(prefix, n.arrayKey()));
            }
            case Condition.IsEmpty e -> {
                key = e.key();
                required = EnumSet.allOf(Capability.class);
            }
            case Condition.IsNull e -> {
                key = e.key();
                required = EnumSet.allOf(Capability.class);
            }
            case FieldCondition f -> {
                key = f.key();
                required = required(f);
            }
            case Condition.HasId h -> {
                return null;
            }
            case Condition.HasVector h -> {
                return null;
            }
        }
        if (required.isEmpty()) {
            return null; // e.g. `any: []`: no index can help a condition that does nothing
        }
        String full = extend(prefix, key).toString();
        JsonNode index = schema().get(full);
        if (index != null && capabilities(index).stream().anyMatch(required::contains)) {
            return null;
        }
        Set<String> names = new TreeSet<>();
        required.forEach(r -> names.add(r.schemaName));
        return new Unindexed(full, List.copyOf(names));
    }

    /** Qdrant's {@code infer_index_from_field_condition}: the indexes any of which would serve the condition. */
    private static Set<Capability> required(FieldCondition f) {
        Set<Capability> out = EnumSet.noneOf(Capability.class);
        if (f.match() != null) {
            switch (f.match()) {
                case Match.Value v -> {
                    if (v.value() instanceof String s) {
                        if (isUuid(s)) {
                            out.add(Capability.UUID);
                        }
                        out.add(Capability.KEYWORD);
                    } else if (v.value() instanceof Boolean) {
                        out.add(Capability.BOOL);
                    } else {
                        out.add(Capability.INT_MATCH);
                    }
                }
                case Match.Text t -> out.add(t.kind() == Match.TextKind.PHRASE ? Capability.TEXT_PHRASE
                        : Capability.TEXT);
                case Match.Any a -> out.addAll(required(a.values()));
                case Match.Except e -> out.addAll(required(e.values()));
            }
        }
        if (f.range() != null) {
            out.add(Capability.FLOAT_RANGE);
            out.add(Capability.INT_RANGE);
        }
        if (f.datetimeRange() != null) {
            out.add(Capability.DATETIME);
        }
        if (f.hasGeo()) {
            out.add(Capability.GEO);
        }
        if (f.valuesCount() != null || f.isEmpty() != null || f.isNull() != null) {
            out.addAll(EnumSet.allOf(Capability.class));
        }
        return out;
    }

    private static Set<Capability> required(Match.Values values) {
        if (values.size() == 0) {
            return EnumSet.noneOf(Capability.class);
        }
        if (values.isIntegers()) {
            return EnumSet.of(Capability.INT_MATCH);
        }
        Set<Capability> out = EnumSet.of(Capability.KEYWORD);
        if (values.strings().stream().allMatch(StrictModeCheck::isUuid)) {
            out.add(Capability.UUID);
        }
        return out;
    }

    /** A UUID as Qdrant parses one: 32 hex digits, hyphenated 8-4-4-4-12 or not. */
    private static boolean isUuid(String s) {
        return UUID.matcher(s).matches();
    }

    /** Qdrant's {@code schema_capabilities}: what an existing index ({@code payload_schema} entry) answers. */
    private static Set<Capability> capabilities(JsonNode index) {
        JsonNode params = index.path("params");
        return switch (index.path("data_type").asText()) {
            case "keyword" -> EnumSet.of(Capability.KEYWORD);
            case "integer" -> {
                Set<Capability> out = EnumSet.noneOf(Capability.class);
                if (params.path("lookup").asBoolean(true)) {
                    out.add(Capability.INT_MATCH);
                }
                if (params.path("range").asBoolean(true)) {
                    out.add(Capability.INT_RANGE);
                }
                yield out;
            }
            case "uuid" -> EnumSet.of(Capability.UUID);
            case "bool" -> EnumSet.of(Capability.BOOL);
            case "float" -> EnumSet.of(Capability.FLOAT_RANGE);
            case "geo" -> EnumSet.of(Capability.GEO);
            case "text" -> params.path("phrase_matching").asBoolean(false)
                    ? EnumSet.of(Capability.TEXT, Capability.TEXT_PHRASE) : EnumSet.of(Capability.TEXT);
            case "datetime" -> EnumSet.of(Capability.DATETIME);
            default -> EnumSet.noneOf(Capability.class);
        };
    }

    /** Qdrant's {@code total_conditions_count}: a nested or inner filter counts its own conditions, others 1 each. */
    private static long conditionCount(Filter filter) {
        long n = 0;
        for (Condition c : conditions(filter)) {
            n += switch (c) {
                case Filter f -> conditionCount(f);
                case Condition.Nested nested -> conditionCount(nested.filter());
                default -> 1;
            };
        }
        return n;
    }

    /** Qdrant's {@code max_condition_input_size}: the longest {@code any}/{@code except}/{@code has_id} list. */
    private static long largestCondition(Filter filter) {
        long max = 0;
        for (Condition c : conditions(filter)) {
            long size = switch (c) {
                case Filter f -> largestCondition(f);
                case Condition.Nested nested -> largestCondition(nested.filter());
                case Condition.HasId h -> h.ids().size();
                case FieldCondition f when f.match() instanceof Match.Any a -> a.values().size();
                case FieldCondition f when f.match() instanceof Match.Except e -> e.values().size();
                default -> 0;
            };
            max = Math.max(max, size);
        }
        return max;
    }

    /** A filter's conditions in Qdrant's {@code iter_conditions} order: must, must_not, should, min_should. */
    private static List<Condition> conditions(Filter f) {
        List<Condition> out = new ArrayList<>();
        if (f.must() != null) {
            out.addAll(f.must());
        }
        if (f.mustNot() != null) {
            out.addAll(f.mustNot());
        }
        if (f.should() != null) {
            out.addAll(f.should());
        }
        if (f.minShould() != null) {
            out.addAll(f.minShould().conditions());
        }
        return out;
    }

    private static void forEachCondition(Filter filter, java.util.function.Consumer<Condition> action) {
        for (Condition c : conditions(filter)) {
            action.accept(c);
            if (c instanceof Filter f) {
                forEachCondition(f, action);
            }
        }
    }

    private static JsonPath extend(JsonPath prefix, JsonPath key) {
        return prefix == null ? key : prefix.extend(key);
    }

    private ObjectNode schema() {
        if (payloadSchema == null) {
            payloadSchema = collection.payloadSchema();
        }
        return payloadSchema;
    }

    private static ApiException strict(String error, String help) {
        return ApiException.badRequest("Bad request: " + error + ". Help: " + help);
    }

    /**
     * An integer field when it is one (the route's parser reports a wrong type), else null; an unsigned one beyond a
     * long (up to u64, which Qdrant takes) saturated to {@link Long#MAX_VALUE}, so it still exceeds any configured
     * maximum.
     */
    private static Long number(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isIntegralNumber()) {
            return null;
        }
        if (v.canConvertToLong()) {
            return v.longValue();
        }
        return v.bigIntegerValue().signum() > 0 && v.bigIntegerValue().compareTo(JsonFields.U64_MAX) <= 0
                ? Long.MAX_VALUE : null;
    }

    private static Boolean flag(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isBoolean() ? v.booleanValue() : null;
    }

    private static Long orDefault(Long v, long dflt) {
        return v == null ? dflt : v;
    }

    private static Long product(Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        long p = a * b;
        return a != 0 && (p / a != b || p < 0) ? Long.MAX_VALUE : p; // saturated: both may be as large as sent
    }
}
