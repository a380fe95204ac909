package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.JsonPath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's {@code order_by} (a scroll's, and a universal query's): points ordered by the values that the range-capable
 * payload index (integer, float or datetime) on a key holds for them. Only values of the index's type count, as only
 * they are in Qdrant's index: 64-bit integers for {@code integer}, any number for {@code float}, RFC 3339 datetimes
 * (in epoch microseconds) for {@code datetime}; arrays split one level. A point appears once per value it holds
 * (none: left out); {@code start_from} keeps the values at or beyond it; ascending order goes by (value, id),
 * descending by (value, id) reversed, as Qdrant merges its segments' (value, id) streams. Each result carries its
 * {@code order_value}: an integer for integer and datetime indexes, a float for float ones (Qdrant's
 * {@code OrderValue}). No index of those types on the key: a BadRequest ("No range index for `order_by` key…").
 *
 * <p>A local {@link Collection} is read through its indexes: each shard walks each segment's range index in order
 * from {@code start_from} and stops once it holds {@code limit} pairs and the ties of the last value
 * ({@link Shard#orderedTop}), so the cost grows with the limit (and with the points a filter rejects on the way), not
 * with the collection; a collection spread over a cluster merges each shard replica's {@link #topPairs} with
 * {@link #fromPairs}. Any other {@link PointReads} (a test double) is read by scrolling the key of every candidate
 * point. All keep the {@code limit} best pairs and then read those points with the payload and vector asked for. A value a point holds twice counts once, as in Qdrant's index. Stateless;
 * threadsafe as the collection or reads it is given.
 */
public final class OrderedScroll {
    private static final int PAGE = 1024;

    private OrderedScroll() {
    }

    /** One result: the point and the value it was ordered by (a {@link Long} or a {@link Double}). */
    public record OrderedRecord(Record record, Number orderValue) {
        /** Qdrant's Record JSON plus {@code order_value}. */
        public ObjectNode toJson() {
            return toJson("");
        }

        /** As {@link #toJson()} for a collection whose one vector is named {@code vectorName}. */
        public ObjectNode toJson(String vectorName) {
            ObjectNode json = record.toJson(vectorName);
            putOrderValue(json, orderValue);
            return json;
        }
    }

    /** Writes {@code order_value}: a Long as a JSON integer, anything else as a JSON float. */
    public static void putOrderValue(ObjectNode json, Number orderValue) {
        if (orderValue instanceof Long l) {
            json.put("order_value", l.longValue());
        } else {
            json.put("order_value", orderValue.doubleValue());
        }
    }

    /** The range-capable index types, and the value each holds for one payload element (null: none). */
    private enum Kind {
        INTEGER, FLOAT, DATETIME;

        Number valueOf(JsonNode element) {
            return switch (this) {
                case INTEGER -> element.isIntegralNumber() && element.canConvertToLong() ? element.longValue() : null;
                case FLOAT -> element.isNumber() ? element.doubleValue() : null;
                case DATETIME -> {
                    if (!element.isTextual()) {
                        yield null;
                    }
                    long micros = DateTimeParser.parseMicros(element.textValue());
                    yield micros == DateTimeParser.INVALID ? null : micros;
                }
            };
        }
    }

    /** One (value, point) pair a point contributes: the value is a Long (integer, datetime) or a Double (float). */
    public record OrderedId(Number value, PointId id) {
    }

    /**
     * {@link #scroll(PointReads, ObjectNode, OrderBy, Filter, int, WithPayload, boolean)} of a local collection, read
     * through the range indexes of its segments.
     */
    public static List<OrderedRecord> scroll(Collection collection, OrderBy orderBy, Filter filterOrNull, int limit,
            WithPayload withPayload, boolean withVector) {
        ObjectNode payloadSchema = collection.info().payloadSchema();
        return fromPairs(collection, payloadSchema, orderBy, topPairs(collection, payloadSchema, orderBy,
                filterOrNull, limit), limit, withPayload, withVector);
    }

    /**
     * The first {@code limit} (value, point) pairs of a local collection (plus ties of the last value), unsorted,
     * without reading the points: what one shard replica of a collection spread over a cluster answers.
     */
    public static List<OrderedId> topPairs(Collection collection, OrderBy orderBy, Filter filterOrNull, int limit) {
        return topPairs(collection, collection.info().payloadSchema(), orderBy, filterOrNull, limit);
    }

    private static List<OrderedId> topPairs(Collection collection, ObjectNode payloadSchema, OrderBy orderBy,
            Filter filterOrNull, int limit) {
        String field = indexedField(payloadSchema, orderBy.key());
        List<OrderedId> pairs = new ArrayList<>();
        for (io.quiver.engine.shard.Shard shard : collection.shardList()) {
            List<OrderedId> top = shard.orderedTop(field, orderBy, filterOrNull, limit);
            if (top == null) { // a segment without the index (being created right now): read every candidate
                Selection scanned = scan(collection, payloadSchema, orderBy, filterOrNull, limit);
                scanned.cut();
                return scanned.entries;
            }
            pairs.addAll(top);
        }
        return pairs;
    }

    /**
     * The first {@code limit} of {@code pairs} (from index scans, maybe from several shards) in {@code orderBy}'s
     * order, their points read from {@code reads} as asked; a point deleted meanwhile is dropped. A BadRequest when
     * {@code payloadSchema} has no range index on the key (see {@link #requireRangeIndex}).
     */
    public static List<OrderedRecord> fromPairs(PointReads reads, ObjectNode payloadSchema, OrderBy orderBy,
            java.util.Collection<OrderedId> pairs, int limit, WithPayload withPayload, boolean withVector) {
        Selection selection = new Selection(kindOf(payloadSchema, orderBy.key()), orderBy, limit);
        pairs.forEach(selection::add);
        return selection.read(reads, withPayload, withVector);
    }

    /** A BadRequest ("No range index for `order_by` key…") unless {@code payloadSchema} has one on {@code key}. */
    public static void requireRangeIndex(ObjectNode payloadSchema, String key) {
        kindOf(payloadSchema, key);
    }

    /**
     * The first {@code limit} (value, point) pairs of the points passing {@code filterOrNull}.
     *
     * @param payloadSchema the collection's {@code payload_schema} (field → {@code {"data_type":…,"params":…}})
     */
    public static List<OrderedRecord> scroll(PointReads reads, ObjectNode payloadSchema, OrderBy orderBy,
            Filter filterOrNull, int limit, WithPayload withPayload, boolean withVector) {
        return scan(reads, payloadSchema, orderBy, filterOrNull, limit).read(reads, withPayload, withVector);
    }

    /** The selection of every candidate's pairs, read by scroll pages of the key only. */
    private static Selection scan(PointReads reads, ObjectNode payloadSchema, OrderBy orderBy, Filter filterOrNull,
            int limit) {
        Selection selection = new Selection(kindOf(payloadSchema, orderBy.key()), orderBy, limit);
        WithPayload keyOnly = keyOnly(orderBy.key());
        PointId offset = null;
        do {
            ScrollResult page = reads.scroll(new ScrollRequest(offset, PAGE, filterOrNull, keyOnly, false));
            page.points().forEach(selection::add);
            offset = page.nextPageOffsetOrNull();
        } while (offset != null);
        return selection;
    }

    /**
     * The first {@code limit} (value, point) pairs of the points with these ids (Qdrant's re-scoring of a query's
     * prefetched points by {@code order_by}); ids of points that do not exist are skipped.
     */
    public static List<OrderedRecord> among(PointReads reads, ObjectNode payloadSchema, OrderBy orderBy,
            java.util.Collection<PointId> ids, int limit, WithPayload withPayload, boolean withVector) {
        Kind kind = kindOf(payloadSchema, orderBy.key());
        Selection selection = new Selection(kind, orderBy, limit);
        List<PointId> all = new ArrayList<>(new LinkedHashSet<>(ids));
        WithPayload keyOnly = keyOnly(orderBy.key());
        for (int from = 0; from < all.size(); from += PAGE) {
            reads.retrieve(all.subList(from, Math.min(all.size(), from + PAGE)), keyOnly, false)
                    .forEach(selection::add);
        }
        return selection.read(reads, withPayload, withVector);
    }

    /**
     * The best {@code limit} pairs seen so far: pairs are gathered, and sorted and cut to {@code limit} whenever they
     * reach twice that (at least a page), so memory stays bounded by the limit, not by the number of points.
     */
    private static final class Selection {
        private final Kind kind;
        private final OrderBy orderBy;
        private final JsonPath path;
        private final int limit;
        private final Comparator<OrderedId> order;
        private final List<OrderedId> entries = new ArrayList<>();
        private final Set<Number> pointValues = new java.util.HashSet<>();
        private final List<JsonNode> values = new ArrayList<>();

        Selection(Kind kind, OrderBy orderBy, int limit) {
            this.kind = kind;
            this.orderBy = orderBy;
            this.path = JsonPath.parse(orderBy.key());
            this.limit = limit;
            Comparator<OrderedId> ascending = (a, b) -> {
                int byValue = compare(a.value(), b.value());
                return byValue != 0 ? byValue : a.id().compareTo(b.id());
            };
            this.order = orderBy.descending() ? ascending.reversed() : ascending;
        }

        void add(Record r) {
            if (r.payloadOrNull() == null) {
                return;
            }
            values.clear();
            pointValues.clear();
            path.collect(r.payloadOrNull(), values);
            for (JsonNode v : values) {
                if (v.isArray()) {
                    v.forEach(element -> add(r.id(), element));
                } else {
                    add(r.id(), v);
                }
            }
            if (entries.size() >= Math.max(PAGE, 2L * limit)) {
                cut();
            }
        }

        private void add(PointId id, JsonNode element) {
            Number value = kind.valueOf(element);
            if (value == null) {
                return;
            }
            Double start = orderBy.startFromOrNull();
            if (start != null) {
                int vsStart = compare(value, start);
                if (orderBy.descending() ? vsStart > 0 : vsStart < 0) {
                    return;
                }
            }
            if (pointValues.add(value)) { // a value the point holds twice counts once
                entries.add(new OrderedId(value, id));
            }
        }

        /** A pair an index scan found (already of the index's type and within {@code start_from}). */
        void add(OrderedId pair) {
            entries.add(pair);
            if (entries.size() >= Math.max(PAGE, 2L * limit)) {
                cut();
            }
        }

        private void cut() {
            entries.sort(order);
            if (entries.size() > limit) {
                entries.subList(limit, entries.size()).clear();
            }
        }

        /** The selected pairs with their points read as asked; a point deleted meanwhile is dropped. */
        List<OrderedRecord> read(PointReads reads, WithPayload withPayload, boolean withVector) {
            cut();
            Set<PointId> ids = new LinkedHashSet<>();
            entries.forEach(e -> ids.add(e.id()));
            Map<PointId, Record> records = new HashMap<>();
            reads.retrieve(new ArrayList<>(ids), withPayload, withVector).forEach(r -> records.put(r.id(), r));
            List<OrderedRecord> out = new ArrayList<>(entries.size());
            for (OrderedId e : entries) {
                Record r = records.get(e.id());
                if (r != null) {
                    out.add(new OrderedRecord(r, e.value()));
                }
            }
            return out;
        }
    }

    /** Integers compare as integers; anything else (a float, or a start_from) as doubles. */
    private static int compare(Number a, Number b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return Double.compare(a.doubleValue(), b.doubleValue());
    }

    /** Only the key (the array itself for {@code a[]}), as the facet reads it. */
    private static WithPayload keyOnly(String key) {
        return WithPayload.include(List.of(key.endsWith("[]") ? key.substring(0, key.length() - 2) : key));
    }

    /** The {@code payload_schema} field of the range-capable index on {@code key}; a BadRequest when there is none. */
    private static String indexedField(ObjectNode payloadSchema, String key) {
        kindOf(payloadSchema, key);
        JsonPath path = JsonPath.parse(key);
        for (Map.Entry<String, JsonNode> e : payloadSchema.properties()) {
            if (PayloadFacet.sameKey(e.getKey(), path) && kindOf(e.getValue()) != null) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("kindOf found an index on " + key);
    }

    /** The kind of the range-capable index on {@code key}; a BadRequest when there is none. */
    private static Kind kindOf(ObjectNode payloadSchema, String key) {
        JsonPath path = JsonPath.parse(key);
        if (payloadSchema != null) {
            for (Map.Entry<String, JsonNode> e : payloadSchema.properties()) {
                if (!PayloadFacet.sameKey(e.getKey(), path)) {
                    continue;
                }
                Kind kind = kindOf(e.getValue());
                if (kind != null) {
                    return kind;
                }
            }
        }
        throw new BadRequestException("No range index for `order_by` key: `" + key
                + "`. Please create one to use `order_by`. Integer, float and datetime payload indexes support it.");
    }

    /** The kind of a {@code payload_schema} entry when it is a range-capable index, else null. */
    private static Kind kindOf(JsonNode info) {
        return switch (info.path("data_type").asText("")) {
            case "integer" -> info.path("params").path("range").asBoolean(true) ? Kind.INTEGER : null;
            case "float" -> Kind.FLOAT;
            case "datetime" -> Kind.DATETIME;
            default -> null;
        };
    }
}
