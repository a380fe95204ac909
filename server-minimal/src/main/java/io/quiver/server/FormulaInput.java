package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.formula.Expression;
import io.quiver.engine.formula.Formula;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code {"formula": EXPR, "defaults": {…}}} query (Qdrant's {@code FormulaQuery}, an untagged
 * {@code Expression}: an object is the first form whose key it has, a filter condition first) into the engine's
 * {@link Formula}, failing with Qdrant's 400s. Stateless.
 */
final class FormulaInput {
    /** The keys that make an object a field or special condition (Qdrant's untagged {@code Condition}). */
    private static final Set<String> CONDITION_KEYS = Set.of("key", "is_empty", "is_null", "has_id", "has_vector",
            "nested");
    /** The keys of a whole filter (Qdrant's {@code Filter} denies any other). */
    private static final Set<String> FILTER_KEYS = Set.of("must", "should", "must_not", "min_should");

    private FormulaInput() {
    }

    /**
     * The formula query object of a stage's {@code query} ({@code field} names it in messages). A shape that is no
     * expression fails the whole query object ({@code data did not match any variant of untagged enum
     * QueryInterface}, as serde reports it); variable names, datetimes and decay parameters are then checked with
     * Qdrant's reasons ({@code Wrong input: …}).
     */
    static Formula parse(JsonNode query, String field) {
        JsonNode defaults = query.get("defaults");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        if (defaults != null) {
            if (!defaults.isObject()) {
                throw notAQuery(field);
            }
            defaults.fields().forEachRemaining(e -> byName.put(e.getKey(), e.getValue()));
        }
        Expression expression = expression(query.get("formula"), field);
        try {
            return Formula.of(expression, byName);
        } catch (BadRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static Expression expression(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw notAQuery(field);
        }
        if (node.isNumber()) {
            return new Expression.Constant(f32(node, field));
        }
        if (node.isTextual()) {
            try {
                return Formula.variable(node.textValue());
            } catch (BadRequestException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        if (!node.isObject()) {
            throw notAQuery(field);
        }
        if (isCondition(node)) {
            return new Expression.Condition(condition((ObjectNode) node, field));
        }
        if (node.has("geo_distance")) {
            JsonNode g = object(node.get("geo_distance"), field);
            JsonNode origin = object(g.get("origin"), field);
            double lat = number(origin.get("lat"), field);
            double lon = number(origin.get("lon"), field);
            if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
                throw notAQuery(field);
            }
            return new Expression.GeoDistance(lat, lon, path(g.get("to"), field));
        }
        if (node.has("datetime")) {
            JsonNode d = node.get("datetime");
            if (!d.isTextual()) {
                throw notAQuery(field);
            }
            long micros = DateTimeParser.parseMicros(d.textValue());
            if (micros == DateTimeParser.INVALID) {
                throw ApiException.badRequest("Wrong input: '" + d.textValue()
                        + "' is not in a supported date/time format, please use RFC 3339");
            }
            return new Expression.Datetime(micros / 1_000_000.0);
        }
        if (node.has("datetime_key")) {
            return new Expression.DatetimeKey(path(node.get("datetime_key"), field));
        }
        if (node.has("mult")) {
            return new Expression.Mult(list(node.get("mult"), field));
        }
        if (node.has("sum")) {
            return new Expression.Sum(list(node.get("sum"), field));
        }
        if (node.has("neg")) {
            return unary(Expression.UnaryOp.NEG, node, field);
        }
        if (node.has("abs")) {
            return unary(Expression.UnaryOp.ABS, node, field);
        }
        if (node.has("div")) {
            JsonNode d = object(node.get("div"), field);
            JsonNode byZero = d.get("by_zero_default");
            return new Expression.Div(expression(d.get("left"), field), expression(d.get("right"), field),
                    byZero == null || byZero.isNull() ? null : f32(byZero, field));
        }
        if (node.has("sqrt")) {
            return unary(Expression.UnaryOp.SQRT, node, field);
        }
        if (node.has("pow")) {
            JsonNode p = object(node.get("pow"), field);
            return new Expression.Pow(expression(p.get("base"), field), expression(p.get("exponent"), field));
        }
        if (node.has("exp")) {
            return unary(Expression.UnaryOp.EXP, node, field);
        }
        if (node.has("log10")) {
            return unary(Expression.UnaryOp.LOG10, node, field);
        }
        if (node.has("ln")) {
            return unary(Expression.UnaryOp.LN, node, field);
        }
        for (Expression.DecayKind kind : Expression.DecayKind.values()) {
            String key = kind.name().toLowerCase(java.util.Locale.ROOT) + "_decay";
            if (node.has(key)) {
                return decay(kind, object(node.get(key), field), field);
            }
        }
        throw notAQuery(field);
    }

    /** {@code {"x", "target", "scale", "midpoint"}}: the parameters are checked once the shape is read. */
    private static Expression decay(Expression.DecayKind kind, JsonNode params, String field) {
        Expression x = expression(params.get("x"), field);
        JsonNode t = params.get("target");
        Expression target = t == null || t.isNull() ? null : expression(t, field);
        Float scale = optF32(params.get("scale"), field);
        Float midpoint = optF32(params.get("midpoint"), field);
        try {
            return Expression.Decay.of(kind, x, target, midpoint, scale);
        } catch (BadRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static boolean isCondition(JsonNode node) {
        for (String key : CONDITION_KEYS) {
            if (node.has(key)) {
                return true;
            }
        }
        var names = node.fieldNames();
        while (names.hasNext()) {
            if (!FILTER_KEYS.contains(names.next())) {
                return false;
            }
        }
        return true; // a filter, {} included (which every point matches)
    }

    /** One condition, or a whole filter, as a filter the evaluator checks. */
    private static Filter condition(ObjectNode node, String field) {
        boolean wholeFilter = CONDITION_KEYS.stream().noneMatch(node::has);
        ObjectNode filter = node;
        if (!wholeFilter) {
            filter = JsonNodeFactory.instance.objectNode();
            filter.putArray("must").add(node.deepCopy());
        }
        try {
            return FilterParser.parse(filter);
        } catch (BadRequestException e) {
            throw notAQuery(field);
        }
    }

    /** {@code {"neg": expr}} and the other functions of one operand (its key is the op's). */
    private static Expression unary(Expression.UnaryOp op, JsonNode node, String field) {
        return new Expression.Unary(op, expression(node.get(op.key()), field));
    }

    private static List<Expression> list(JsonNode node, String field) {
        if (node == null || !node.isArray()) {
            throw notAQuery(field);
        }
        List<Expression> out = new ArrayList<>(node.size());
        node.forEach(e -> out.add(expression(e, field)));
        return out;
    }

    private static JsonNode object(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw notAQuery(field);
        }
        return node;
    }

    private static JsonPath path(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            throw notAQuery(field);
        }
        try {
            return JsonPath.parse(node.textValue());
        } catch (BadRequestException e) {
            throw notAQuery(field);
        }
    }

    private static double number(JsonNode node, String field) {
        if (node == null || !node.isNumber()) {
            throw notAQuery(field);
        }
        return node.doubleValue();
    }

    /** A number Qdrant reads as an f32 (beyond its range: no match), widened back. */
    private static double f32(JsonNode node, String field) {
        float f = (float) number(node, field);
        if (!Float.isFinite(f)) {
            throw notAQuery(field);
        }
        return f;
    }

    private static Float optF32(JsonNode node, String field) {
        return node == null || node.isNull() ? null : (float) f32(node, field);
    }

    private static ApiException notAQuery(String field) {
        return ApiException.badRequest("Format error in JSON body: " + field
                + ": data did not match any variant of untagged enum QueryInterface");
    }
}
