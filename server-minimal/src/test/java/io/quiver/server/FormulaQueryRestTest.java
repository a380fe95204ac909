package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static io.quiver.server.VectorJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code points/query} with {@code {"formula": …}} (Qdrant 1.14's score boosting) over a real socket: the hand-worked
 * answers of {@link FormulaFixture} (every operator and decay, {@code $score[i]}, defaults, conditions, geo,
 * datetimes, prefetches, groups, batch), random formula trees on random payloads against a brute-force evaluation
 * written here, and Qdrant's 400 answers. One instance per test method,
 * used by its thread.
 */
class FormulaQueryRestTest extends RestServerTest {
    private static final String PATH = "/collections/f/points/query";

    @Test
    void handWorkedAnswers() {
        FormulaFixture.create(rest, "f", "");
        FormulaFixture.upsert(rest, "f");
        FormulaFixture.checkHandWorked(rest, "f");
    }

    @Test
    void qdrantsErrors() {
        FormulaFixture.create(rest, "f", "");
        FormulaFixture.upsert(rest, "f");
        String top3 = "\"prefetch\":{\"query\":[1,0],\"limit\":3}";
        assertEquals("Wrong input: Validation failed: cannot apply Formula without prefetches",
                rest.error(400, "POST", PATH, "{\"query\":{\"formula\":\"$score\"}}"));
        assertEquals("Wrong input: Validation failed: cannot apply Formula without prefetches",
                rest.error(400, "POST", PATH, "{\"prefetch\":{\"query\":{\"formula\":1}},\"query\":[1,0]}"));
        assertEquals("Wrong input: The expression ln(0) = -inf produced a non-finite number",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"ln\":{\"sum\":[]}}}}"));
        assertEquals("Wrong input: The expression 10/0 = inf produced a non-finite number",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"div\":{\"left\":\"price\","
                        + "\"right\":0}}}}"));
        assertEquals("Wrong input: The expression √-10 = NaN produced a non-finite number",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"sqrt\":{\"neg\":\"price\"}}}"
                        + ",\"limit\":1}"));
        assertEquals("Wrong input: Invalid reserved word: $bogus",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":\"$bogus\"}}"));
        assertEquals("Wrong input: Invalid reserved variable: $score.x",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":1,\"defaults\":"
                        + "{\"$score.x\":1}}}"));
        assertEquals("Wrong input: Validation failed: Decay midpoint should be in the range (0.0, 1.0), got 1.",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"exp_decay\":{\"x\":1,"
                        + "\"midpoint\":1}}}}"));
        assertEquals("Wrong input: Validation failed: Linear decay midpoint should be in the range [0.0, 1.0], got "
                + "-0.5.", rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"lin_decay\":"
                + "{\"x\":1,\"midpoint\":-0.5}}}}"));
        assertEquals("Wrong input: Validation failed: Decay scale should be non-zero positive, got 0.",
                rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"gauss_decay\":{\"x\":1,"
                        + "\"scale\":0}}}}"));
        for (String shape : List.of("{\"bogus\":1}", "null", "[1]", "true", "{\"mult\":1}", "{\"div\":{\"left\":1}}",
                "{\"geo_distance\":{\"origin\":{\"lat\":100,\"lon\":0},\"to\":\"loc\"}}", "{\"lin_decay\":{}}",
                "{\"datetime\":5}", "1e50")) {
            assertEquals("Format error in JSON body: query: data did not match any variant of untagged enum "
                    + "QueryInterface", rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":" + shape
                    + "}}"), shape);
        }
        assertEquals("Format error in JSON body: prefetch.query: data did not match any variant of untagged enum "
                + "QueryInterface", rest.error(400, "POST", PATH, "{\"prefetch\":{" + top3 + ",\"query\":"
                + "{\"formula\":{\"sum\":2}}},\"query\":[1,0]}"));
        assertTrue(rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":1,\"defaults\":[1]}}")
                .contains("untagged enum QueryInterface"));
        assertTrue(rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":1,\"bogus\":1}}")
                .contains("unknown field `bogus`"));
        assertTrue(rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":{\"formula\":{\"datetime\":\"yesterday\"}}}")
                .contains("'yesterday' is not in a supported date/time format"));
        assertEquals("Wrong input: Expected geo point value for tag in the payload and/or in the formula defaults. "
                + "Error: Value is not a geo point", rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":"
                + "{\"formula\":{\"geo_distance\":{\"origin\":{\"lat\":0,\"lon\":0},\"to\":\"tag\"}}}}"));
        assertEquals("Wrong input: Expected datetime value for price in the payload and/or in the formula defaults. "
                + "Error: Value is not a string", rest.error(400, "POST", PATH, "{" + top3 + ",\"query\":"
                + "{\"formula\":{\"datetime_key\":\"price\"}}}"));
        // groups and batch refuse a formula without prefetches too
        assertTrue(rest.error(400, "POST", "/collections/f/points/query/groups", "{\"query\":{\"formula\":1},"
                + "\"group_by\":\"tag\"}").contains("cannot apply Formula without prefetches"));
    }

    // ---- random formulas against a brute force --------------------------------------------------------------

    /** A point as the brute force sees it: its prefetch score and payload values. */
    private record Row(int id, double score, double x, double y, boolean flag) {}

    /** A random expression: its JSON and its value for a row, computed here in double precision. */
    private record Node(String json, ToDoubleFunction<Row> value) {}

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The f32 Qdrant reads for a number written as {@code num(v)}. */
    private static double f32(double v) {
        return (float) Double.parseDouble(num(v));
    }

    private static Node leaf(Random random) {
        switch (random.nextInt(6)) {
            case 0 -> {
                double c = random.nextDouble() * 4 - 2;
                return new Node(num(c), r -> f32(c));
            }
            case 1 -> {
                return new Node("\"$score\"", Row::score);
            }
            case 2 -> {
                return new Node("\"x\"", Row::x);
            }
            case 3 -> {
                return new Node("\"y\"", Row::y);
            }
            case 4 -> {
                return new Node("{\"key\":\"flag\",\"match\":{\"value\":true}}", r -> r.flag() ? 1 : 0);
            }
            default -> {
                return new Node("\"missing\"", r -> 0.5); // the request's default
            }
        }
    }

    /** A random tree of at most {@code depth} levels whose values stay finite and moderate. */
    private static Node tree(Random random, int depth) {
        if (depth == 0 || random.nextInt(4) == 0) {
            return leaf(random);
        }
        Node a = tree(random, depth - 1);
        Node b = tree(random, depth - 1);
        switch (random.nextInt(12)) {
            case 0 -> {
                return new Node("{\"sum\":[" + a.json() + "," + b.json() + "]}",
                        r -> a.value().applyAsDouble(r) + b.value().applyAsDouble(r));
            }
            case 1 -> {
                return new Node("{\"mult\":[" + a.json() + "," + b.json() + "]}",
                        r -> a.value().applyAsDouble(r) * b.value().applyAsDouble(r));
            }
            case 2 -> {
                return new Node("{\"neg\":" + a.json() + "}", r -> -a.value().applyAsDouble(r));
            }
            case 3 -> {
                return new Node("{\"abs\":" + a.json() + "}", r -> Math.abs(a.value().applyAsDouble(r)));
            }
            case 4 -> { // divisor at least 1
                return new Node("{\"div\":{\"left\":" + a.json() + ",\"right\":{\"sum\":[1,{\"abs\":" + b.json()
                        + "}]}}}", r -> {
                            double left = a.value().applyAsDouble(r);
                            return left == 0 ? 0 : left / (1 + Math.abs(b.value().applyAsDouble(r)));
                        });
            }
            case 5 -> {
                return new Node("{\"sqrt\":{\"abs\":" + a.json() + "}}",
                        r -> Math.sqrt(Math.abs(a.value().applyAsDouble(r))));
            }
            case 6 -> {
                double e = random.nextDouble() * 2;
                return new Node("{\"pow\":{\"base\":{\"sum\":[1,{\"abs\":" + a.json() + "}]},\"exponent\":" + num(e)
                        + "}}", r -> Math.pow(1 + Math.abs(a.value().applyAsDouble(r)), f32(e)));
            }
            case 7 -> {
                return new Node("{\"ln\":{\"sum\":[1,{\"abs\":" + a.json() + "}]}}",
                        r -> Math.log(1 + Math.abs(a.value().applyAsDouble(r))));
            }
            case 8 -> {
                return new Node("{\"log10\":{\"sum\":[1,{\"abs\":" + a.json() + "}]}}",
                        r -> Math.log10(1 + Math.abs(a.value().applyAsDouble(r))));
            }
            case 9 -> {
                return new Node("{\"exp\":{\"gauss_decay\":{\"x\":" + a.json() + "}}}",
                        r -> Math.exp(Math.exp(Math.log(0.5) * Math.pow(a.value().applyAsDouble(r), 2))));
            }
            default -> {
                String[] kinds = {"lin_decay", "exp_decay", "gauss_decay"};
                String kind = kinds[random.nextInt(3)];
                double scale = 0.5 + random.nextDouble() * 2;
                double midpoint = 0.1 + random.nextDouble() * 0.8;
                return new Node("{\"" + kind + "\":{\"x\":" + a.json() + ",\"target\":" + b.json() + ",\"scale\":"
                        + num(scale) + ",\"midpoint\":" + num(midpoint) + "}}", r -> {
                            double x = a.value().applyAsDouble(r);
                            double t = b.value().applyAsDouble(r);
                            double s = f32(scale);
                            double m = f32(midpoint);
                            return switch (kind) {
                                case "lin_decay" -> Math.max(0, 1 - (1 - m) / s * Math.abs(x - t));
                                case "exp_decay" -> Math.exp(Math.log(m) / s * Math.abs(x - t));
                                default -> Math.exp(Math.log(m) / (s * s) * (x - t) * (x - t));
                            };
                        });
            }
        }
    }

    @Test
    void randomFormulasMatchABruteForce() {
        Random random = new Random(2025);
        rest.ok("PUT", "/collections/r", "{\"vectors\":{\"size\":3,\"distance\":\"Dot\"}}");
        int points = 40;
        Map<Integer, float[]> vectors = new HashMap<>();
        Map<Integer, double[]> values = new HashMap<>();
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < points; id++) {
            float[] v = VectorJson.gaussian(random, 3);
            double x = random.nextInt(1000) / 1000.0;
            double y = random.nextInt(2000) / 1000.0 - 1;
            boolean flag = random.nextBoolean();
            vectors.put(id, v);
            values.put(id, new double[] {x, y, flag ? 1 : 0});
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(json(v))
                    .append(",\"payload\":{\"x\":").append(id % 5 == 0 ? "[" + x + "]" : x).append(",\"y\":")
                    .append(y).append(",\"flag\":").append(flag).append("}}");
        }
        rest.ok("PUT", "/collections/r/points?wait=true", body.append("]}").toString());
        for (int round = 0; round < 30; round++) {
            float[] q = VectorJson.gaussian(random, 3);
            Node formula = tree(random, 4);
            List<Row> rows = new ArrayList<>();
            for (int id = 0; id < points; id++) {
                double dot = 0;
                for (int i = 0; i < 3; i++) {
                    dot += (double) q[i] * vectors.get(id)[i];
                }
                double[] p = values.get(id);
                rows.add(new Row(id, dot, p[0], p[1], p[2] == 1));
            }
            Map<Integer, Double> expected = new HashMap<>();
            rows.forEach(r -> expected.put(r.id(), formula.value().applyAsDouble(r)));
            int limit = 1 + random.nextInt(10);
            JsonNode answer = rest.ok("POST", "/collections/r/points/query", "{\"prefetch\":{\"query\":" + json(q)
                    + ",\"limit\":" + points + "},\"query\":{\"formula\":" + formula.json() + ",\"defaults\":"
                    + "{\"missing\":0.5}},\"limit\":" + limit + "}").get("points");
            assertEquals(limit, answer.size(), formula.json());
            List<Double> sorted = new ArrayList<>(expected.values());
            sorted.sort((a, b) -> Double.compare(b, a));
            double previous = Double.POSITIVE_INFINITY;
            for (int i = 0; i < answer.size(); i++) {
                int id = answer.get(i).get("id").asInt();
                double score = answer.get(i).get("score").asDouble();
                double tolerance = 1e-4 * Math.max(1, Math.abs(expected.get(id)));
                assertEquals(expected.get(id), score, tolerance, "point " + id + " of " + formula.json());
                assertEquals(sorted.get(i), score, tolerance, "rank " + i + " of " + formula.json());
                assertTrue(score <= previous, "best first");
                previous = score;
            }
        }
    }
}
