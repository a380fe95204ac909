package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A deliberately simple, slow re-statement of Qdrant's filter semantics, written from the documentation and
 * Qdrant's condition checker, working on the raw filter JSON (so it checks the parser too). Tests only.
 */
final class ReferenceFilter {

    private final Set<String> textIndexedKeys;

    ReferenceFilter(Set<String> textIndexedKeys) {
        this.textIndexedKeys = textIndexedKeys;
    }

    boolean matches(JsonNode filter, PointId id, JsonNode payload) {
        return filter(filter, id, payload, "");
    }

    private boolean filter(JsonNode f, PointId id, JsonNode payload, String prefix) {
        List<JsonNode> must = clause(f.get("must"));
        List<JsonNode> should = clause(f.get("should"));
        List<JsonNode> mustNot = clause(f.get("must_not"));
        boolean ok = true;
        if (must != null) {
            for (JsonNode c : must) {
                ok &= condition(c, id, payload, prefix);
            }
        }
        if (should != null) {
            boolean any = false;
            for (JsonNode c : should) {
                any |= condition(c, id, payload, prefix);
            }
            ok &= any;
        }
        if (mustNot != null) {
            for (JsonNode c : mustNot) {
                ok &= !condition(c, id, payload, prefix);
            }
        }
        JsonNode ms = f.get("min_should");
        if (ms != null && !ms.isNull()) {
            int count = 0;
            for (JsonNode c : ms.get("conditions")) {
                if (condition(c, id, payload, prefix)) {
                    count++;
                }
            }
            ok &= count >= ms.get("min_count").asInt();
        }
        return ok;
    }

    private static List<JsonNode> clause(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else {
            out.add(node);
        }
        return out;
    }

    private boolean condition(JsonNode c, PointId id, JsonNode payload, String prefix) {
        if (c.has("key")) {
            return field(c, payload, prefix);
        }
        if (c.has("is_empty")) {
            for (JsonNode v : values(payload, c.get("is_empty").get("key").asText())) {
                if (!(v.isNull() || (v.isArray() && v.isEmpty()))) {
                    return false;
                }
            }
            return true;
        }
        if (c.has("is_null")) {
            for (JsonNode v : values(payload, c.get("is_null").get("key").asText())) {
                if (v.isNull()) {
                    return true;
                }
            }
            return false;
        }
        if (c.has("has_id")) {
            if (id == null) {
                return false;
            }
            for (JsonNode x : c.get("has_id")) {
                if (PointId.parse(x).equals(id)) {
                    return true;
                }
            }
            return false;
        }
        if (c.has("has_vector")) {
            return id != null && c.get("has_vector").asText().isEmpty();
        }
        if (c.has("nested")) {
            String key = c.get("nested").get("key").asText();
            String arrayKey = key.endsWith("[]") ? key : key + "[]";
            for (JsonNode element : values(payload, arrayKey)) {
                if (element.isObject() && filter(c.get("nested").get("filter"), null, element,
                        prefix + arrayKey + ".")) {
                    return true;
                }
            }
            return false;
        }
        return filter(c, id, payload, prefix);
    }

