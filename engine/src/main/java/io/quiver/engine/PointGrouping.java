package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.filter.JsonPath;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's group-by over a ranked source of points ({@code points/search/groups}, {@code recommend/groups},
 * {@code query/groups}): the {@code limit} groups, one per value of the {@code group_by} payload key, whose best hit
 * ranks highest, each with its {@code groupSize} best hits, groups best first and hits best first. A point belongs to
 * the group of every value at the key (an array contributes each element once); a value must be a string or an
 * integer, and a point with any other value there (a float, a bool, null, an object, a nested array) is in no group,
 * as Qdrant's aggregator drops it.
 *
 * <p>The source is paged as Qdrant's {@code group_by.rs} pages it, with filters ANDed to the request's: every page
 * leaves out the points already seen ({@code must_not has_id}) and points without the key ({@code is_empty}). While
 * fewer than {@code limit} groups are known, a page also leaves out points whose values all belong to groups that are
 * already full ({@code except}), so each page continues the source's order for every group still short of hits;
 * once {@code limit} groups are known they are fixed, and later pages take only points of those still short
 * ({@code any}), each page sized to what they lack, so every page fills at least one of them. Paging stops when the
 * chosen groups are full or a page comes back short (the source has nothing more). Unlike Qdrant, which gives up
 * after five pages of each kind, this runs to completion, so with an exact source the answer is the brute-force one
 * (ties aside). A source whose scores depend on what it is asked to leave out (a fusion of prefetches) is paged the
 * same way; its groups are then the first {@code limit} found, ordered by the best hit gathered for each. A source
 * ranked by a payload value ({@code order_by}) ranks hits and groups by {@code order_value}; an unordered one (a
 * random {@code sample}) yields the first {@code limit} groups found with their first hits, as Qdrant's aggregator
 * keeps whichever come first when it has no order. One per request, used by the request's thread only.
 */
public final class PointGrouping {
    /** The largest page asked of the source at once. */
    static final int MAX_PAGE = 4096;

    /** A ranked source of points: the request's search, recommendation or query. */
    @FunctionalInterface
    public interface Source {
        /**
         * The best {@code limit} points (fewer only when no more exist) that pass {@code filter} and the request's own
         * conditions, best first, each carrying the payload {@code withPayload} selects.
         */
        List<ScoredPoint> best(Filter filter, int limit, WithPayload withPayload);
    }

    /** One group: the key's value (a string or an integer) and its hits, best first. */
    public record Group(JsonNode id, List<ScoredPoint> hits) {
        public Group {
            hits = List.copyOf(hits);
        }

        /** Qdrant's PointGroup JSON: {@code {"hits":[ScoredPoint…],"id":value}}. */
        public ObjectNode toJson() {
            return toJson("");
        }

