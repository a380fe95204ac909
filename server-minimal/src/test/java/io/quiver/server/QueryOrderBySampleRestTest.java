package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

import static io.quiver.server.VectorJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code order_by} and {@code sample} queries of {@code points/query} (and its batch) over a real socket, as
 * Qdrant runs them: listed points (score 1, version 0, as a query without a query lists them by id;
 * {@code order_value} for order_by) in the order of a payload value or at random, at the root, in a prefetch and over
 * prefetched points, against a brute-force computation from the stored points; points without a vector are listed
 * like the others; and the 400s. Collection {@code c}: Dot, points 0..199 with random vectors (none when i mod 7 = 3)
 * and payload {@code {"price": (37·i) mod 50 (none when i mod 25 = 3), "kind": "even"|"odd"}} (four points share each
 * price), an integer index on {@code price} where a test needs it. Randomized: {@code -Dquiver.seed=} replays.
 */
class QueryOrderBySampleRestTest extends RestServerTest {
    private static final int N = 200;
    private static final String PATH = "/collections/c/points/query";
    private static final String EVEN = "\"filter\":{\"must\":[{\"key\":\"kind\",\"match\":{\"value\":\"even\"}}]}";

    private final Map<Integer, float[]> vectors = new HashMap<>();
    private final Map<Integer, ObjectNode> payloads = new HashMap<>();
    private long seed;
    private Random random;

