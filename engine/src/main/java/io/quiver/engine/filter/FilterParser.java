package io.quiver.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.ValidationException;
import io.quiver.engine.filter.FieldCondition.DatetimeRange;
import io.quiver.engine.filter.FieldCondition.GeoBoundingBox;
import io.quiver.engine.filter.FieldCondition.GeoPoint;
import io.quiver.engine.filter.FieldCondition.GeoPolygon;
import io.quiver.engine.filter.FieldCondition.GeoRadius;
import io.quiver.engine.filter.FieldCondition.NumberRange;
import io.quiver.engine.filter.FieldCondition.ValuesCount;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Qdrant's filter JSON into a {@link Filter}. Unknown keys, wrong JSON types and malformed shapes are rejected
 * with a {@link BadRequestException} naming the location ({@code filter.must[1].match.any[2]: ...}); a field
 * condition with no condition part is a {@link ValidationException} (Qdrant answers 422 for it). Stateless,
 * threadsafe.
 */
public final class FilterParser {

    private static final Set<String> FILTER_KEYS = Set.of("must", "should", "must_not", "min_should");
    private static final Set<String> FIELD_KEYS = Set.of("key", "match", "range", "values_count", "geo_bounding_box",
            "geo_radius", "geo_polygon", "is_empty", "is_null");
    private static final Set<String> BOUND_KEYS = Set.of("gt", "gte", "lt", "lte");
    private static final Set<String> MATCH_KEYS = Set.of("value", "text", "text_any", "phrase", "any", "except");

    private FilterParser() {}

    /** Parses a filter object; BadRequest if {@code node} is not an object or anything inside is malformed. */
    public static Filter parse(JsonNode node) {
        return parseFilter(node, "filter", null);
    }

    /** Like {@link #parse} but returns null for a missing or JSON-null node (an absent {@code filter}). */
    public static Filter parseOrNull(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return parse(node);
    }

    private static Filter parseFilter(JsonNode node, String where, JsonPath prefix) {
        if (node == null || !node.isObject()) {
            throw bad(where, "expected a filter object with must / should / must_not / min_should, got "
                    + describe(node));
        }
        rejectUnknown(node, FILTER_KEYS, where, "filter");
        List<Condition> must = parseClause(node.get("must"), where + ".must", prefix);
        List<Condition> should = parseClause(node.get("should"), where + ".should", prefix);
        List<Condition> mustNot = parseClause(node.get("must_not"), where + ".must_not", prefix);
        Filter.MinShould minShould = parseMinShould(node.get("min_should"), where + ".min_should", prefix);
        return new Filter(must, should, mustNot, minShould, ((ObjectNode) node).deepCopy());
    }

