package io.quiver.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.FieldCondition.GeoPoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a point (id + payload) matches a {@link Filter}, with Qdrant's semantics (see the package
 * documentation). The only configuration is which fields carry a full-text index, because such an index changes
 * what {@code match.text} means (tokens instead of substring), exactly as in Qdrant; every other index only changes
 * speed. Immutable and threadsafe; evaluation allocates nothing except for text matching.
 */
public final class FilterEvaluator {

    /** Evaluator for a segment without full-text indexes. */
    public static final FilterEvaluator PLAIN = new FilterEvaluator(Map.of());

    private static final double EARTH_RADIUS_METERS = 6_371_008.8;

    private static final JsonPath.ValueTest<Void> NOT_EMPTY = (v, a) -> !v.isNull() && !(v.isArray() && v.isEmpty());
    private static final JsonPath.ValueTest<Void> IS_NULL = (v, a) -> v.isNull();

    private final Map<String, TextAnalyzer> textIndexed;
    private final JsonPath.ValueTest<FieldCondition> fieldTest = (v, c) -> checkValue(c, v, false);
    private final JsonPath.ValueTest<FieldCondition> fieldTestWithoutMatch = (v, c) -> checkValue(c, v, true);
    /** Inside {@code nested}, an array element is no point: it has no id and no vector. */
    private final JsonPath.ValueTest<Filter> nestedTest = (v, f) -> v.isObject() && matchesFilter(f, null, v, false);

    /**
     * @param textIndexedFields full key path text ({@link JsonPath#toString()}) → analyzer, for every field with a
     *     full-text index
     */
    public FilterEvaluator(Map<String, TextAnalyzer> textIndexedFields) {
        this.textIndexed = Map.copyOf(textIndexedFields);
    }

    /** Whether the point matches {@code filter}; a null filter matches everything. */
    public boolean matches(Filter filter, PointId id, JsonNode payload) {
        return filter == null || matchesFilter(filter, id, payload, id != null);
    }

    /** Whether the point (taken to have its vector) satisfies one condition. */
    public boolean matches(Condition condition, PointId id, JsonNode payload) {
        return check(condition, id, payload, id != null);
    }

    /**
     * Whether the point satisfies one condition, {@code hasVector} telling whether it has its vector (used by the
     * index planner for residual checks).
     */
    public boolean matches(Condition condition, PointId id, JsonNode payload, boolean hasVector) {
        return check(condition, id, payload, hasVector);
    }

    private boolean matchesFilter(Filter f, PointId id, JsonNode payload, boolean hasVector) {
        List<Condition> must = f.must();
        if (must != null) {
            for (int i = 0, n = must.size(); i < n; i++) {
                if (!check(must.get(i), id, payload, hasVector)) {
                    return false;
                }
            }
        }
        List<Condition> mustNot = f.mustNot();
        if (mustNot != null) {
            for (int i = 0, n = mustNot.size(); i < n; i++) {
                if (check(mustNot.get(i), id, payload, hasVector)) {
                    return false;
                }
            }
        }
        List<Condition> should = f.should();
        if (should != null) {
            boolean any = false;
            for (int i = 0, n = should.size(); i < n && !any; i++) {
                any = check(should.get(i), id, payload, hasVector);
            }
            if (!any) {
                return false;
            }
        }
        Filter.MinShould minShould = f.minShould();
        if (minShould != null) {
            int need = minShould.minCount();
            List<Condition> cs = minShould.conditions();
            for (int i = 0, n = cs.size(); i < n && need > 0; i++) {
                if (check(cs.get(i), id, payload, hasVector)) {
                    need--;
                }
            }
            return need <= 0;
        }
        return true;
    }

    private boolean check(Condition c, PointId id, JsonNode payload, boolean hasVector) {
        return switch (c) {
            case FieldCondition fc -> checkField(fc, payload);
            case Filter f -> matchesFilter(f, id, payload, hasVector);
            case Condition.IsEmpty e -> e.key().anyValue(payload, NOT_EMPTY, null) != JsonPath.MATCH;
            case Condition.IsNull n -> n.key().anyValue(payload, IS_NULL, null) == JsonPath.MATCH;
            case Condition.HasId h -> id != null && h.ids().contains(id);
            case Condition.HasVector v -> hasVector && v.vectorName().isEmpty();
            case Condition.Nested n -> n.arrayKey().anyValue(payload, nestedTest, n.filter()) == JsonPath.MATCH;
        };
    }