    @BeforeEach
    void createData() {
        seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("QueryOrderBySampleRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        random = new Random(seed);
        rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < N; i++) {
            float[] v = i % 7 == 3 ? null : VectorJson.gaussian(random, 4);
            ObjectNode payload = RestClient.JSON.createObjectNode().put("kind", i % 2 == 0 ? "even" : "odd");
            if (i % 25 != 3) {
                payload.put("price", (37 * i) % 50);
            }
            vectors.put(i, v);
            payloads.put(i, payload);
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":")
                    .append(v == null ? "{}" : json(v)).append(",\"payload\":").append(payload).append('}');
        }
        rest.ok("PUT", "/collections/c/points?wait=true", points.append("]}").toString());
    }

    private void indexPrice() {
        rest.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"price\",\"field_schema\":\"integer\"}");
    }

    private JsonNode query(String body) {
        return rest.ok("POST", PATH, body).get("points");
    }

    private static List<Integer> ids(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    private static boolean even(int id) {
        return id % 2 == 0;
    }

    /** The ids with a price among {@code candidates} by (price, id), or reversed; {@code startFrom} bounds prices. */
    private List<Integer> byPrice(Iterable<Integer> candidates, boolean descending, Integer startFrom) {
        Comparator<Integer> asc = Comparator.<Integer>comparingInt(id -> payloads.get(id).get("price").asInt())
                .thenComparing(Comparator.naturalOrder());
        List<Integer> out = new ArrayList<>();
        for (int id : candidates) {
            JsonNode price = payloads.get(id).get("price");
            if (price != null && (startFrom == null || (descending ? price.asInt() <= startFrom
                    : price.asInt() >= startFrom))) {
                out.add(id);
            }
        }
        out.sort(descending ? asc.reversed() : asc);
        return out;
    }

    private List<Integer> all(IntPredicate filter) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (filter.test(i)) {
                out.add(i);
            }
        }
        return out;
    }

    private double dot(float[] q, int id) {
        double s = 0;
        for (int k = 0; k < q.length; k++) {
            s += (double) q[k] * vectors.get(id)[k];
        }
        return s;
    }

    /** The {@code k} points with a vector that score highest against {@code q}. */
    private List<Integer> nearest(float[] q, Iterable<Integer> candidates, int k) {
        List<Integer> out = new ArrayList<>();
        candidates.forEach(id -> {
            if (vectors.get(id) != null) {
                out.add(id);
            }
        });
        out.sort(Comparator.comparingDouble(id -> -dot(q, id)));
        return out.subList(0, Math.min(k, out.size()));
    }

    private static List<Integer> page(List<Integer> ids, int offset, int limit) {
        return ids.subList(Math.min(offset, ids.size()), Math.min(ids.size(), offset + limit));
    }

    /** Each point listed as Qdrant lists them: version 0, score 1, its stored payload and vector as asked. */
    private void assertListed(JsonNode points, boolean withPayload, boolean withVector, boolean orderValue) {
        for (JsonNode p : points) {
            int id = p.get("id").asInt();
            assertEquals(0, p.get("version").asLong(), p.toString());
            assertEquals(1.0, p.get("score").asDouble(), p.toString());
            assertEquals(withPayload ? payloads.get(id) : null, p.get("payload").isNull() ? null : p.get("payload"),
                    p.toString());
            if (!withVector) {
                assertTrue(p.get("vector").isNull(), p.toString());
            } else if (vectors.get(id) == null) {
                assertEquals("{}", p.get("vector").toString(), "a point without a vector: " + p);
            } else {
                assertEquals(json(vectors.get(id)), p.get("vector").toString(), p.toString());
            }
            if (orderValue) {
                assertTrue(p.get("order_value").isIntegralNumber(), p.toString());
                assertEquals(payloads.get(id).get("price").asLong(), p.get("order_value").asLong(), p.toString());
            } else {
                assertFalse(p.has("order_value"), p.toString());
            }
        }
    }

    @Test
    void orderByListsPointsByThePayloadValueAsTheOrderedScrollDoes() {
        String unindexed = rest.error(400, "POST", PATH, "{\"query\":{\"order_by\":\"price\"}}");
        assertTrue(unindexed.startsWith("Wrong input: No range index for `order_by` key: `price`."), unindexed);
        indexPrice();

        JsonNode first = query("{\"query\":{\"order_by\":\"price\"},\"limit\":15,\"with_payload\":true}");
        assertEquals(page(byPrice(all(id -> true), false, null), 0, 15), ids(first), "seed " + seed);
        assertListed(first, true, false, true);
        JsonNode scroll = rest.ok("POST", "/collections/c/points/scroll", "{\"order_by\":\"price\",\"limit\":15}");
        assertEquals(ids(scroll.get("points")), ids(first), "the scroll's order");

        // desc from a bound, filtered, paged by offset; vectors asked for: those without one show {}
        String body = "{\"query\":{\"order_by\":{\"key\":\"price\",\"direction\":\"desc\",\"start_from\":30}},"
                + EVEN + ",\"offset\":3,\"limit\":40,\"with_vector\":true}";
        JsonNode desc = query(body);
        List<Integer> expected = page(byPrice(all(QueryOrderBySampleRestTest::even), true, 30), 3, 40);
        assertEquals(expected, ids(desc), "seed " + seed);
        assertListed(desc, false, true, true);
        assertTrue(expected.stream().anyMatch(id -> vectors.get(id) == null),
                "the page holds a point without a vector");
        // equal prices go by id, reversed in a descending order, as Qdrant merges its (value, id) pairs
        boolean tie = false;
        for (int i = 1; i < desc.size(); i++) {
            if (desc.get(i).get("order_value").asLong() == desc.get(i - 1).get("order_value").asLong()) {
                tie = true;
                assertTrue(desc.get(i).get("id").asInt() < desc.get(i - 1).get("id").asInt(), desc.toString());
            }
        }
        assertTrue(tie, "the page holds equal prices");
    }

    @Test
    void orderByRunsInAPrefetchAndOverPrefetchedPoints() {
        indexPrice();
        float[] q = VectorJson.gaussian(random, 4);
        String nearest = "{\"query\":" + json(q) + ",\"limit\":20,\"params\":{\"exact\":true}}";

        // the 20 nearest points, ordered by price (desc), paged by offset; payloads read for the page
        JsonNode over = query("{\"prefetch\":" + nearest + ",\"query\":{\"order_by\":{\"key\":\"price\","
                + "\"direction\":\"desc\"}},\"offset\":2,\"limit\":5,\"with_payload\":true}");
        assertEquals(page(byPrice(nearest(q, all(id -> true), 20), true, null), 2, 5), ids(over), "seed " + seed);
        assertListed(over, true, false, true);

        // the first 30 by price, re-scored by a nearest query: points without a vector drop out there
        JsonNode rescored = query("{\"prefetch\":{\"query\":{\"order_by\":\"price\"},\"limit\":30," + EVEN + "},"
                + "\"query\":" + json(q) + ",\"limit\":8}");
        List<Integer> cheapest = page(byPrice(all(QueryOrderBySampleRestTest::even), false, null), 0, 30);
        assertTrue(cheapest.stream().anyMatch(id -> vectors.get(id) == null), "a prefetched point without a vector");
        assertEquals(nearest(q, cheapest, 8), ids(rescored), "seed " + seed);
        for (JsonNode p : rescored) {
            assertEquals(dot(q, p.get("id").asInt()), p.get("score").asDouble(), 1e-4, p.toString());
            assertFalse(p.has("order_value"), p.toString());
        }

        // one order_by per batch entry, next to a nearest query
        JsonNode batch = rest.ok("POST", PATH + "/batch", "{\"searches\":[{\"query\":{\"order_by\":\"price\"},"
                + "\"limit\":4},{\"query\":" + json(q) + ",\"limit\":2,\"params\":{\"exact\":true}}]}");
        assertEquals(page(byPrice(all(id -> true), false, null), 0, 4), ids(batch.get(0).get("points")));
        assertEquals(nearest(q, all(id -> true), 2), ids(batch.get(1).get("points")));
    }

    @Test
    void sampleDrawsDistinctMatchingPointsAtRandom() {
        Set<String> orders = new HashSet<>();
        Set<Integer> seen = new HashSet<>();
        for (int call = 0; call < 20; call++) {
            JsonNode sample = query("{\"query\":{\"sample\":\"random\"},\"limit\":10," + EVEN
                    + ",\"with_payload\":true}");
            List<Integer> got = ids(sample);
            assertEquals(10, got.size(), sample.toString());
            assertEquals(10, new HashSet<>(got).size(), "distinct: " + got);
            got.forEach(id -> assertTrue(id >= 0 && id < N && even(id), "an even point that exists: " + id));
            assertListed(sample, true, false, false);
            orders.add(got.toString());
            seen.addAll(got);
        }
        // 10 of 100 even points: two equal draws have probability 1 / (100·99·…·91) < 1e-19
        assertTrue(orders.size() > 1, "twenty draws were all " + orders);
        assertTrue(seen.size() > 10, "twenty draws saw only " + seen);

        // fewer matching points than the limit: all of them, those without a vector too; the offset is ignored, as in
        // Qdrant (a sample is not stable), and so is a score_threshold
        String few = "\"filter\":{\"must\":[{\"key\":\"price\",\"range\":{\"lt\":4}}]}";
        List<Integer> expected = all(id -> payloads.get(id).has("price") && payloads.get(id).get("price").asInt() < 4);
        JsonNode all = query("{\"query\":{\"sample\":\"random\"},\"limit\":100,\"offset\":50,\"score_threshold\":5,"
                + few + ",\"with_vector\":true}");
        assertEquals(new HashSet<>(expected), new HashSet<>(ids(all)), "every matching point");
        assertEquals(expected.size(), all.size());
        assertTrue(expected.stream().anyMatch(id -> vectors.get(id) == null), "a matching point without a vector");
        assertListed(all, false, true, false);
    }

    @Test
    void sampleRunsInAPrefetchAndOverPrefetchedPoints() {
        indexPrice();
        float[] q = VectorJson.gaussian(random, 4);
        String nearest = "{\"query\":" + json(q) + ",\"limit\":12,\"params\":{\"exact\":true}}";
        Set<Integer> twelve = new HashSet<>(nearest(q, all(id -> true), 12));
        Set<Integer> seen = new HashSet<>();
        for (int call = 0; call < 20; call++) {
            List<Integer> got = ids(query("{\"prefetch\":" + nearest + ",\"query\":{\"sample\":\"random\"},"
                    + "\"limit\":5}"));
            assertEquals(5, new HashSet<>(got).size(), got.toString());
            assertTrue(twelve.containsAll(got), got + " among the prefetched " + twelve);
            seen.addAll(got);
        }
        // the same 5 of 12 twenty times has probability (1/792)^19
        assertTrue(seen.size() > 5, "twenty draws saw only " + seen);
        // over prefetches the offset counts: 12 candidates, skip 10
        assertEquals(2, query("{\"prefetch\":" + nearest + ",\"query\":{\"sample\":\"random\"},\"offset\":10,"
                + "\"limit\":5}").size());

        // a sample as a prefetch, ordered by price at the root: 50 distinct points in price order
        JsonNode ordered = query("{\"prefetch\":{\"query\":{\"sample\":\"random\"},\"limit\":50," + EVEN + "},"
                + "\"query\":{\"order_by\":\"price\"},\"limit\":50,\"with_payload\":true}");
        List<Integer> got = ids(ordered);
        assertTrue(got.size() <= 50 && got.size() >= 40, "the sampled even points that have a price: " + got);
        assertEquals(byPrice(new LinkedHashSet<>(got), false, null), got, "in price order");
        got.forEach(id -> assertTrue(even(id), "even: " + id));
        assertListed(ordered, true, false, true);
    }

    @Test
    void withoutAQueryPointsAreListedByIdAsTheOtherListsAre() {
        // Qdrant's query_scroll gives every scroll-based result score 1 and version 0, the id order's too
        JsonNode byId = query("{" + EVEN + ",\"offset\":2,\"limit\":6,\"with_payload\":true,\"with_vector\":true}");
        assertEquals(page(all(QueryOrderBySampleRestTest::even), 2, 6), ids(byId));
        assertListed(byId, true, true, false);
        assertTrue(ids(byId).stream().anyMatch(id -> vectors.get(id) == null), "a point without a vector: " + byId);
    }

    @Test
    void badOrderByAndSampleQueriesAreQdrantsErrors() {
        indexPrice();
        assertEquals("Bad request: Can't use score_threshold with an order_by query.", rest.error(400, "POST", PATH,
                "{\"query\":{\"order_by\":\"price\"},\"score_threshold\":0.5}"));
        assertEquals("Bad request: Can't use score_threshold with an order_by query.", rest.error(400, "POST", PATH,
                "{\"prefetch\":{\"query\":{\"order_by\":\"price\"},\"score_threshold\":0.5},\"query\":"
                        + "{\"sample\":\"random\"}}"));
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"order_by\":{\"key\":\"price\",\"direction\":\"up\"}}}")
                .contains("query.order_by"));
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"order_by\":5}}").contains("query.order_by"));
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"order_by\":\"price\",\"limit\":3}}")
                .contains("unknown field `limit`"));
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"sample\":\"often\"}}").contains("`random`"));
        assertTrue(rest.error(400, "POST", PATH, "{\"prefetch\":{\"query\":{\"order_by\":\"kind\"}},\"query\":"
                + "{\"sample\":\"random\"}}").contains("No range index for `order_by` key: `kind`"));
        // a formula needs prefetches; relevance_feedback is still not run here
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"formula\":{\"sum\":[1]}}}")
                .contains("cannot apply Formula without prefetches"));
        assertTrue(rest.error(400, "POST", PATH, "{\"query\":{\"relevance_feedback\":{}}}").contains("not supported"));
    }
}
