package io.quiver.engine.formula;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.TestJson;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.formula.Expression.Constant;
import io.quiver.engine.formula.Expression.DecayKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against values worked out by hand (and Qdrant's own formula_scorer cases: its geo distance, its
 * non-finite messages), variables, defaults and their errors, decays and their parameter checks, and the rescoring of
 * prefetched points. One instance per test method,
 * used by its thread.
 */
class FormulaTest {
    private static final PointId ID = PointId.of(7);
    private static final ObjectNode PAYLOAD = TestJson.object("{\"price\": 85, \"one\": [1.5], \"two\": [1, 2],"
            + " \"word\": \"x\", \"empty\": [], \"a\": {\"b\": 3}, \"tags\": [\"red\"],"
            + " \"geo\": {\"lat\": 25.628482424190565, \"lon\": -100.23881855976},"
            + " \"when\": \"2025-01-02T00:00:00Z\", \"nothing\": null}");

    private static double eval(Expression e) {
        return eval(e, Map.of());
    }

    private static double eval(Expression e, Map<String, JsonNode> defaults) {
        return Formula.of(e, defaults).score(ID, PAYLOAD, new double[] {1.0, 2.0});
    }

    private static Expression c(double v) {
        return Constant.ofF32(v);
    }

    private static Expression var(String name) {
        return Formula.variable(name);
    }

    private static String error(Expression e) {
        return assertThrows(BadRequestException.class, () -> eval(e)).getMessage();
    }

    @Test
    void constantsScoresAndOperations() {
        assertEquals(5.0, eval(c(5)));
        assertEquals(1.0, eval(var("$score")));
        assertEquals(1.0, eval(var("$score[0]")));
        assertEquals(2.0, eval(var("$score[1]")));
        assertEquals(0.0, eval(var("$score[2]")), "no such prefetch and no default: 0");
        assertEquals(1.0 + 1.0 + 85.0, eval(new Expression.Sum(List.of(c(1), var("$score"), var("price")))));
        assertEquals(2.0 * 2.0 * 85.0, eval(new Expression.Mult(List.of(c(2), var("$score[1]"), var("price")))));
        assertEquals(1.0, eval(new Expression.Mult(List.of())));
        assertEquals(0.0, eval(new Expression.Sum(List.of())));
        assertEquals(-10.0, eval(new Expression.Unary(Expression.UnaryOp.NEG, c(10))));
        assertEquals(10.0, eval(new Expression.Unary(Expression.UnaryOp.ABS, c(-10))));
        assertEquals(5.0, eval(new Expression.Div(c(10), var("$score[1]"), null)));
        assertEquals(3.0, eval(new Expression.Unary(Expression.UnaryOp.SQRT, c(9))));
        assertEquals(8.0, eval(new Expression.Pow(c(2), c(3))));
        assertEquals((float) Math.E, (float) eval(new Expression.Unary(Expression.UnaryOp.EXP, c(1))));
        assertEquals(2.0, eval(new Expression.Unary(Expression.UnaryOp.LOG10, c(100))));
        assertEquals(0.0, eval(new Expression.Unary(Expression.UnaryOp.LN, c(1))));
        assertEquals((float) 0.1, (float) eval(c(0.1)), "constants are f32");
        assertEquals(3.0, eval(var("a.b")));
    }

    @Test
    void divisionByZero() {
        assertEquals(7.0, eval(new Expression.Div(c(1), c(0), 7.0)));
        assertEquals(0.0, eval(new Expression.Div(c(0), c(0), null)), "a zero numerator skips the denominator");
        assertEquals(0.0, eval(new Expression.Div(c(0), var("missing"), null)));
        assertEquals("Wrong input: The expression 1/0 = inf produced a non-finite number",
                error(new Expression.Div(c(1), c(0), null)));
        assertEquals("Wrong input: The expression -1/0 = -inf produced a non-finite number",
                error(new Expression.Div(c(-1), c(0), null)));
    }

    @Test
    void nonFiniteResultsFailWithQdrantsMessages() {
        assertEquals("Wrong input: The expression -1^0.4 = NaN produced a non-finite number",
                error(new Expression.Pow(c(-1), new Constant(0.4))));
        assertEquals("Wrong input: The expression √-3 = NaN produced a non-finite number",
                error(new Expression.Unary(Expression.UnaryOp.SQRT, c(-3))));
        assertEquals("Wrong input: The expression log10(0) = -inf produced a non-finite number",
                error(new Expression.Unary(Expression.UnaryOp.LOG10, c(0))));
        assertEquals("Wrong input: The expression ln(0) = -inf produced a non-finite number",
                error(new Expression.Unary(Expression.UnaryOp.LN, c(0))));
        assertEquals("Wrong input: The expression exp(1000) = inf produced a non-finite number",
                error(new Expression.Unary(Expression.UnaryOp.EXP, c(1000))));
        // a zero factor stops the product before a failing factor is evaluated
        assertEquals(0.0, eval(new Expression.Mult(List.of(c(0), new Expression.Unary(Expression.UnaryOp.LN, c(0))))));
    }