    private boolean checkField(FieldCondition c, JsonNode payload) {
        if (c.match() instanceof Match.Text text && !textIndexed.isEmpty() && c.valuesCount() == null
                && c.isEmpty() == null && c.isNull() == null) {
            TextAnalyzer analyzer = textIndexed.get(c.fullKey().toString());
            if (analyzer != null) {
                if (tokenMatch(c.key(), text, analyzer, payload)) {
                    return true;
                }
                int r = c.key().anyValue(payload, fieldTestWithoutMatch, c);
                return r == JsonPath.NO_VALUES ? checkEmpty(c) : r == JsonPath.MATCH;
            }
        }
        int r = c.key().anyValue(payload, fieldTest, c);
        return r == JsonPath.NO_VALUES ? checkEmpty(c) : r == JsonPath.MATCH;
    }

    /** Qdrant's FieldCondition::check_empty: the result when the key reaches no value at all. */
    private static boolean checkEmpty(FieldCondition c) {
        if (c.isEmpty() != null) {
            return c.isEmpty();
        }
        if (c.isNull() != null) {
            return !c.isNull();
        }
        return false;
    }

    /** Qdrant's FieldCondition::check for one reached value. */
    private boolean checkValue(FieldCondition c, JsonNode v, boolean skipMatch) {
        if (c.valuesCount() != null) {
            return c.valuesCount().test(countOf(v));
        }
        if (c.isEmpty() != null) {
            return checkIsEmpty(c.isEmpty(), v);
        }
        if (c.isNull() != null) {
            return checkIsNull(c.isNull(), v);
        }
        if (v.isArray()) {
            for (int i = 0, n = v.size(); i < n; i++) {
                if (checkElement(c, v.get(i), skipMatch)) {
                    return true;
                }
            }
            return false;
        }
        return checkElement(c, v, skipMatch);
    }

    /** Qdrant's FieldCondition::check_match on one element: the parts are ORed. */
    private boolean checkElement(FieldCondition c, JsonNode v, boolean skipMatch) {
        if (!skipMatch && c.match() != null && checkMatch(c.match(), v)) {
            return true;
        }
        if (c.range() != null && v.isNumber() && c.range().test(v.doubleValue())) {
            return true;
        }
        if (c.datetimeRange() != null && v.isTextual()) {
            long micros = DateTimeParser.parseMicros(v.textValue());
            if (micros != DateTimeParser.INVALID && c.datetimeRange().test(micros)) {
                return true;
            }
        }
        if (c.hasGeo()) {
            if (checkGeo(c, v)) {
                return true;
            }
        }
        if (c.valuesCount() != null && c.valuesCount().test(countOf(v))) {
            return true;
        }
        if (c.isEmpty() != null && checkIsEmpty(c.isEmpty(), v)) {
            return true;
        }
        return c.isNull() != null && checkIsNull(c.isNull(), v);
    }

    /**
     * The {@code match} semantics on one element (an array element or a non-array value), exactly Qdrant's
     * {@code Match::check_match} without a full-text index. Public for the payload indexes, which answer conditions
     * by applying it to their distinct keys.
     */
    public static boolean checkMatch(Match m, JsonNode v) {
        return switch (m) {
            case Match.Value mv -> switch (mv.value()) {
                case String s -> v.isTextual() && v.textValue().equals(s);
                case Boolean b -> v.isBoolean() && v.booleanValue() == b;
                case Long l -> isInt64(v) && v.longValue() == l;
                default -> false;
            };
            case Match.Text t -> v.isTextual() && (t.kind() == Match.TextKind.TEXT_ANY
                    ? containsAnyWord(v.textValue(), t.text()) : v.textValue().contains(t.text()));
            case Match.Any a -> v.isTextual() ? a.values().containsString(v.textValue())
                    : isInt64(v) && a.values().containsInteger(v.longValue());
            case Match.Except e -> {
                if (v.isTextual()) {
                    yield e.values().isIntegers() || !e.values().containsString(v.textValue());
                }
                if (v.isNumber()) {
                    yield !e.values().isIntegers() || !isInt64(v) || !e.values().containsInteger(v.longValue());
                }
                yield !v.isNull();
            }
        };
    }

    /** True for a JSON integer that fits a signed 64-bit long (Qdrant's {@code as_i64}). */
    public static boolean isInt64(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToLong();
    }

