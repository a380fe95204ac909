package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.JsonPath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Qdrant's facet ({@code POST /collections/{c}/facet}): for one payload key, how many points (of those passing an
 * optional filter) hold each value; the {@code limit} most frequent values, equal counts by value ascending (Qdrant's
 * {@code FacetHit} order). The key needs a payload index that lists values, as Qdrant's map and bool indexes do:
 * {@code keyword}, {@code integer} (unless made with {@code lookup: false}), {@code uuid} or {@code bool}; otherwise a
 * BadRequest ("No appropriate index for faceting"), except on a collection without points, where Qdrant's empty
 * segments answer no hits before they look for an index. Only values of the index's type count (strings, 64-bit
 * integers, UUIDs written back in their canonical lower-case form, booleans), arrays split one level, and a point
 * counts once per distinct value. Counts are always exact ({@code exact: false} only allows Qdrant to approximate).
 * This version reads the matching points through scroll pages holding only the key, so its cost grows with the number
 * of matching points. Stateless; threadsafe as the pages it reads are.
 */
public final class PayloadFacet {
    private static final int PAGE = 1024;

    private PayloadFacet() {
    }

    /** The index types a facet can read values from, and how each reads and orders them. */
    public enum Kind {
        KEYWORD, INTEGER, UUID, BOOL;

        /** The value this index type would hold for one payload element, or null when it holds none. */
        JsonNode valueOf(JsonNode element) {
            return switch (this) {
                case KEYWORD -> element.isTextual() ? TextNode.valueOf(element.textValue()) : null;
                case INTEGER -> element.isIntegralNumber() && element.canConvertToLong()
                        ? LongNode.valueOf(element.longValue()) : null;
                case UUID -> element.isTextual() ? canonicalUuid(element.textValue()) : null;
                case BOOL -> element.isBoolean() ? BooleanNode.valueOf(element.booleanValue()) : null;
            };
        }

        /**
         * Ascending value order: strings by code point (Rust's byte order of UTF-8), integers numerically, UUIDs as
         * 128-bit numbers (their canonical hex text, which sorts the same), false before true.
         */
        Comparator<JsonNode> order() {
            return switch (this) {
                case KEYWORD, UUID -> (a, b) -> Utf8Order.compare(a.textValue(), b.textValue());
                case INTEGER -> Comparator.comparingLong(JsonNode::longValue);
                case BOOL -> (a, b) -> Boolean.compare(a.booleanValue(), b.booleanValue());
            };
        }
    }

    /** One read of the matching points, as a scroll from {@code offsetOrNull}. */
    @FunctionalInterface
    public interface Pages {
        ScrollResult page(PointId offsetOrNull, int limit, Filter filterOrNull, WithPayload withPayload);
    }

