package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five points worked out by hand for formula queries, and the checks every server (standalone or any cluster node)
 * must pass on them. Dot product on two dimensions, so that the prefetch scores are exact:
 * <pre>
 * id  vector      [1,0]   [0,1]  [3,1]  payload
 * 1   [1, 0]      1       0      3      price 10,   tag a, loc (0,0), at 2025-01-01
 * 2   [0.5, 0]    0.5     0      1.5    price 20,   tag b, loc (1,0), at 2025-01-02
 * 3   [0.25, 0]   0.25    0      0.75   price [30], tag a, loc (0,1), at 2025-01-03
 * 4   [-0.5, 1]   -0.5    1      -0.5   tag c (no price)
 * 5   [-1, 0.5]   -1      0.5    -2.5   price [1, 2]
 * </pre>
 * Stateless.
 */
final class FormulaFixture {
    /** R·π/180: one degree of a great circle in meters (the mean Earth radius Qdrant's geo crate uses). */
    static final double ONE_DEGREE = 6_371_008.8 * Math.PI / 180;

    private FormulaFixture() {
    }

    static void create(RestClient rest, String name, String extra) {
        rest.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}" + extra + "}");
    }

    static void upsert(RestClient rest, String name) {
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", "{\"points\":["
                + "{\"id\":1,\"vector\":[1,0],\"payload\":{\"price\":10,\"tag\":\"a\",\"loc\":{\"lat\":0,\"lon\":0},"
                + "\"at\":\"2025-01-01T00:00:00Z\"}},"
                + "{\"id\":2,\"vector\":[0.5,0],\"payload\":{\"price\":20,\"tag\":\"b\",\"loc\":{\"lat\":1,\"lon\":0},"
                + "\"at\":\"2025-01-02T00:00:00Z\"}},"
                + "{\"id\":3,\"vector\":[0.25,0],\"payload\":{\"price\":[30],\"tag\":\"a\",\"loc\":{\"lat\":0,"
                + "\"lon\":1},\"at\":\"2025-01-03T00:00:00Z\"}},"
                + "{\"id\":4,\"vector\":[-0.5,1],\"payload\":{\"tag\":\"c\"}},"
                + "{\"id\":5,\"vector\":[-1,0.5],\"payload\":{\"price\":[1,2]}}]}");
    }

    static List<Integer> ids(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    static List<Double> scores(JsonNode points) {
        List<Double> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("score").asDouble()));
        return out;
    }

    static void assertScores(List<Double> expected, JsonNode points) {
        List<Double> actual = scores(points);
        assertEquals(expected.size(), actual.size(), () -> "scores " + actual);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), 1e-5 * Math.max(1, Math.abs(expected.get(i))),
                    "score " + i + " of " + actual);
        }
    }

    /** The points of {@code POST points/query} with this body. */
    static JsonNode query(RestClient rest, String name, String body) {
        return rest.ok("POST", "/collections/" + name + "/points/query", body).get("points");
    }

    /** The formula's score for point 1 alone (prefetched by [1,0], so {@code $score} is 1). */
    static double one(RestClient rest, String name, String formula) {
        JsonNode points = query(rest, name, "{\"prefetch\":{\"query\":[1,0],\"filter\":{\"must\":{\"has_id\":[1]}}},"
                + "\"query\":{\"formula\":" + formula + "}}");
        assertEquals(List.of(1), ids(points), formula);
        return points.get(0).get("score").asDouble();
    }

    /** Every hand-worked answer of the five points. */
    static void checkHandWorked(RestClient rest, String name) {
        String top3 = "\"prefetch\":{\"query\":[1,0],\"limit\":3}";
        // score + 0.1·price: 1 → 2, 2 → 2.5, 3 → 3.25 (price [30] is 30)
        JsonNode points = query(rest, name, "{" + top3 + ",\"query\":{\"formula\":{\"sum\":[\"$score\","
                + "{\"mult\":[0.1,\"price\"]}]}},\"with_payload\":[\"tag\"]}");
        assertEquals(List.of(3, 2, 1), ids(points));
        assertScores(List.of(3.25, 2.5, 2.0), points);
        assertEquals("a", points.get(0).get("payload").get("tag").asText());
        assertTrue(points.get(0).path("vector").isNull() || !points.get(0).has("vector"), points::toString);
        // limit, offset, score_threshold, with_vector
        points = query(rest, name, "{" + top3 + ",\"query\":{\"formula\":{\"sum\":[\"$score\",{\"mult\":[0.1,"
                + "\"price\"]}]}},\"limit\":1,\"offset\":1,\"with_vector\":true}");
        assertEquals(List.of(2), ids(points));
        assertEquals(0.5, points.get(0).get("vector").get(0).asDouble());
        points = query(rest, name, "{" + top3 + ",\"query\":{\"formula\":{\"sum\":[\"$score\",{\"mult\":[0.1,"
                + "\"price\"]}]}},\"score_threshold\":2.5}");
        assertEquals(List.of(3, 2), ids(points));

        // each operator, on point 1 (score 1, price 10)
        assertEquals(7.5, one(rest, name, "7.5"));
        assertEquals(1.0, one(rest, name, "\"$score\""));
        assertEquals(10.0, one(rest, name, "\"price\""));
        assertEquals(-10.0, one(rest, name, "{\"neg\":\"price\"}"));
        assertEquals(10.0, one(rest, name, "{\"abs\":{\"neg\":\"price\"}}"));
        assertEquals(2.5, one(rest, name, "{\"div\":{\"left\":\"price\",\"right\":4}}"));
        assertEquals(9.0, one(rest, name, "{\"div\":{\"left\":1,\"right\":{\"sum\":[]},\"by_zero_default\":9}}"));
        assertEquals(0.0, one(rest, name, "{\"div\":{\"left\":0,\"right\":0}}"));
        assertEquals((float) Math.sqrt(10), one(rest, name, "{\"sqrt\":\"price\"}"), 1e-6);
        assertEquals(100.0, one(rest, name, "{\"pow\":{\"base\":\"price\",\"exponent\":2}}"));
        assertEquals((float) Math.E, one(rest, name, "{\"exp\":\"$score\"}"), 1e-6);
        assertEquals(1.0, one(rest, name, "{\"log10\":\"price\"}"));
        assertEquals(2.0, one(rest, name, "{\"ln\":{\"exp\":2}}"), 1e-6);
        assertEquals(60.0, one(rest, name, "{\"mult\":[2,\"price\",3]}"));
        assertEquals(0.0, one(rest, name, "{\"mult\":[0,{\"ln\":0}]}"), "a zero factor stops the product");
        // decays: linear 1 - (1 - 0.5)/4·|10 - 12| = 0.75; exponential 0.5^(2/2); Gaussian 0.25^((10-14)²/2²)
        assertEquals(0.75, one(rest, name, "{\"lin_decay\":{\"x\":\"price\",\"target\":12,\"scale\":4}}"), 1e-6);
        assertEquals(0.5, one(rest, name, "{\"exp_decay\":{\"x\":\"price\",\"target\":12,\"scale\":2}}"), 1e-6);
        assertEquals(Math.pow(0.25, 4), one(rest, name, "{\"gauss_decay\":{\"x\":\"price\",\"target\":14,"
                + "\"scale\":2,\"midpoint\":0.25}}"), 1e-7);
        assertEquals(0.5, one(rest, name, "{\"gauss_decay\":{\"x\":1}}"), 1e-7, "defaults: target 0, scale 1, 0.5");
        assertEquals(0.0, one(rest, name, "{\"lin_decay\":{\"x\":\"price\"}}"), "linear decay stops at 0");
        // conditions: 1 when the point matches
        assertEquals(1.0, one(rest, name, "{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}"));
        assertEquals(0.0, one(rest, name, "{\"key\":\"tag\",\"match\":{\"value\":\"b\"}}"));
        assertEquals(1.0, one(rest, name, "{\"has_id\":[1,2]}"));
        assertEquals(1.0, one(rest, name, "{\"must_not\":[{\"key\":\"price\",\"range\":{\"gt\":10}}]}"));
        assertEquals(1.0, one(rest, name, "{}"), "an empty filter matches every point");
        points = query(rest, name, "{" + top3 + ",\"query\":{\"formula\":{\"sum\":[\"$score\",{\"mult\":[10,"
                + "{\"key\":\"tag\",\"match\":{\"value\":\"a\"}}]}]}}}");
        assertEquals(List.of(1, 3, 2), ids(points));
        assertScores(List.of(11.0, 10.25, 0.5), points);
        // geo: point 1 is at (0,0), one degree of latitude from (1,0)
        assertEquals((float) ONE_DEGREE, one(rest, name, "{\"geo_distance\":{\"origin\":{\"lat\":1,\"lon\":0},"
                + "\"to\":\"loc\"}}"), 0.01);
        points = query(rest, name, "{" + top3 + ",\"query\":{\"formula\":{\"geo_distance\":{\"origin\":{\"lat\":1,"
                + "\"lon\":0},\"to\":\"loc\"}}}}");
        assertEquals(List.of(3, 1, 2), ids(points)); // √2°, 1°, 0
        assertEquals(0.0, points.get(2).get("score").asDouble());
        // datetimes in seconds: 2025-01-01 is a day after 2024-12-31
        assertEquals(86400.0, one(rest, name, "{\"sum\":[{\"datetime_key\":\"at\"},{\"neg\":{\"datetime\":"
                + "\"2024-12-31T00:00:00Z\"}}]}"));
        assertEquals(0.5, one(rest, name, "{\"exp_decay\":{\"x\":{\"datetime_key\":\"at\"},\"target\":{\"datetime\":"
                + "\"2025-01-02T00:00:00Z\"},\"scale\":86400}}"), 1e-6);

        // $score[i] over two prefetches: 1 → 1 + 10·3, 2 → 0.5 + 10·1.5,
        // 3 → 0.25 + 10·(absent: 0, or the default)
        String two = "\"prefetch\":[{\"query\":[1,0],\"limit\":3},{\"query\":[3,1],\"limit\":2}]";
        points = query(rest, name, "{" + two + ",\"query\":{\"formula\":{\"sum\":[\"$score[0]\",{\"mult\":[10,"
                + "\"$score[1]\"]}]}}}");
        assertEquals(List.of(1, 2, 3), ids(points));
        assertScores(List.of(31.0, 15.5, 0.25), points);
        points = query(rest, name, "{" + two + ",\"query\":{\"formula\":{\"sum\":[\"$score[0]\",{\"mult\":[10,"
                + "\"$score[1]\"]}]},\"defaults\":{\"$score[1]\":-1}}}");
        assertScores(List.of(31.0, 15.5, -9.75), points);
        // the union: prefetch 1's points count too ($score[0] of a point only prefetch 1 found is 0)
        points = query(rest, name, "{\"prefetch\":[{\"query\":[1,0],\"limit\":1},{\"query\":[0,1],\"limit\":1}],"
                + "\"query\":{\"formula\":{\"sum\":[\"$score[0]\",{\"mult\":[2,\"$score[1]\"]}]}}}");
        assertEquals(List.of(4, 1), ids(points));
        assertScores(List.of(2.0, 1.0), points);

        // defaults for payload variables, and the error without one
        String four = "\"prefetch\":{\"query\":[0,1],\"filter\":{\"must\":{\"has_id\":[4]}}}";
        points = query(rest, name, "{" + four + ",\"query\":{\"formula\":\"price\",\"defaults\":{\"price\":7}}}");
        assertScores(List.of(7.0), points);
        assertEquals("Wrong input: Expected number value for price in the payload and/or in the formula defaults. "
                + "Error: No value found in a payload nor defaults", rest.error(400, "POST", "/collections/" + name
                + "/points/query", "{" + four + ",\"query\":{\"formula\":\"price\"}}"));
        assertEquals("Wrong input: Expected number value for price in the payload and/or in the formula defaults. "
                + "Error: Value is not a number", rest.error(400, "POST", "/collections/" + name
                + "/points/query", "{\"prefetch\":{\"query\":[0,1],\"limit\":2},\"query\":{\"formula\":\"price\","
                + "\"defaults\":{\"price\":7}}}"));

        // a formula in a prefetch: -price of the three nearest, the best two passed up, then negated again
        points = query(rest, name, "{\"prefetch\":{\"prefetch\":" + top3.substring("\"prefetch\":".length())
                + ",\"query\":{\"formula\":{\"neg\":\"price\"}},\"limit\":2},\"query\":{\"formula\":{\"mult\":"
                + "[\"$score\",-1]}}}");
        assertEquals(List.of(2, 1), ids(points));
        assertScores(List.of(20.0, 10.0), points);
        // a formula's prefetch with a score_threshold, under a nearest re-scoring
        points = query(rest, name, "{\"prefetch\":{\"prefetch\":" + top3.substring("\"prefetch\":".length())
                + ",\"query\":{\"formula\":\"price\"},\"score_threshold\":20},\"query\":[1,0]}");
        assertEquals(List.of(2, 3), ids(points));
        assertScores(List.of(0.5, 0.25), points);

        // groups: by tag, best hit per group by 0.1·price + score (price 0 by default); the prefetch's limit grows
        // with the number of groups (Qdrant's increase_limit_for_group), so point 5 (two prices) is filtered out
        JsonNode groups = rest.ok("POST", "/collections/" + name + "/points/query/groups", "{\"prefetch\":"
                + "{\"query\":[1,0],\"limit\":4,\"filter\":{\"must_not\":{\"has_id\":[5]}}},"
                + "\"query\":{\"formula\":{\"sum\":[\"$score\",{\"mult\":[0.1,"
                + "\"price\"]}]},\"defaults\":{\"price\":0}},\"group_by\":\"tag\",\"group_size\":1,\"limit\":3}")
                .get("groups");
        assertEquals(3, groups.size(), groups::toString);
        List<String> keys = new ArrayList<>();
        groups.forEach(g -> keys.add(g.get("id").asText()));
        assertEquals(List.of("a", "b", "c"), keys);
        assertEquals(List.of(3), ids(groups.get(0).get("hits")));
        assertScores(List.of(3.25), groups.get(0).get("hits"));
        assertScores(List.of(-0.5), groups.get(2).get("hits"));
        // batch: two formula queries at once, and a failing one fails the batch
        JsonNode batch = rest.ok("POST", "/collections/" + name + "/points/query/batch", "{\"searches\":["
                + "{" + top3 + ",\"query\":{\"formula\":\"price\"},\"limit\":1},"
                + "{" + two + ",\"query\":{\"formula\":\"$score[1]\"},\"limit\":2}]}");
        assertEquals(List.of(3), ids(batch.get(0).get("points")));
        assertEquals(List.of(1, 2), ids(batch.get(1).get("points")));
        assertScores(List.of(3.0, 1.5), batch.get(1).get("points"));
        assertTrue(rest.error(400, "POST", "/collections/" + name + "/points/query/batch", "{\"searches\":["
                + "{" + top3 + ",\"query\":{\"formula\":\"price\"}},{" + top3 + ",\"query\":{\"formula\":"
                + "\"nope\"}}]}").contains("Expected number value for nope"));
    }
}