    private static boolean containsAnyWord(String stored, String query) {
        int n = query.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(query.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(query.charAt(i))) {
                i++;
            }
            if (i > start && stored.contains(query.substring(start, i))) {
                return true;
            }
        }
        return false;
    }

    private static long countOf(JsonNode v) {
        return v.isNull() ? 0 : v.isArray() ? v.size() : 1;
    }

    private static boolean checkIsEmpty(boolean isEmpty, JsonNode v) {
        if (v.isNull()) {
            return isEmpty;
        }
        if (v.isArray()) {
            return v.isEmpty() == isEmpty;
        }
        return !isEmpty;
    }

    private static boolean checkIsNull(boolean isNull, JsonNode v) {
        if (v.isNull()) {
            return isNull;
        }
        if (v.isArray()) {
            boolean anyNull = false;
            for (int i = 0, n = v.size(); i < n && !anyNull; i++) {
                anyNull = v.get(i).isNull();
            }
            return anyNull == isNull;
        }
        return !isNull;
    }

    /** Full-text-index semantics: tokens of all string values (and string array elements) at the key. */
    private static boolean tokenMatch(JsonPath key, Match.Text text, TextAnalyzer analyzer, JsonNode payload) {
        // Qdrant parses a phrase as a stored text (prefix tokenizer: every prefix), other queries as queries
        List<String> query = text.kind() == Match.TextKind.PHRASE ? analyzer.tokenizeDoc(text.text())
                : analyzer.tokenizeQuery(text.text());
        if (query.isEmpty()) {
            return false;
        }
        List<JsonNode> values = new ArrayList<>();
        key.collect(payload, values);
        List<String> strings = new ArrayList<>();
        for (JsonNode v : values) {
            if (v.isTextual()) {
                strings.add(v.textValue());
            } else if (v.isArray()) {
                for (JsonNode e : v) {
                    if (e.isTextual()) {
                        strings.add(e.textValue());
                    }
                }
            }
        }
        if (text.kind() == Match.TextKind.PHRASE) {
            for (String s : strings) {
                if (TokenRuns.containsRun(analyzer.tokenizeDoc(s), query)) {
                    return true;
                }
            }
            return false;
        }
        Set<String> tokens = new HashSet<>();
        for (String s : strings) {
            tokens.addAll(analyzer.tokenizeDoc(s));
        }
        if (text.kind() == Match.TextKind.TEXT_ANY) {
            for (String q : query) {
                if (tokens.contains(q)) {
                    return true;
                }
            }
            return false;
        }
        return tokens.containsAll(query);
    }

    /** Token-run search for phrase matching. */
    static final class TokenRuns {
        private TokenRuns() {}

        static boolean containsRun(List<String> tokens, List<String> run) {
            outer:
            for (int i = 0; i + run.size() <= tokens.size(); i++) {
                for (int j = 0; j < run.size(); j++) {
                    if (!tokens.get(i + j).equals(run.get(j))) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /** The geo parts of {@code c} on one element (a {@code {"lon":..,"lat":..}} object); public for the geo index. */
    public static boolean checkGeo(FieldCondition c, JsonNode v) {
        if (!v.isObject()) {
            return false;
        }
        JsonNode lonNode = v.get("lon");
        JsonNode latNode = v.get("lat");
        if (lonNode == null || latNode == null || !lonNode.isNumber() || !latNode.isNumber()) {
            return false;
        }
        double lon = lonNode.doubleValue();
        double lat = latNode.doubleValue();
        if (c.geoBoundingBox() != null) {
            GeoPoint tl = c.geoBoundingBox().topLeft();
            GeoPoint br = c.geoBoundingBox().bottomRight();
            boolean lonOk = tl.lon() > br.lon() ? (lon > tl.lon() || lon < br.lon())
                    : (tl.lon() < lon && lon < br.lon());
            if (lonOk && br.lat() < lat && lat < tl.lat()) {
                return true;
            }
        }
        if (c.geoRadius() != null && haversine(c.geoRadius().center(), lon, lat) < c.geoRadius().radiusMeters()) {
            return true;
        }
        if (c.geoPolygon() != null && insideRing(c.geoPolygon().exterior(), lon, lat)) {
            for (List<GeoPoint> hole : c.geoPolygon().interiors()) {
                if (insideRing(hole, lon, lat)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static double haversine(GeoPoint a, double lon, double lat) {
        double dLat = Math.toRadians(lat - a.lat());
        double dLon = Math.toRadians(lon - a.lon());
        double h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(a.lat()))
                * Math.cos(Math.toRadians(lat)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    /** Even-odd ray casting; points exactly on an edge may fall either way. */
    private static boolean insideRing(List<GeoPoint> ring, double lon, double lat) {
        boolean inside = false;
        for (int i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
            GeoPoint a = ring.get(i);
            GeoPoint b = ring.get(j);
            if ((a.lat() > lat) != (b.lat() > lat)
                    && lon < (b.lon() - a.lon()) * (lat - a.lat()) / (b.lat() - a.lat()) + a.lon()) {
                inside = !inside;
            }
        }
        return inside;
    }
}
