package io.quiver.engine.formula;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.JsonPath;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A score-boosting formula (Qdrant 1.14's {@code {"formula": …, "defaults": {…}}}) with its defaults, and its
 * evaluation as Qdrant's {@code FormulaScorer} does it (double precision, Qdrant's fallbacks and error texts, the
 * score narrowed to a float); immutable and threadsafe.
 *
 * @param expression the formula
 * @param scoreDefaults prefetch index → the default of {@code $score[i]} (a non-number default counts as none)
 * @param payloadDefaults key path → the value used when a point has none under the key
 */
public record Formula(Expression expression, Map<Integer, JsonNode> scoreDefaults,
        Map<JsonPath, JsonNode> payloadDefaults) {

    private static final Pattern SCORE = Pattern.compile("score(?:\\[(\\d{1,9})])?");
    private static final double EARTH_RADIUS_METERS = 6_371_008.8;
    private static final double MICROS_PER_SECOND = 1_000_000.0;

    public Formula {
        Objects.requireNonNull(expression, "expression");
        scoreDefaults = Map.copyOf(scoreDefaults);
        payloadDefaults = Map.copyOf(payloadDefaults);
    }

    /**
     * The formula with its {@code defaults} keyed as in the request ({@code "$score[1]"}, {@code "price"}, …); a key
     * that is no variable is a BadRequestException.
     */
    public static Formula of(Expression expression, Map<String, JsonNode> defaults) {
        Map<Integer, JsonNode> scores = new HashMap<>();
        Map<JsonPath, JsonNode> payload = new HashMap<>();
        defaults.forEach((key, value) -> {
            switch (variable(key)) {
                case Expression.Score s -> scores.put(s.prefetch(), value.deepCopy());
                case Expression.Variable v -> payload.put(v.path(), value.deepCopy());
                default -> throw new IllegalStateException();
            }
        });
        return new Formula(expression, scores, payload);
    }

    /**
     * A variable's name as Qdrant reads it: {@code $score} (prefetch 0), {@code $score[i]}, or a payload key path;
     * another {@code $} word, or a key that does not parse, is a BadRequestException with Qdrant's reason.
     */
    public static Expression variable(String name) {
        if (name.startsWith("$")) {
            String word = name.substring(1);
            try {
                JsonPath.parse(word);
            } catch (BadRequestException e) {
                throw new BadRequestException("Invalid reserved variable: " + name);
            }
            Matcher m = SCORE.matcher(word);
            if (m.matches()) {
                return new Expression.Score(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
            }
            if (word.equals("score") || word.startsWith("score.") || word.startsWith("score[")) {
                throw new BadRequestException("Invalid reserved variable: " + name);
            }
            throw new BadRequestException("Invalid reserved word: " + name);
        }
        try {
            return new Expression.Variable(JsonPath.parse(name));
        } catch (BadRequestException e) {
            throw new BadRequestException("Invalid payload variable: " + name);
        }
    }

    /**
     * The point's formula score. {@code prefetchScores[i]} is its score in prefetch i, NaN where it was not found
     * there; {@code payload} its whole payload (null: none). BadRequestException when a variable has no usable value
     * or a result is not finite.
     */
    public float score(PointId id, ObjectNode payload, double[] prefetchScores) {
        return (float) evaluate(expression, id, payload, prefetchScores);
    }

    /**
     * Re-scores the union of the prefetches' points (Qdrant's formula rescoring): each point once, its
     * {@code $score[i]} its score in list i; {@code payloads} holds every point still stored (the others are left
     * out). Best first (ties in order of first appearance), those at or above {@code thresholdOrNull}, at most
     * {@code limit}; each keeps the version of its first appearance and carries no payload, vector or order value.
     */
    public List<ScoredPoint> rescore(List<List<ScoredPoint>> prefetches, Map<PointId, ObjectNode> payloads, int limit,
            Float thresholdOrNull) {
        Map<PointId, double[]> scores = new LinkedHashMap<>();
        Map<PointId, ScoredPoint> firsts = new HashMap<>();
        int n = prefetches.size();
        for (int i = 0; i < n; i++) {
            for (ScoredPoint p : prefetches.get(i)) {
                double[] s = scores.computeIfAbsent(p.id(), k -> {
                    double[] fresh = new double[n];
                    java.util.Arrays.fill(fresh, Double.NaN);
                    return fresh;
                });
                s[i] = p.score();
                firsts.putIfAbsent(p.id(), p);
            }
        }
        List<ScoredPoint> out = new ArrayList<>(scores.size());
        for (Map.Entry<PointId, double[]> e : scores.entrySet()) {
            PointId id = e.getKey();
            if (!payloads.containsKey(id)) {
                continue;
            }
            float score = score(id, payloads.get(id), e.getValue());
            if (thresholdOrNull == null || score >= thresholdOrNull) {
                ScoredPoint first = firsts.get(id);
                out.add(new ScoredPoint(id, first.version(), score, null, null));
            }
        }
        out.sort((a, b) -> Float.compare(b.score(), a.score()));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    private double evaluate(Expression e, PointId id, ObjectNode payload, double[] scores) {
        return switch (e) {
            case Expression.Constant c -> c.value();
            case Expression.Score s -> prefetchScore(s.prefetch(), scores);
            case Expression.Variable v -> number(v.path(), payload);
            case Expression.Condition c -> c.filter().matches(id, payload) ? 1.0 : 0.0;
            case Expression.GeoDistance g -> {
                double[] latLon = geoPoint(g.to(), payload);
                yield haversine(g.originLat(), g.originLon(), latLon[0], latLon[1]);
            }
            case Expression.Datetime d -> d.epochSeconds();
            case Expression.DatetimeKey d -> datetime(d.path(), payload);
            case Expression.Mult m -> {
                double product = 1.0;
                for (Expression operand : m.operands()) {
                    double value = evaluate(operand, id, payload, scores);
                    if (value == 0.0) {
                        yield 0.0;
                    }
                    product *= value;
                }
                yield product;
            }
            case Expression.Sum s -> {
                double sum = 0.0;
                for (Expression operand : s.operands()) {
                    sum += evaluate(operand, id, payload, scores);
                }
                yield sum;
            }
            case Expression.Unary u -> {
                double value = evaluate(u.operand(), id, payload, scores);
                yield switch (u.op()) {
                    case NEG, ABS -> u.op().apply(value); // finite whenever the operand is
                    case SQRT -> finite(u.op().apply(value), "√" + display(value));
                    default -> finite(u.op().apply(value), u.op().key() + "(" + display(value) + ")");
                };
            }
            case Expression.Div d -> {
                double left = evaluate(d.left(), id, payload, scores);
                if (left == 0.0) {
                    yield 0.0;
                }
                double right = evaluate(d.right(), id, payload, scores);
                if (right == 0.0 && d.byZeroDefaultOrNull() != null) {
                    yield d.byZeroDefaultOrNull();
                }
                yield finite(left / right, display(left) + "/" + display(right));
            }
            case Expression.Pow p -> {
                double base = evaluate(p.base(), id, payload, scores);
                double exponent = evaluate(p.exponent(), id, payload, scores);
                yield finite(Math.pow(base, exponent), display(base) + "^" + display(exponent));
            }
            case Expression.Decay d -> {
                double x = evaluate(d.x(), id, payload, scores);
                double target = d.targetOrNull() == null ? 0.0 : evaluate(d.targetOrNull(), id, payload, scores);
                yield switch (d.kind()) {
                    case LIN -> Math.max(0.0, -d.lambda() * Math.abs(x - target) + 1.0);
                    case EXP -> Math.exp(d.lambda() * Math.abs(x - target));
                    case GAUSS -> Math.exp(d.lambda() * (x - target) * (x - target));
                };
            }
        };
    }

    private double prefetchScore(int prefetch, double[] scores) {
        if (prefetch < scores.length && !Double.isNaN(scores[prefetch])) {
            return scores[prefetch];
        }
        JsonNode fallback = scoreDefaults.get(prefetch);
        return fallback != null && fallback.isNumber() ? fallback.doubleValue() : 0.0;
    }

    /** Qdrant's {@code NonFiniteNumber}: the operation and its result, in Rust's notation. */
    private static double finite(double value, String operation) {
        if (Double.isFinite(value)) {
            return value;
        }
        throw new BadRequestException("The expression " + operation + " = " + display(value)
                + " produced a non-finite number");
    }

    private double number(JsonPath path, ObjectNode payload) {
        JsonNode value = value(path, payload, "number");
        if (!value.isNumber()) {
            throw typeError(path, "number", "Value is not a number");
        }
        return value.doubleValue();
    }

    /** A geo point's {@code [lat, lon]}. */
    private double[] geoPoint(JsonPath path, ObjectNode payload) {
        JsonNode value = value(path, payload, "geo point");
        JsonNode lat = value.get("lat");
        JsonNode lon = value.get("lon");
        if (!value.isObject() || lat == null || lon == null || !lat.isNumber() || !lon.isNumber()) {
            throw typeError(path, "geo point", "Value is not a geo point");
        }
        if (Math.abs(lat.doubleValue()) > 90 || Math.abs(lon.doubleValue()) > 180) {
            throw typeError(path, "geo point", "Wrong format of GeoPoint payload: expected `lat` within [-90;90] and "
                    + "`lon` within [-180;180]");
        }
        return new double[] {lat.doubleValue(), lon.doubleValue()};
    }

    private double datetime(JsonPath path, ObjectNode payload) {
        JsonNode value = value(path, payload, "datetime");
        if (!value.isTextual()) {
            throw typeError(path, "datetime", "Value is not a string");
        }
        long micros = DateTimeParser.parseMicros(value.textValue());
        if (micros == DateTimeParser.INVALID) {
            throw typeError(path, "datetime", "'" + value.textValue()
                    + "' is not in a supported date/time format, please use RFC 3339");
        }
        return micros / MICROS_PER_SECOND;
    }

    /**
     * The value a key gives a point, as Qdrant's retriever reads it: every value the path reaches, arrays flattened
     * one level (unless the path ends in {@code []}); none → the key's default, else an error; one → that value;
     * several → an array (which is no number, geo point or datetime).
     */
    private JsonNode value(JsonPath path, ObjectNode payload, String expected) {
        List<JsonNode> reached = new ArrayList<>();
        path.collect(payload, reached);
        List<JsonNode> values;
        if (path.toString().endsWith("[]")) {
            values = reached;
        } else {
            values = new ArrayList<>(reached.size());
            for (JsonNode v : reached) {
                if (v.isArray()) {
                    v.forEach(values::add);
                } else {
                    values.add(v);
                }
            }
        }
        if (values.size() == 1) {
            return values.get(0);
        }
        if (values.size() > 1) {
            com.fasterxml.jackson.databind.node.ArrayNode array =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            values.forEach(array::add);
            return array;
        }
        JsonNode fallback = payloadDefaults.get(path);
        if (fallback == null) {
            throw typeError(path, expected, "No value found in a payload nor defaults");
        }
        return fallback;
    }

    private static BadRequestException typeError(JsonPath path, String expected, String description) {
        return new BadRequestException("Expected " + expected + " value for " + path
                + " in the payload and/or in the formula defaults. Error: " + description);
    }

    /** The great-circle distance in meters (the mean Earth radius the geo crate uses). */
    static double haversine(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(a));
    }

    /** A double as Rust's {@code Display} shows it: {@code 1}, {@code 0.4}, {@code -0}, {@code NaN}, {@code inf}. */
    public static String display(double d) {
        if (!Double.isFinite(d)) {
            return Double.isNaN(d) ? "NaN" : d > 0 ? "inf" : "-inf";
        }
        String plain = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros().toPlainString();
        return (Double.doubleToRawLongBits(d) < 0 ? "-" : "") + plain;
    }
}
