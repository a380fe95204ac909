package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * {@code points/query/groups} with an {@code order_by} or a {@code sample} root over a real socket, as Qdrant groups
 * them: its aggregator ranks hits, and groups by their best hit, in the order the query gives ({@code order_value}
 * ascending or descending), and keeps whichever groups and hits come first when the query has no order (a random
 * sample). Checked against a brute-force grouping of the stored payloads. Collection {@code c}: Dot, points 0..N-1
 * with payload {@code price} a random permutation of 0..N-1 (none when i mod 11 = 5; integer index), {@code g} a
 * group value (a keyword, an integer for i mod 3 = 0; none when i mod 13 = 7) and {@code kind} even/odd.
 * Randomized: {@code -Dquiver.seed=} replays.
 */
class QueryGroupsOrderSampleRestTest extends RestServerTest {
    private static final int N = 150;
    private static final String PATH = "/collections/c/points/query/groups";

    private final Map<Integer, ObjectNode> payloads = new HashMap<>();
    private long seed;

    @BeforeEach
    void createData() {
        seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("QueryGroupsOrderSampleRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Integer> prices = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            prices.add(i);
        }
        Collections.shuffle(prices, random);
        rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < N; i++) {
            ObjectNode payload = RestClient.JSON.createObjectNode().put("kind", i % 2 == 0 ? "even" : "odd");
            if (i % 11 != 5) {
                payload.put("price", prices.get(i));
            }
            if (i % 13 != 7) {
                int value = random.nextInt(9);
                if (i % 3 == 0) {
                    payload.put("g", value);
                } else {
                    payload.put("g", "v" + value);
                }
            }
            payloads.put(i, payload);
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":")
                    .append(json(VectorJson.gaussian(random, 4))).append(",\"payload\":").append(payload).append('}');
        }
        rest.ok("PUT", "/collections/c/points?wait=true", points.append("]}").toString());
        rest.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"price\",\"field_schema\":\"integer\"}");
    }

    /**
     * The brute-force answer: the points passing {@code keep} that have a group value and a price, ordered by price
     * ({@code descending} or not); each group's hits are its points in that order, groups ranked by their first hit;
     * {@code limit} groups of at most {@code size} hits, as lines "group: id=price id=price…".
     */
    private List<String> expected(IntPredicate keep, boolean descending, int size, int limit) {
        List<Integer> ranked = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (keep.test(i) && payloads.get(i).has("g") && payloads.get(i).has("price")) {
                ranked.add(i);
            }
        }
        Comparator<Integer> byPrice = Comparator.comparingInt(i -> payloads.get(i).get("price").intValue());
        ranked.sort(descending ? byPrice.reversed() : byPrice);
        Map<String, List<Integer>> groups = new LinkedHashMap<>(); // first hit first: already ranked
        for (int id : ranked) {
            groups.computeIfAbsent(payloads.get(id).get("g").toString(), k -> new ArrayList<>()).add(id);
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            StringBuilder line = new StringBuilder(g.getKey()).append(':');
            for (int id : g.getValue().subList(0, Math.min(size, g.getValue().size()))) {
                line.append(' ').append(id).append('=').append(payloads.get(id).get("price").intValue());
            }
            out.add(line.toString());
        }
        return out;
    }

    /** The server's groups as lines "group: id=order_value…", each hit checked to be listed (score 1). */
    private static List<String> lines(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode g : result.get("groups")) {
            StringBuilder line = new StringBuilder(g.get("id").toString()).append(':');
            for (JsonNode h : g.get("hits")) {
                assertEquals(1.0, h.get("score").asDouble(), h::toString);
                assertTrue(h.get("order_value").isIntegralNumber(), h::toString);
                line.append(' ').append(h.get("id").asInt()).append('=').append(h.get("order_value").asLong());
            }
            out.add(line.toString());
        }
        return out;
    }

    @Test
    void orderByGroupsRankHitsAndGroupsByTheOrderValue() {
        JsonNode asc = rest.ok("POST", PATH, "{\"query\":{\"order_by\":\"price\"},\"group_by\":\"g\",\"group_size\":3,"
                + "\"limit\":5}");
        assertEquals(expected(i -> true, false, 3, 5), lines(asc), "asc, seed " + seed);
        // the defaults (group_size 3, limit 10), descending, with a filter and start_from
        JsonNode desc = rest.ok("POST", PATH, """
                {"query":{"order_by":{"key":"price","direction":"desc","start_from":120}},"group_by":"g",
                 "filter":{"must":[{"key":"kind","match":{"value":"even"}}]}}""");
        IntPredicate evenBelow = i -> i % 2 == 0 && payloads.get(i).has("price")
                && payloads.get(i).get("price").intValue() <= 120;
        assertEquals(expected(evenBelow, true, 3, 10), lines(desc), "desc, seed " + seed);
        // more groups and hits than exist: every point with a group value and a price, grouped
        JsonNode all = rest.ok("POST", PATH, "{\"query\":{\"order_by\":{\"key\":\"price\",\"direction\":\"asc\"}},"
                + "\"group_by\":\"g\",\"group_size\":100,\"limit\":100,\"with_payload\":true}");
        assertEquals(expected(i -> true, false, 100, 100), lines(all), "all, seed " + seed);
        all.get("groups").forEach(g -> g.get("hits").forEach(h ->
                assertEquals(payloads.get(h.get("id").asInt()), h.get("payload"), "seed " + seed)));
    }

    @Test
    void orderByGroupsOverPrefetchedPoints() {
        // the prefetch lists the odd points by id; its limit is multiplied by the groups, so it covers them all
        JsonNode got = rest.ok("POST", PATH, """
                {"prefetch":{"filter":{"must":[{"key":"kind","match":{"value":"odd"}}]},"limit":40},
                 "query":{"order_by":{"key":"price","direction":"desc"}},"group_by":"g","group_size":2,"limit":4}""");
        assertEquals(expected(i -> i % 2 == 1, true, 2, 4), lines(got), "seed " + seed);
    }

    @Test
    void sampleGroupsAreRandomGroupsFilledWithRandomMembers() {
        Map<String, Set<Integer>> members = new HashMap<>();
        for (int i = 0; i < N; i++) {
            if (payloads.get(i).has("g") && i % 2 == 0) {
                members.computeIfAbsent(payloads.get(i).get("g").toString(), k -> new HashSet<>()).add(i);
            }
        }
        String body = "{\"query\":{\"sample\":\"random\"},\"group_by\":\"g\",\"group_size\":2,\"limit\":4,"
                + "\"filter\":{\"must\":[{\"key\":\"kind\",\"match\":{\"value\":\"even\"}}]},\"with_payload\":[\"g\"]}";
        Set<String> answers = new HashSet<>();
        for (int round = 0; round < 15; round++) {
            JsonNode groups = rest.ok("POST", PATH, body).get("groups");
            assertEquals(Math.min(4, members.size()), groups.size(), () -> "seed " + seed + ": " + groups);
            Set<String> seenGroups = new HashSet<>();
            for (JsonNode g : groups) {
                String key = g.get("id").toString();
                assertTrue(seenGroups.add(key), () -> "a group twice, seed " + seed + ": " + groups);
                Set<Integer> of = members.get(key);
                assertTrue(of != null, () -> "no such group " + key + ", seed " + seed);
                // a chosen group gets as many hits as it has members, up to group_size
                assertEquals(Math.min(2, of.size()), g.get("hits").size(), () -> "seed " + seed + ": " + g);
                Set<Integer> hitIds = new HashSet<>();
                for (JsonNode h : g.get("hits")) {
                    int id = h.get("id").asInt();
                    assertTrue(of.contains(id) && hitIds.add(id), () -> "hit " + id + " in " + key + ", seed " + seed);
                    assertEquals(1.0, h.get("score").asDouble(), h::toString);
                    assertFalse(h.has("order_value"), h::toString);
                    assertEquals(payloads.get(id).get("g"), h.get("payload").get("g"), h::toString);
                }
            }
            answers.add(groups.toString());
        }
        // random: the same answer fifteen times over (of the thousands possible) would mean no sampling at all
        assertTrue(answers.size() > 1, () -> "always " + answers + ", seed " + seed);
    }
}