    @Test
    void payloadVariablesAndDefaults() {
        assertEquals(1.5, eval(var("one")), "an array of one number is that number");
        assertEquals(85.0, eval(var("price"), Map.of("price", DoubleNode.valueOf(1))), "the payload wins");
        assertEquals(4.0, eval(var("missing"), Map.of("missing", DoubleNode.valueOf(4))));
        assertEquals(4.0, eval(var("empty"), Map.of("empty", DoubleNode.valueOf(4))), "an empty array is no value");
        assertEquals(6.0, eval(var("$score[3]"), Map.of("$score[3]", DoubleNode.valueOf(6))));
        assertEquals(1.0, eval(var("$score"), Map.of("$score", DoubleNode.valueOf(6))), "the score wins");
        assertEquals(0.0, eval(var("$score[3]"), Map.of("$score[3]", TextNode.valueOf("x"))), "not a number: 0");
        assertEquals("Wrong input: Expected number value for missing in the payload and/or in the formula defaults."
                + " Error: No value found in a payload nor defaults", error(var("missing")));
        assertEquals("Wrong input: Expected number value for two in the payload and/or in the formula defaults."
                + " Error: Value is not a number", error(var("two")));
        assertEquals("Wrong input: Expected number value for word in the payload and/or in the formula defaults."
                + " Error: Value is not a number", error(var("word")));
        assertEquals("Wrong input: Expected number value for nothing in the payload and/or in the formula defaults."
                + " Error: Value is not a number", error(var("nothing")));
        assertThrows(BadRequestException.class, () -> eval(var("missing"), Map.of("missing", TextNode.valueOf("4"))));
    }

    @Test
    void variableNames() {
        assertEquals(new Expression.Score(12), var("$score[12]"));
        assertEquals(new Expression.Variable(JsonPath.parse("a.b[0]")), var("a.b[0]"));
        assertEquals("Wrong input: Invalid reserved word: $scores",
                assertThrows(BadRequestException.class, () -> var("$scores")).getMessage());
        for (String bad : List.of("$score.x", "$score[1][2]", "$score[]")) {
            assertEquals("Wrong input: Invalid reserved variable: " + bad,
                    assertThrows(BadRequestException.class, () -> var(bad)).getMessage());
        }
        assertEquals("Wrong input: Invalid payload variable: ",
                assertThrows(BadRequestException.class, () -> var("")).getMessage());
        assertThrows(BadRequestException.class, () -> Formula.of(c(1), Map.of("$bogus", DoubleNode.valueOf(1))));
    }

    @Test
    void conditionsGeoAndDatetime() {
        assertEquals(1.0, eval(new Expression.Condition(FilterParser.parse(TestJson.object(
                "{\"must\":[{\"key\":\"tags\",\"match\":{\"value\":\"red\"}}]}")))));
        assertEquals(0.0, eval(new Expression.Condition(FilterParser.parse(TestJson.object(
                "{\"must\":[{\"key\":\"price\",\"range\":{\"gt\":100}}]}")))));
        assertEquals(1.0, eval(new Expression.Condition(FilterParser.parse(TestJson.object(
                "{\"must\":[{\"has_id\":[7]}]}")))));
        // Qdrant's formula_scorer test: 21926.494151786308 m
        assertEquals((float) 21926.494151786308, (float) eval(new Expression.GeoDistance(25.717877679163667,
                -100.43383200156751, JsonPath.parse("geo"))));
        assertEquals(0.0, eval(new Expression.GeoDistance(25.628482424190565, -100.23881855976,
                JsonPath.parse("geo"))), 1e-9);
        double seconds = 1735776000.0; // 2025-01-02T00:00:00Z
        assertEquals((float) seconds, (float) eval(new Expression.DatetimeKey(JsonPath.parse("when"))));
        assertEquals(86400.0, Formula.of(new Expression.Sum(List.of(new Expression.DatetimeKey(
                JsonPath.parse("when")), new Expression.Unary(Expression.UnaryOp.NEG, new Expression.Datetime(seconds - 86400)))), Map.of())
                .score(ID, PAYLOAD, new double[0]), 1e-3);
        assertEquals("Wrong input: Expected datetime value for price in the payload and/or in the formula defaults."
                + " Error: Value is not a string", error(new Expression.DatetimeKey(JsonPath.parse("price"))));
        assertEquals("Wrong input: Expected geo point value for price in the payload and/or in the formula defaults."
                + " Error: Value is not a geo point", error(new Expression.GeoDistance(0, 0, JsonPath.parse("price"))));
    }

    private static double eval(Expression e, String key, String defaultJson) {
        Map<String, JsonNode> defaults = new HashMap<>();
        defaults.put(key, TestJson.object("{\"v\":" + defaultJson + "}").get("v"));
        return eval(e, defaults);
    }

    @Test
    void geoDefault() {
        // one degree of latitude: R·π/180
        assertEquals((float) (6_371_008.8 * Math.PI / 180), (float) eval(new Expression.GeoDistance(0, 0,
                JsonPath.parse("g")), "g", "{\"lat\": 1, \"lon\": 0}"));
    }