        /** As {@link #toJson()} for a collection whose one vector is named {@code vectorName}. */
        public ObjectNode toJson(String vectorName) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            ArrayNode array = n.putArray("hits");
            hits.forEach(h -> array.add(h.toJson(vectorName)));
            n.set("id", id);
            return n;
        }
    }

    /** The hits gathered for one value, in the order the source returned them, and the best of them. */
    private static final class Gathered {
        final JsonNode id;
        final List<ScoredPoint> hits = new ArrayList<>();
        ScoredPoint best;

        Gathered(JsonNode id) {
            this.id = id;
        }
    }

    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private final String groupBy;
    private final JsonPath path;
    private final WithPayload keyOnly;
    private final int groupSize;
    private final int limit;
    /** Null for an unordered source (a random sample): groups and hits are then kept in the order found. */
    private final Comparator<ScoredPoint> bestFirstOrNull;
    private final Map<JsonNode, Gathered> groups = new LinkedHashMap<>();
    private final Set<PointId> seen = new LinkedHashSet<>();
    private final List<JsonNode> values = new ArrayList<>();

    /**
     * @param groupBy the payload key path (BadRequest when it does not parse)
     * @param groupSize hits per group, at least 1
     * @param limit groups, at least 1
     * @param higherIsBetter whether the source's larger scores rank first (false for Euclid and Manhattan)
     */
    public PointGrouping(String groupBy, int groupSize, int limit, boolean higherIsBetter) {
        this(groupBy, groupSize, limit, byScore(higherIsBetter));
    }

    /**
     * @param groupBy the payload key path (BadRequest when it does not parse)
     * @param groupSize hits per group, at least 1
     * @param limit groups, at least 1
     * @param bestFirstOrNull how the source ranks its points ({@link #byScore}, {@link #byOrderValue}), or null for a
     *        source in no order (Qdrant's {@code sample}, whose groups and hits are whichever come first)
     */
    public PointGrouping(String groupBy, int groupSize, int limit, Comparator<ScoredPoint> bestFirstOrNull) {
        if (groupSize < 1 || limit < 1) {
            throw new IllegalArgumentException("groupSize and limit must be at least 1");
        }
        this.groupBy = groupBy;
        this.path = JsonPath.parse(groupBy);
        this.keyOnly = WithPayload.include(List.of(withoutTrailingWildcard(groupBy)));
        this.groupSize = groupSize;
        this.limit = limit;
        this.bestFirstOrNull = bestFirstOrNull;
    }

    /** Hits ranked by score: larger first when {@code higherIsBetter}, else smaller first. */
    public static Comparator<ScoredPoint> byScore(boolean higherIsBetter) {
        Comparator<ScoredPoint> ascending = Comparator.comparingDouble(ScoredPoint::score);
        return higherIsBetter ? ascending.reversed() : ascending;
    }

    /**
     * Hits of an {@code order_by} source ranked by their {@code order_value}, as Qdrant's aggregator compares points
     * that carry one: smaller first when {@code descending} is false. Integers compare exactly, other values as
     * doubles; a hit without a value ranks last.
     */
    public static Comparator<ScoredPoint> byOrderValue(boolean descending) {
        Comparator<Number> values = (a, b) -> a instanceof Long x && b instanceof Long y ? Long.compare(x, y)
                : Double.compare(a.doubleValue(), b.doubleValue());
        return Comparator.comparing(ScoredPoint::orderValueOrNull,
                Comparator.nullsLast(descending ? values.reversed() : values));
    }

    /** Qdrant's {@code strip_wildcard_suffix}: the key that {@code with_payload} must keep to show the values. */
    private static String withoutTrailingWildcard(String key) {
        return key.endsWith("[]") ? key.substring(0, key.length() - 2) : key;
    }

    /**
     * The groups, best first (ranked by their best hit; equal ones in the order the source found them), each with at
     * most {@code groupSize} hits, best first. The hits carry the payload of the key only; callers fill in what the
     * request asked for.
     */
    public List<Group> run(Source source) {
        return run(source, Integer.MAX_VALUE);
    }

    /**
     * As {@link #run(Source)}, for a source that returns at most {@code mostPerCall} points per call however many
     * are asked (a query re-ranked by Maximal Marginal Relevance picks from its {@code candidates_limit} nearest
     * points): a call is taken as the end of the source only when it returns fewer than both, and paging goes on
     * otherwise, each page leaving out what was seen, as Qdrant's repeated group requests do.
     */
    public List<Group> run(Source source, int mostPerCall) {
        if (mostPerCall < 1) {
            return List.of();
        }
        int page = (int) Math.min(MAX_PAGE, (long) limit * groupSize);
        boolean exhausted = false;
        while (groups.size() < limit) {
            List<ScoredPoint> got = source.best(discoveryFilter(), page, keyOnly);
            got.forEach(this::add);
            if (got.size() < Math.min(page, mostPerCall)) {
                exhausted = true;
                break;
            }
            page = Math.min(MAX_PAGE, page * 2);
        }
        List<Gathered> chosen = ranked(groups.values());
        if (chosen.size() > limit) {
            chosen = chosen.subList(0, limit);
        }
        while (!exhausted) {
            List<Gathered> short_ = new ArrayList<>();
            long lacking = 0;
            for (Gathered g : chosen) {
                if (g.hits.size() < groupSize) {
                    short_.add(g);
                    lacking += groupSize - g.hits.size();
                }
            }
            if (short_.isEmpty()) {
                break;
            }
            int want = (int) Math.min(MAX_PAGE, lacking);
            List<ScoredPoint> got = source.best(fillingFilter(short_), want, keyOnly);
            got.forEach(this::add);
            exhausted = got.size() < Math.min(want, mostPerCall);
        }
        List<Group> out = new ArrayList<>(chosen.size());
        // an exact source found every chosen group's best hit before they were chosen; a fused one may not have
        for (Gathered g : ranked(chosen)) {
            List<ScoredPoint> hits = new ArrayList<>(g.hits);
            if (bestFirstOrNull != null) {
                hits.sort(bestFirstOrNull);
            }
            out.add(new Group(g.id, hits.subList(0, Math.min(groupSize, hits.size()))));
        }
        return out;
    }

    /**
     * Groups by their best hit (a stable sort: equal ones keep the order they were found in; an unordered source's
     * all keep it).
     */
    private List<Gathered> ranked(java.util.Collection<Gathered> all) {
        List<Gathered> out = new ArrayList<>(all);
        if (bestFirstOrNull != null) {
            out.sort((a, b) -> bestFirstOrNull.compare(a.best, b.best));
        }
        return out;
    }

    /** Adds a point to the group of each of its values (once per point). */
    private void add(ScoredPoint p) {
        if (!seen.add(p.id())) {
            return;
        }
        List<JsonNode> keys = groupKeys(p.payloadOrNull());
        if (keys == null) {
            return;
        }
        for (JsonNode key : keys) {
            Gathered g = groups.computeIfAbsent(key, Gathered::new);
            g.hits.add(p);
            if (g.best == null || bestFirstOrNull != null && bestFirstOrNull.compare(p, g.best) < 0) {
                g.best = p;
            }
        }
    }

    /**
     * The distinct group values of a payload: the values at the key, arrays split one level; null when any of them
     * is not a string or an integer (Qdrant's {@code GroupId::try_from} fails and the point is left out).
     */
    private List<JsonNode> groupKeys(ObjectNode payload) {
        values.clear();
        if (payload != null) {
            path.collect(payload, values);
        }
        List<JsonNode> keys = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            if (v.isArray()) {
                for (JsonNode element : v) {
                    if (!addKey(keys, element)) {
                        return null;
                    }
                }
            } else if (!addKey(keys, v)) {
                return null;
            }
        }
        return keys;
    }

    private static boolean addKey(List<JsonNode> keys, JsonNode v) {
        JsonNode key;
        if (v.isTextual()) {
            key = TextNode.valueOf(v.textValue());
        } else if (v.isIntegralNumber() && v.canConvertToLong()) {
            key = LongNode.valueOf(v.longValue());
        } else if (v.isIntegralNumber() && v.bigIntegerValue().signum() > 0
                && v.bigIntegerValue().compareTo(U64_LIMIT) < 0) {
            key = BigIntegerNode.valueOf(v.bigIntegerValue());
        } else {
            return false;
        }
        if (!keys.contains(key)) {
            keys.add(key);
        }
        return true;
    }

    /**
     * While groups are being found: not seen yet, has the key, and holds at least one value whose group is not full
     * (an {@code except} per value type; a point whose values are all full groups cannot start a group nor add to one
     * that still needs hits). Values that no condition can name (integers beyond 64 bits) are simply not excluded.
     */
    private Filter discoveryFilter() {
        ObjectNode f = base();
        List<String> strings = new ArrayList<>();
        List<Long> integers = new ArrayList<>();
        for (Gathered g : groups.values()) {
            if (g.hits.size() >= groupSize) {
                sortValue(g.id, strings, integers);
            }
        }
        if (!strings.isEmpty() || !integers.isEmpty()) {
            ArrayNode must = f.putArray("must");
            if (!strings.isEmpty()) {
                ArrayNode except = must.addObject().put("key", groupBy).putObject("match").putArray("except");
                strings.forEach(except::add);
            }
            if (!integers.isEmpty()) {
                ArrayNode except = must.addObject().put("key", groupBy).putObject("match").putArray("except");
                integers.forEach(except::add);
            }
        }
        return FilterParser.parse(f);
    }

    /**
     * Once the groups are chosen: not seen yet and holding a value of a chosen group still short of hits ({@code any}
     * per value type, either of them; integers beyond 64-bit signed, which {@code any} cannot name, through a range
     * from 2^63 up).
     */
    private Filter fillingFilter(List<Gathered> short_) {
        ObjectNode f = base();
        List<String> strings = new ArrayList<>();
        List<Long> integers = new ArrayList<>();
        boolean beyondLong = false;
        for (Gathered g : short_) {
            beyondLong |= !sortValue(g.id, strings, integers);
        }
        ArrayNode should = f.putArray("should");
        if (beyondLong) {
            should.addObject().put("key", groupBy).putObject("range").put("gte", 0x1p63);
        }
        if (!strings.isEmpty()) {
            ArrayNode any = should.addObject().put("key", groupBy).putObject("match").putArray("any");
            strings.forEach(any::add);
        }
        if (!integers.isEmpty()) {
            ArrayNode any = should.addObject().put("key", groupBy).putObject("match").putArray("any");
            integers.forEach(any::add);
        }
        return FilterParser.parse(f);
    }

    /** Adds a group value to the list of its type; false for a value no condition can name. */
    private static boolean sortValue(JsonNode id, List<String> strings, List<Long> integers) {
        if (id.isTextual()) {
            strings.add(id.textValue());
            return true;
        }
        if (id.canConvertToLong()) {
            integers.add(id.longValue());
            return true;
        }
        return false;
    }

    /** {@code must_not: [is_empty key, has_id seen]}. */
    private ObjectNode base() {
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        ArrayNode mustNot = f.putArray("must_not");
        mustNot.addObject().putObject("is_empty").put("key", groupBy);
        if (!seen.isEmpty()) {
            ArrayNode ids = mustNot.addObject().putArray("has_id");
            seen.forEach(id -> ids.add(id.toJson()));
        }
        return f;
    }
}