    private static List<Condition> parseClause(JsonNode node, String where, JsonPath prefix) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<Condition> out = new ArrayList<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(parseCondition(node.get(i), where + "[" + i + "]", prefix));
            }
        } else if (node.isObject()) {
            out.add(parseCondition(node, where, prefix));
        } else {
            throw bad(where, "expected a condition object or an array of conditions, got " + describe(node));
        }
        return out;
    }

    private static Filter.MinShould parseMinShould(JsonNode node, String where, JsonPath prefix) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected an object {\"conditions\": [...], \"min_count\": N}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("conditions", "min_count"), where, "min_should");
        JsonNode conditions = node.get("conditions");
        if (conditions == null || !conditions.isArray()) {
            throw bad(where + ".conditions", "expected an array of conditions, got " + describe(conditions));
        }
        List<Condition> list = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            list.add(parseCondition(conditions.get(i), where + ".conditions[" + i + "]", prefix));
        }
        JsonNode count = node.get("min_count");
        if (count == null || count.isNull()) {
            throw bad(where + ".min_count", "missing field `min_count`");
        }
        long minCount = nonNegativeInt(count, where + ".min_count");
        return new Filter.MinShould(list, (int) Math.min(Integer.MAX_VALUE, minCount));
    }

    private static Condition parseCondition(JsonNode node, String where, JsonPath prefix) {
        if (node == null || !node.isObject()) {
            throw bad(where, "expected a condition object, got " + describe(node));
        }
        if (node.has("key")) {
            return parseFieldCondition(node, where, prefix);
        }
        if (node.has("is_empty")) {
            rejectUnknown(node, Set.of("is_empty"), where, "is_empty condition");
            return new Condition.IsEmpty(parsePayloadField(node.get("is_empty"), where + ".is_empty"));
        }
        if (node.has("is_null")) {
            rejectUnknown(node, Set.of("is_null"), where, "is_null condition");
            return new Condition.IsNull(parsePayloadField(node.get("is_null"), where + ".is_null"));
        }
        if (node.has("has_id")) {
            rejectUnknown(node, Set.of("has_id"), where, "has_id condition");
            JsonNode ids = node.get("has_id");
            if (!ids.isArray()) {
                throw bad(where + ".has_id", "expected an array of point ids, got " + describe(ids));
            }
            Set<PointId> set = new LinkedHashSet<>();
            for (int i = 0; i < ids.size(); i++) {
                try {
                    set.add(PointId.parse(ids.get(i)));
                } catch (BadRequestException e) {
                    throw bad(where + ".has_id[" + i + "]", reason(e));
                }
            }
            return new Condition.HasId(set);
        }
        if (node.has("has_vector")) {
            rejectUnknown(node, Set.of("has_vector"), where, "has_vector condition");
            JsonNode name = node.get("has_vector");
            if (!name.isTextual()) {
                throw bad(where + ".has_vector", "expected a vector name string, got " + describe(name));
            }
            return new Condition.HasVector(name.textValue());
        }
        if (node.has("nested")) {
            rejectUnknown(node, Set.of("nested"), where, "nested condition");
            JsonNode nested = node.get("nested");
            String at = where + ".nested";
            if (!nested.isObject()) {
                throw bad(at, "expected {\"key\": ..., \"filter\": {...}}, got " + describe(nested));
            }
            rejectUnknown(nested, Set.of("key", "filter"), at, "nested");
            JsonPath key = parseKey(nested.get("key"), at + ".key");
            JsonPath arrayKey = key.arrayKey();
            JsonPath innerPrefix = prefix == null ? arrayKey : prefix.extend(arrayKey);
            JsonNode filter = nested.get("filter");
            if (filter == null || filter.isNull()) {
                throw bad(at + ".filter", "missing field `filter`");
            }
            return new Condition.Nested(key, arrayKey, parseFilter(filter, at + ".filter", innerPrefix));
        }
        boolean filterLike = true;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            if (!FILTER_KEYS.contains(it.next())) {
                filterLike = false;
                break;
            }
        }
        if (filterLike) {
            return parseFilter(node, where, prefix);
        }
        throw bad(where, "unknown condition " + fieldNames(node) + "; expected a field condition {\"key\": ..., "
                + "\"match\"|\"range\"|...}, is_empty, is_null, has_id, has_vector, nested or a nested filter");
    }

    private static JsonPath parsePayloadField(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw bad(where, "expected {\"key\": \"<path>\"}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("key"), where, "payload field");
        return parseKey(node.get("key"), where + ".key");
    }

    private static JsonPath parseKey(JsonNode node, String where) {
        if (node == null || !node.isTextual()) {
            throw bad(where, "expected a payload key string, got " + describe(node));
        }
        try {
            return JsonPath.parse(node.textValue());
        } catch (BadRequestException e) {
            throw bad(where, reason(e));
        }
    }

    private static FieldCondition parseFieldCondition(JsonNode node, String where, JsonPath prefix) {
        rejectUnknown(node, FIELD_KEYS, where, "field condition");
        JsonPath key = parseKey(node.get("key"), where + ".key");
        JsonPath fullKey = prefix == null ? key : prefix.extend(key);
        Match match = parseMatch(present(node, "match"), where + ".match");
        NumberRange range = null;
        DatetimeRange datetimeRange = null;
        JsonNode rangeNode = present(node, "range");
        if (rangeNode != null) {
            Object r = parseRange(rangeNode, where + ".range");
            if (r instanceof NumberRange nr) {
                range = nr;
            } else {
                datetimeRange = (DatetimeRange) r;
            }
        }
        ValuesCount valuesCount = parseValuesCount(present(node, "values_count"), where + ".values_count");
        GeoBoundingBox box = parseBox(present(node, "geo_bounding_box"), where + ".geo_bounding_box");
        GeoRadius radius = parseRadius(present(node, "geo_radius"), where + ".geo_radius");
        GeoPolygon polygon = parsePolygon(present(node, "geo_polygon"), where + ".geo_polygon");
        Boolean isEmpty = optionalBoolean(present(node, "is_empty"), where + ".is_empty");
        Boolean isNull = optionalBoolean(present(node, "is_null"), where + ".is_null");
        if (match == null && range == null && datetimeRange == null && valuesCount == null && box == null
                && radius == null && polygon == null && isEmpty == null && isNull == null) {
            throw new ValidationException(List.of(where + ": At least one field condition must be specified"));
        }
        return new FieldCondition(key, fullKey, match, range, datetimeRange, valuesCount, box, radius, polygon,
                isEmpty, isNull);
    }

    private static JsonNode present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static Match parseMatch(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected an object with one of value / text / text_any / phrase / any / except, got "
                    + describe(node));
        }
        rejectUnknown(node, MATCH_KEYS, where, "match");
        if (node.size() != 1) {
            throw bad(where, "expected exactly one of value / text / text_any / phrase / any / except, got "
                    + fieldNames(node));
        }
        Map.Entry<String, JsonNode> e = node.properties().iterator().next();
        String at = where + "." + e.getKey();
        JsonNode v = e.getValue();
        return switch (e.getKey()) {
            case "value" -> {
                if (v.isTextual()) {
                    yield new Match.Value(v.textValue());
                }
                if (v.isBoolean()) {
                    yield new Match.Value(v.booleanValue());
                }
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    yield new Match.Value(v.longValue());
                }
                throw bad(at, "expected a string, a 64-bit integer or a boolean, got " + describe(v));
            }
            case "text" -> new Match.Text(text(v, at), Match.TextKind.TEXT);
            case "text_any" -> new Match.Text(text(v, at), Match.TextKind.TEXT_ANY);
            case "phrase" -> new Match.Text(text(v, at), Match.TextKind.PHRASE);
            case "any" -> new Match.Any(parseValues(v, at));
            default -> new Match.Except(parseValues(v, at));
        };
    }

    private static String text(JsonNode v, String where) {
        if (!v.isTextual()) {
            throw bad(where, "expected a string, got " + describe(v));
        }
        return v.textValue();
    }

    private static Match.Values parseValues(JsonNode v, String where) {
        if (!v.isArray()) {
            throw bad(where, "expected an array of strings or of integers, got " + describe(v));
        }
        if (v.isEmpty()) {
            return Match.Values.ofStrings(Set.of());
        }
        if (v.get(0).isTextual()) {
            Set<String> strings = new LinkedHashSet<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw bad(where + "[" + i + "]", "all values must be strings (or all integers), got "
                            + describe(v.get(i)));
                }
                strings.add(v.get(i).textValue());
            }
            return Match.Values.ofStrings(strings);
        }
        long[] ints = new long[v.size()];
        for (int i = 0; i < v.size(); i++) {
            JsonNode x = v.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong()) {
                throw bad(where + "[" + i + "]", "all values must be 64-bit integers (or all strings), got "
                        + describe(x));
            }
            ints[i] = x.longValue();
        }
        return Match.Values.ofIntegers(ints);
    }

    private static Object parseRange(JsonNode node, String where) {
        if (!node.isObject()) {
            throw bad(where, "expected an object with gt / gte / lt / lte, got " + describe(node));
        }
        rejectUnknown(node, BOUND_KEYS, where, "range");
        boolean datetime = false;
        for (String k : BOUND_KEYS) {
            JsonNode b = node.get(k);
            if (b != null && b.isTextual()) {
                datetime = true;
            }
        }
        if (datetime) {
            return new DatetimeRange(datetimeBound(node, "gt", where), datetimeBound(node, "gte", where),
                    datetimeBound(node, "lt", where), datetimeBound(node, "lte", where));
        }
        return new NumberRange(numberBound(node, "gt", where), numberBound(node, "gte", where),
                numberBound(node, "lt", where), numberBound(node, "lte", where));
    }

    private static Double numberBound(JsonNode range, String k, String where) {
        JsonNode b = range.get(k);
        if (b == null || b.isNull()) {
            return null;
        }
        if (!b.isNumber()) {
            throw bad(where + "." + k, "expected a number or an RFC 3339 datetime string, got " + describe(b));
        }
        return b.doubleValue();
    }

    private static Long datetimeBound(JsonNode range, String k, String where) {
        JsonNode b = range.get(k);
        if (b == null || b.isNull()) {
            return null;
        }
        if (!b.isTextual()) {
            throw bad(where + "." + k, "a datetime range needs RFC 3339 strings for every bound, got " + describe(b));
        }
        long micros = DateTimeParser.parseMicros(b.textValue());
        if (micros == DateTimeParser.INVALID) {
            throw bad(where + "." + k, "'" + b.textValue()
                    + "' does not match accepted datetime format (RFC3339). Example: 2014-01-01T00:00:00Z");
        }
        return micros;
    }

    private static ValuesCount parseValuesCount(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected an object with gt / gte / lt / lte, got " + describe(node));
        }
        rejectUnknown(node, BOUND_KEYS, where, "values_count");
        return new ValuesCount(countBound(node, "lt", where), countBound(node, "gt", where),
                countBound(node, "gte", where), countBound(node, "lte", where));
    }

    private static Long countBound(JsonNode node, String k, String where) {
        JsonNode b = node.get(k);
        if (b == null || b.isNull()) {
            return null;
        }
        return nonNegativeInt(b, where + "." + k);
    }

    private static long nonNegativeInt(JsonNode b, String where) {
        if (!b.isIntegralNumber() || !b.canConvertToLong() || b.longValue() < 0) {
            throw bad(where, "expected a non-negative integer, got " + describe(b));
        }
        return b.longValue();
    }

    private static Boolean optionalBoolean(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw bad(where, "expected a boolean, got " + describe(node));
        }
        return node.booleanValue();
    }

    private static GeoPoint parseGeoPoint(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw bad(where, "expected {\"lon\": ..., \"lat\": ...}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("lon", "lat"), where, "geo point");
        JsonNode lon = node.get("lon");
        JsonNode lat = node.get("lat");
        if (lon == null || !lon.isNumber() || lat == null || !lat.isNumber()) {
            throw bad(where, "lon and lat must be numbers");
        }
        double x = lon.doubleValue();
        double y = lat.doubleValue();
        if (x < -180 || x > 180) {
            throw bad(where + ".lon", "longitude must be within [-180, 180], got " + x);
        }
        if (y < -90 || y > 90) {
            throw bad(where + ".lat", "latitude must be within [-90, 90], got " + y);
        }
        return new GeoPoint(x, y);
    }

    private static GeoBoundingBox parseBox(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected {\"top_left\": ..., \"bottom_right\": ...}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("top_left", "bottom_right"), where, "geo_bounding_box");
        return new GeoBoundingBox(parseGeoPoint(node.get("top_left"), where + ".top_left"),
                parseGeoPoint(node.get("bottom_right"), where + ".bottom_right"));
    }

    private static GeoRadius parseRadius(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected {\"center\": ..., \"radius\": ...}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("center", "radius"), where, "geo_radius");
        JsonNode r = node.get("radius");
        if (r == null || !r.isNumber()) {
            throw bad(where + ".radius", "expected a number of meters, got " + describe(r));
        }
        return new GeoRadius(parseGeoPoint(node.get("center"), where + ".center"), r.doubleValue());
    }

    private static GeoPolygon parsePolygon(JsonNode node, String where) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(where, "expected {\"exterior\": {\"points\": [...]}, \"interiors\": [...]}, got "
                    + describe(node));
        }
        rejectUnknown(node, Set.of("exterior", "interiors"), where, "geo_polygon");
        List<GeoPoint> exterior = parseRing(node.get("exterior"), where + ".exterior");
        List<List<GeoPoint>> interiors = new ArrayList<>();
        JsonNode in = node.get("interiors");
        if (in != null && !in.isNull()) {
            if (!in.isArray()) {
                throw bad(where + ".interiors", "expected an array of rings, got " + describe(in));
            }
            for (int i = 0; i < in.size(); i++) {
                interiors.add(parseRing(in.get(i), where + ".interiors[" + i + "]"));
            }
        }
        return new GeoPolygon(exterior, interiors);
    }

    private static List<GeoPoint> parseRing(JsonNode node, String where) {
        if (node == null || !node.isObject() || !node.has("points") || !node.get("points").isArray()) {
            throw bad(where, "expected {\"points\": [{\"lon\":..,\"lat\":..}, ...]}, got " + describe(node));
        }
        rejectUnknown(node, Set.of("points"), where, "geo line string");
        JsonNode points = node.get("points");
        List<GeoPoint> ring = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            ring.add(parseGeoPoint(points.get(i), where + ".points[" + i + "]"));
        }
        if (ring.size() < 4) {
            throw bad(where, "polygon invalid, the size must be at least 4, got " + ring.size());
        }
        GeoPoint first = ring.getFirst();
        GeoPoint last = ring.getLast();
        if (Math.abs(first.lat() - last.lat()) > Math.ulp(1.0) || Math.abs(first.lon() - last.lon()) > Math.ulp(1.0)) {
            throw bad(where, "polygon invalid, the first and the last points should be the same to form a closed line");
        }
        return ring;
    }

    private static void rejectUnknown(JsonNode node, Set<String> allowed, String where, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw bad(where, "unknown field `" + name + "` in " + what + ", expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String text = node.toString();
        String kind = node.isObject() ? "object" : node.isArray() ? "array" : node.isTextual() ? "string"
                : node.isBoolean() ? "boolean" : node.isNumber() ? "number" : "null";
        return kind + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }

    private static String reason(BadRequestException e) {
        String m = e.getMessage();
        return m.startsWith("Wrong input: ") ? m.substring("Wrong input: ".length()) : m;
    }

    private static BadRequestException bad(String where, String why) {
        return new BadRequestException(where + ": " + why);
    }
}