    @Test
    void decays() {
        // linear: 1 - (1 - 0.5)/4 · |2 - 0| = 0.75; floor at 0
        assertEquals(0.75, eval(Expression.Decay.of(DecayKind.LIN, c(2), null, null, 4f)), 1e-12);
        assertEquals(0.0, eval(Expression.Decay.of(DecayKind.LIN, c(100), null, null, 4f)));
        // at |x - target| = scale every decay is the midpoint
        for (DecayKind kind : DecayKind.values()) {
            assertEquals(0.3, eval(Expression.Decay.of(kind, c(13), c(10), 0.3f, 3f)), 1e-6, kind.name());
            assertEquals(0.3, eval(Expression.Decay.of(kind, c(7), c(10), 0.3f, 3f)), 1e-6, kind.name());
            assertEquals(1.0, eval(Expression.Decay.of(kind, c(10), c(10), 0.3f, 3f)), 1e-12, kind.name());
            assertEquals(0.5, eval(Expression.Decay.of(kind, c(1), null, null, null)), 1e-12, kind.name());
        }
        // exp: 0.5^(|x - t| / scale); gauss: 0.5^((x - t)² / scale²)
        assertEquals(0.25, eval(Expression.Decay.of(DecayKind.EXP, c(4), null, null, 2f)), 1e-12);
        assertEquals(Math.pow(0.5, 4), eval(Expression.Decay.of(DecayKind.GAUSS, c(4), null, null, 2f)), 1e-12);
        assertEquals(1.0, eval(Expression.Decay.of(DecayKind.LIN, c(3), null, 1f, 1f)), "midpoint 1: flat");
        assertEquals(0.0, eval(Expression.Decay.of(DecayKind.LIN, c(1), null, 0f, 1f)));
    }

    @Test
    void decayParametersAreChecked() {
        assertEquals("Wrong input: Validation failed: Linear decay midpoint should be in the range [0.0, 1.0], "
                + "got 1.5.",
                assertThrows(BadRequestException.class,
                        () -> Expression.Decay.of(DecayKind.LIN, c(1), null, 1.5f, null)).getMessage());
        for (float midpoint : new float[] {0f, 1f}) {
            assertEquals("Wrong input: Validation failed: Decay midpoint should be in the range (0.0, 1.0), got "
                    + (int) midpoint + ".", assertThrows(BadRequestException.class,
                    () -> Expression.Decay.of(DecayKind.GAUSS, c(1), null, midpoint, null)).getMessage());
        }
        assertEquals("Wrong input: Validation failed: Decay scale should be non-zero positive, got 0.",
                assertThrows(BadRequestException.class,
                        () -> Expression.Decay.of(DecayKind.EXP, c(1), null, null, 0f)).getMessage());
        assertEquals("Wrong input: Validation failed: Decay scale should be non-zero positive, got -2.5.",
                assertThrows(BadRequestException.class,
                        () -> Expression.Decay.of(DecayKind.LIN, c(1), null, null, -2.5f)).getMessage());
    }

    @Test
    void rescoreOrdersThresholdsAndLimits() {
        // score = $score[0] + $score[1] + price (default 0)
        Formula f = Formula.of(new Expression.Sum(List.of(var("$score[0]"), var("$score[1]"), var("price"))),
                Map.of("price", DoubleNode.valueOf(0)));
        List<List<ScoredPoint>> prefetches = List.of(
                List.of(hit(1, 0.5f), hit(2, 0.25f), hit(3, 0.1f)),
                List.of(hit(3, 2f), hit(4, 1f)));
        Map<PointId, ObjectNode> payloads = new HashMap<>();
        payloads.put(PointId.of(1), TestJson.object("{\"price\": 10}"));
        payloads.put(PointId.of(2), TestJson.object("{}"));
        payloads.put(PointId.of(3), TestJson.object("{\"price\": 1}"));
        // point 4 was deleted: left out
        List<ScoredPoint> all = f.rescore(prefetches, payloads, 10, null);
        assertEquals(List.of(1L, 3L, 2L), all.stream().map(p -> Long.parseLong(p.id().toString())).toList());
        assertEquals(List.of(10.5f, 3.1f, 0.25f), all.stream().map(ScoredPoint::score).toList());
        assertEquals(30L, all.get(1).version(), "the version of the first appearance");
        assertEquals(2, f.rescore(prefetches, payloads, 2, null).size());
        assertEquals(2, f.rescore(prefetches, payloads, 10, 3.1f).size(), "the threshold keeps equal scores");
        assertEquals(List.of(), f.rescore(List.of(List.of(), List.of()), payloads, 10, null));
    }

    private static ScoredPoint hit(long id, float score) {
        return new ScoredPoint(PointId.of(id), id * 10, score, null, null);
    }

    @Test
    void displayIsRusts() {
        assertEquals("1", Formula.display(1.0));
        assertEquals("0.4", Formula.display(0.4));
        assertEquals("-0", Formula.display(-0.0));
        assertEquals("100000000000000000000", Formula.display(1e20));
        assertEquals("0.0000001", Formula.display(1e-7));
        assertEquals("NaN", Formula.display(Double.NaN));
    }
}