    /** Values reached by a simple key path (keys, key[] and key[n] steps; no quoting). */
    static List<JsonNode> values(JsonNode root, String path) {
        List<JsonNode> current = new ArrayList<>(List.of(root));
        for (String step : path.split("\\.")) {
            String name = step;
            String bracket = null;
            int b = step.indexOf('[');
            if (b >= 0) {
                name = step.substring(0, b);
                bracket = step.substring(b + 1, step.length() - 1);
            }
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : current) {
                if (n.isObject() && n.has(name)) {
                    next.add(n.get(name));
                }
            }
            if (bracket != null) {
                List<JsonNode> elements = new ArrayList<>();
                for (JsonNode n : next) {
                    if (!n.isArray()) {
                        continue;
                    }
                    if (bracket.isEmpty()) {
                        n.forEach(elements::add);
                    } else if (Integer.parseInt(bracket) < n.size()) {
                        elements.add(n.get(Integer.parseInt(bracket)));
                    }
                }
                next = elements;
            }
            current = next;
        }
        return current;
    }

    private boolean field(JsonNode c, JsonNode payload, String prefix) {
        String key = c.get("key").asText();
        List<JsonNode> vals = values(payload, key);
        JsonNode isEmpty = nonNull(c.get("is_empty"));
        JsonNode isNull = nonNull(c.get("is_null"));
        JsonNode count = nonNull(c.get("values_count"));
        JsonNode match = nonNull(c.get("match"));
        if (vals.isEmpty()) {
            if (isEmpty != null) {
                return isEmpty.asBoolean();
            }
            return isNull != null && !isNull.asBoolean();
        }
        if (match != null && count == null && isEmpty == null && isNull == null && textIndexedKeys.contains(prefix + key)
                && (match.has("text") || match.has("text_any") || match.has("phrase"))) {
            if (tokenMatch(match, vals)) {
                return true;
            }
            c = c.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) c).remove("match");
        }
        for (JsonNode v : vals) {
            boolean r;
            if (count != null) {
                r = countOk(count, v.isNull() ? 0 : v.isArray() ? v.size() : 1);
            } else if (isEmpty != null) {
                r = emptyCheck(isEmpty.asBoolean(), v);
            } else if (isNull != null) {
                r = nullCheck(isNull.asBoolean(), v);
            } else if (v.isArray()) {
                r = false;
                for (JsonNode e : v) {
                    r |= element(c, e);
                }
            } else {
                r = element(c, v);
            }
            if (r) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode nonNull(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static boolean countOk(JsonNode b, long n) {
        return (!b.has("lt") || n < b.get("lt").asLong()) && (!b.has("gt") || n > b.get("gt").asLong())
                && (!b.has("lte") || n <= b.get("lte").asLong()) && (!b.has("gte") || n >= b.get("gte").asLong());
    }

    private static boolean emptyCheck(boolean want, JsonNode v) {
        if (v.isNull()) {
            return want;
        }
        if (v.isArray()) {
            return v.isEmpty() == want;
        }
        return !want;
    }

    private static boolean nullCheck(boolean want, JsonNode v) {
        if (v.isNull()) {
            return want;
        }
        if (v.isArray()) {
            boolean anyNull = false;
            for (JsonNode e : v) {
                anyNull |= e.isNull();
            }
            return anyNull == want;
        }
        return !want;
    }

    private boolean element(JsonNode c, JsonNode e) {
        boolean r = false;
        JsonNode match = nonNull(c.get("match"));
        if (match != null) {
            r |= matchElement(match, e);
        }
        JsonNode range = nonNull(c.get("range"));
        if (range != null) {
            boolean datetime = false;
            for (String k : List.of("gt", "gte", "lt", "lte")) {
                datetime |= range.has(k) && range.get(k).isTextual();
            }
            if (datetime) {
                Long t = e.isTextual() ? parseDate(e.asText()) : null;
                if (t != null) {
                    r |= (!range.has("gt") || range.get("gt").isNull() || t > parseDate(range.get("gt").asText()))
                            && (!range.has("gte") || range.get("gte").isNull() || t >= parseDate(range.get("gte").asText()))
                            && (!range.has("lt") || range.get("lt").isNull() || t < parseDate(range.get("lt").asText()))
                            && (!range.has("lte") || range.get("lte").isNull() || t <= parseDate(range.get("lte").asText()));
                }
            } else if (e.isNumber()) {
                double x = e.asDouble();
                r |= (!range.has("gt") || range.get("gt").isNull() || x > range.get("gt").asDouble())
                        && (!range.has("gte") || range.get("gte").isNull() || x >= range.get("gte").asDouble())
                        && (!range.has("lt") || range.get("lt").isNull() || x < range.get("lt").asDouble())
                        && (!range.has("lte") || range.get("lte").isNull() || x <= range.get("lte").asDouble());
            }
        }
        JsonNode box = nonNull(c.get("geo_bounding_box"));
        if (box != null && e.isObject() && e.has("lon") && e.has("lat") && e.get("lon").isNumber()
                && e.get("lat").isNumber()) {
            double lon = e.get("lon").asDouble();
            double lat = e.get("lat").asDouble();
            r |= box.get("top_left").get("lon").asDouble() < lon && lon < box.get("bottom_right").get("lon").asDouble()
                    && box.get("bottom_right").get("lat").asDouble() < lat && lat < box.get("top_left").get("lat").asDouble();
        }
        JsonNode radius = nonNull(c.get("geo_radius"));
        if (radius != null && e.isObject() && e.has("lon") && e.has("lat") && e.get("lon").isNumber()
                && e.get("lat").isNumber()) {
            double lat1 = Math.toRadians(radius.get("center").get("lat").asDouble());
            double lat2 = Math.toRadians(e.get("lat").asDouble());
            double dLon = Math.toRadians(e.get("lon").asDouble() - radius.get("center").get("lon").asDouble());
            // spherical law of cosines: a different formula than the engine's haversine
            double cos = Math.sin(lat1) * Math.sin(lat2) + Math.cos(lat1) * Math.cos(lat2) * Math.cos(dLon);
            double meters = 6_371_008.8 * Math.acos(Math.max(-1, Math.min(1, cos)));
            r |= meters < radius.get("radius").asDouble();
        }
        JsonNode count = nonNull(c.get("values_count"));
        if (count != null) {
            r |= countOk(count, e.isNull() ? 0 : e.isArray() ? e.size() : 1);
        }
        return r;
    }

    private static boolean isInt(JsonNode e) {
        return e.isIntegralNumber() && e.canConvertToLong();
    }

    private static boolean matchElement(JsonNode match, JsonNode e) {
        if (match.has("value")) {
            JsonNode v = match.get("value");
            if (v.isTextual()) {
                return e.isTextual() && e.asText().equals(v.asText());
            }
            if (v.isBoolean()) {
                return e.isBoolean() && e.asBoolean() == v.asBoolean();
            }
            return isInt(e) && e.asLong() == v.asLong();
        }
        if (match.has("text") || match.has("phrase")) {
            String t = match.has("text") ? match.get("text").asText() : match.get("phrase").asText();
            return e.isTextual() && e.asText().contains(t);
        }
        if (match.has("text_any")) {
            if (!e.isTextual()) {
                return false;
            }
            for (String w : match.get("text_any").asText().trim().split("\\s+")) {
                if (!w.isEmpty() && e.asText().contains(w)) {
                    return true;
                }
            }
            return false;
        }
        boolean except = match.has("except");
        JsonNode list = except ? match.get("except") : match.get("any");
        boolean strings = list.isEmpty() || list.get(0).isTextual();
        boolean contained = false;
        for (JsonNode x : list) {
            if (strings && e.isTextual() && x.asText().equals(e.asText())) {
                contained = true;
            }
            if (!strings && isInt(e) && x.asLong() == e.asLong()) {
                contained = true;
            }
        }
        if (!except) {
            return contained;
        }
        if (e.isTextual()) {
            return !strings || !contained;
        }
        if (e.isNumber()) {
            return strings || !isInt(e) || !contained;
        }
        return !e.isNull();
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                out.add(t.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static boolean tokenMatch(JsonNode match, List<JsonNode> vals) {
        List<String> strings = new ArrayList<>();
        for (JsonNode v : vals) {
            if (v.isTextual()) {
                strings.add(v.asText());
            } else if (v.isArray()) {
                for (JsonNode e : v) {
                    if (e.isTextual()) {
                        strings.add(e.asText());
                    }
                }
            }
        }
        String q = match.has("text") ? match.get("text").asText()
                : match.has("text_any") ? match.get("text_any").asText() : match.get("phrase").asText();
        List<String> query = tokens(q);
        if (query.isEmpty()) {
            return false;
        }
        if (match.has("phrase")) {
            for (String s : strings) {
                String doc = " " + String.join(" ", tokens(s)) + " ";
                if (doc.contains(" " + String.join(" ", query) + " ")) {
                    return true;
                }
            }
            return false;
        }
        Set<String> all = new HashSet<>();
        strings.forEach(s -> all.addAll(tokens(s)));
        return match.has("text") ? all.containsAll(query) : query.stream().anyMatch(all::contains);
    }

    /** Epoch micros via java.time (independent of the engine's hand-written parser), or null. */
    static Long parseDate(String s) {
        for (DateTimeFormatter f : Arrays.asList(DateTimeFormatter.ISO_OFFSET_DATE_TIME)) {
            try {
                return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, OffsetDateTime.parse(s, f).toInstant());
            } catch (RuntimeException ignored) {
                // try the next form
            }
        }
        try {
            return ChronoUnit.MICROS.between(java.time.Instant.EPOCH,
                    LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
        } catch (RuntimeException ignored) {
            // try a date
        }
        try {
            return ChronoUnit.MICROS.between(java.time.Instant.EPOCH,
                    LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC));
        } catch (RuntimeException ignored) {
            return null;
        }
    }
}