    /** One value and the number of points holding it. */
    public record Hit(JsonNode value, long count) {
        /** Qdrant's FacetValueHit JSON: {@code {"value":v,"count":n}}. */
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.set("value", value);
            n.put("count", count);
            return n;
        }
    }

    /**
     * The facet of {@code key} over the points passing {@code filterOrNull}, read through {@code pages}.
     *
     * @param payloadSchema the collection's {@code payload_schema} (field → {@code {"data_type":…,"params":…}})
     * @param pointsCount how many points the collection holds (asked only when the key has no suitable index)
     */
    public static List<Hit> facet(ObjectNode payloadSchema, LongSupplier pointsCount, String key,
            Filter filterOrNull, int limit, Pages pages) {
        JsonPath path = JsonPath.parse(key);
        Kind kind = kindOf(payloadSchema, path);
        if (kind == null) {
            if (pointsCount.getAsLong() == 0) {
                return List.of();
            }
            throw new BadRequestException("No appropriate index for faceting: `" + key + "`. Please create one to "
                    + "facet on this field. Keyword, integer, uuid and bool payload indexes support it.");
        }
        if (limit <= 0) {
            return List.of();
        }
        Map<JsonNode, long[]> counts = new HashMap<>();
        WithPayload keyOnly = WithPayload.include(List.of(key.endsWith("[]") ? key.substring(0, key.length() - 2)
                : key));
        List<JsonNode> values = new ArrayList<>();
        Set<JsonNode> distinct = new HashSet<>();
        PointId offset = null;
        do {
            ScrollResult page = pages.page(offset, PAGE, filterOrNull, keyOnly);
            for (Record r : page.points()) {
                values.clear();
                distinct.clear();
                if (r.payloadOrNull() != null) {
                    path.collect(r.payloadOrNull(), values);
                }
                for (JsonNode v : values) {
                    if (v.isArray()) {
                        v.forEach(element -> addValue(kind, element, distinct));
                    } else {
                        addValue(kind, v, distinct);
                    }
                }
                distinct.forEach(value -> counts.computeIfAbsent(value, x -> new long[1])[0]++);
            }
            offset = page.nextPageOffsetOrNull();
        } while (offset != null);
        List<Hit> hits = new ArrayList<>(counts.size());
        counts.forEach((value, n) -> hits.add(new Hit(value, n[0])));
        Comparator<JsonNode> byValue = kind.order();
        hits.sort(Comparator.comparingLong(Hit::count).reversed().thenComparing(Hit::value, byValue));
        return List.copyOf(hits.subList(0, Math.min(limit, hits.size())));
    }

    private static void addValue(Kind kind, JsonNode element, Set<JsonNode> distinct) {
        JsonNode value = kind.valueOf(element);
        if (value != null) {
            distinct.add(value);
        }
    }

    /** The facet kind of the index on {@code path} in {@code payload_schema}, or null when it cannot facet. */
    static Kind kindOf(ObjectNode payloadSchema, JsonPath path) {
        if (payloadSchema == null) {
            return null;
        }
        for (Map.Entry<String, JsonNode> e : payloadSchema.properties()) {
            if (!sameKey(e.getKey(), path)) {
                continue;
            }
            JsonNode info = e.getValue();
            return switch (info.path("data_type").asText("")) {
                case "keyword" -> Kind.KEYWORD;
                case "integer" -> info.path("params").path("lookup").asBoolean(true) ? Kind.INTEGER : null;
                case "uuid" -> Kind.UUID;
                case "bool" -> Kind.BOOL;
                default -> null;
            };
        }
        return null;
    }

    /** Whether a {@code payload_schema} field names the same key path as {@code path} (however it is written). */
    static boolean sameKey(String field, JsonPath path) {
        try {
            return JsonPath.parse(field).equals(path);
        } catch (BadRequestException e) {
            return false;
        }
    }

    /**
     * A UUID in the forms Rust's {@code Uuid::parse_str} reads (hyphenated, 32 hex digits, braced, {@code urn:uuid:};
     * any case), as its canonical hyphenated lower-case text; null when the string is not one.
     */
    static TextNode canonicalUuid(String s) {
        String t = s;
        if (t.length() == 45 && t.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
            t = t.substring(9);
        } else if (t.length() == 38 && t.charAt(0) == '{' && t.charAt(37) == '}') {
            t = t.substring(1, 37);
        }
        String hex;
        if (t.length() == 36) {
            if (t.charAt(8) != '-' || t.charAt(13) != '-' || t.charAt(18) != '-' || t.charAt(23) != '-') {
                return null;
            }
            hex = t.substring(0, 8) + t.substring(9, 13) + t.substring(14, 18) + t.substring(19, 23)
                    + t.substring(24);
        } else if (t.length() == 32) {
            hex = t;
        } else {
            return null;
        }
        for (int i = 0; i < 32; i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return null;
            }
        }
        String h = hex.toLowerCase(Locale.ROOT);
        return TextNode.valueOf(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                + h.substring(16, 20) + "-" + h.substring(20));
    }
}
