package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static io.quiver.server.VectorJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integer request fields at the edges of Qdrant's Rust types, over a real socket: a {@code usize} limit or offset may
 * be any u64 (18446744073709551615 lists every match, such an offset none), checked against a brute-force ranking;
 * the u32 {@code limit}/{@code group_size} of search groups stop at 2^32 − 1; a negative value and one beyond u64
 * are serde's errors (400). Collection {@code c}: Dot, {@value #N} points with random vectors and payload
 * {@code kind} = i mod 3. Randomized: {@code -Dquiver.seed=} replays.
 */
class UnsignedIntegerFieldsRestTest extends RestServerTest {
    private static final int N = 40;
    private static final String U64_MAX = "18446744073709551615";
    private static final String U64_MAX_PLUS_1 = "18446744073709551616";

    private final List<float[]> vectors = new ArrayList<>();
    private final float[] query = new float[4];
    private long seed;

    @BeforeEach
    void createData() {
        seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("UnsignedIntegerFieldsRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        Random random = new Random(seed);
        rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < N; i++) {
            float[] v = VectorJson.gaussian(random, 4);
            vectors.add(v);
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":").append(json(v))
                    .append(",\"payload\":{\"kind\":").append(i % 3).append("}}");
        }
        rest.ok("PUT", "/collections/c/points?wait=true", points.append("]}").toString());
        float[] q = VectorJson.gaussian(random, 4);
        System.arraycopy(q, 0, query, 0, 4);
    }

    /** Every id, best Dot score against the query first (computed here). */
    private List<Integer> ranked() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(i);
        }
        ids.sort(Comparator.comparingDouble((Integer i) -> {
            float[] v = vectors.get(i);
            double dot = 0;
            for (int d = 0; d < 4; d++) {
                dot += (double) v[d] * query[d];
            }
            return dot;
        }).reversed());
        return ids;
    }

    private static List<Integer> ids(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(p -> out.add(p.get("id").asInt()));
        return out;
    }

    @Test
    void aU64LimitListsEveryMatchAndAU64OffsetNone() {
        List<Integer> all = ranked();
        String exact = ",\"params\":{\"exact\":true,\"hnsw_ef\":" + U64_MAX + "}";
        String search = "/collections/c/points/search";
        assertEquals(all, ids(rest.ok("POST", search, "{\"vector\":" + json(query) + ",\"limit\":" + U64_MAX
                + exact + "}")), "seed " + seed);
        assertEquals(all.subList(5, N), ids(rest.ok("POST", search, "{\"vector\":" + json(query) + ",\"limit\":"
                + U64_MAX + ",\"offset\":5" + exact + "}")), "seed " + seed);
        assertEquals(List.of(), ids(rest.ok("POST", search, "{\"vector\":" + json(query) + ",\"limit\":3,\"offset\":"
                + U64_MAX + exact + "}")));
        assertEquals(List.of(), ids(rest.ok("POST", search, "{\"vector\":" + json(query) + ",\"limit\":" + U64_MAX
                + ",\"offset\":" + U64_MAX + exact + "}")));

        String query_ = "/collections/c/points/query";
        assertEquals(all, ids(rest.ok("POST", query_, "{\"query\":" + json(query) + ",\"limit\":" + U64_MAX
                + exact + "}").get("points")), "seed " + seed);
        assertEquals(all.subList(2, N), ids(rest.ok("POST", query_, "{\"query\":" + json(query) + ",\"limit\":"
                + U64_MAX + ",\"offset\":2" + exact + "}").get("points")), "seed " + seed);
        assertEquals(List.of(), ids(rest.ok("POST", query_, "{\"query\":" + json(query) + ",\"offset\":" + U64_MAX
                + exact + "}").get("points")));
        // a u64 prefetch limit (multiplied by nothing) prefetches every point, re-ranked by the root query
        assertEquals(all, ids(rest.ok("POST", query_, "{\"prefetch\":{\"limit\":" + U64_MAX + "},\"query\":"
                + json(query) + ",\"limit\":" + U64_MAX + "}").get("points")), "seed " + seed);
        List<Integer> byId = new ArrayList<>(all);
        byId.sort(null);

        JsonNode scroll = rest.ok("POST", "/collections/c/points/scroll", "{\"limit\":" + U64_MAX + "}");
        assertEquals(byId, ids(scroll.get("points")));
        assertTrue(scroll.get("next_page_offset").isNull(), scroll::toString);

        // query groups: usize limit and group_size, every point in its group (kind 0, 1, 2)
        JsonNode groups = rest.ok("POST", query_ + "/groups", "{\"query\":" + json(query) + ",\"group_by\":\"kind\","
                + "\"limit\":" + U64_MAX + ",\"group_size\":" + U64_MAX + exact + "}").get("groups");
        assertEquals(3, groups.size(), groups::toString);
        int grouped = 0;
        for (JsonNode g : groups) {
            List<Integer> expected = new ArrayList<>();
            for (int id : all) {
                if (id % 3 == g.get("id").asInt()) {
                    expected.add(id);
                }
            }
            assertEquals(expected, ids(g.get("hits")), "seed " + seed);
            grouped += expected.size();
        }
        assertEquals(N, grouped);
    }

    @Test
    void searchGroupsTakeU32AndTheErrorsAreSerdes() {
        String groups = "/collections/c/points/search/groups";
        String base = "{\"vector\":" + json(query) + ",\"group_by\":\"kind\",";
        JsonNode ok = rest.ok("POST", groups, base + "\"limit\":4294967295,\"group_size\":4294967295}");
        int hits = 0;
        for (JsonNode g : ok.get("groups")) {
            hits += g.get("hits").size();
        }
        assertEquals(N, hits, ok::toString);
        assertEquals("Format error in JSON body: limit: invalid value: integer `4294967296`, expected u32",
                rest.error(400, "POST", groups, base + "\"limit\":4294967296,\"group_size\":1}"));
        assertEquals("Format error in JSON body: group_size: invalid value: integer `" + U64_MAX
                + "`, expected u32", rest.error(400, "POST", groups, base + "\"limit\":1,\"group_size\":" + U64_MAX
                + "}"));

        String search = "/collections/c/points/search";
        assertEquals("Format error in JSON body: limit: invalid value: integer `-1`, expected usize",
                rest.error(400, "POST", search, "{\"vector\":" + json(query) + ",\"limit\":-1}"));
        // beyond u64 serde_json reads a float
        assertEquals("Format error in JSON body: limit: invalid type: floating point `18446744073709552000.0`, "
                + "expected usize", rest.error(400, "POST", search, "{\"vector\":" + json(query) + ",\"limit\":"
                + U64_MAX_PLUS_1 + "}"));
        assertEquals("Format error in JSON body: offset: invalid type: floating point `1.5`, expected usize",
                rest.error(400, "POST", search, "{\"vector\":" + json(query) + ",\"limit\":1,\"offset\":1.5}"));
        assertEquals("Format error in JSON body: limit: invalid value: integer `-9223372036854775809`, "
                + "expected usize", rest.error(400, "POST", "/collections/c/points/scroll",
                "{\"limit\":-9223372036854775809}"));
        // zero stays a validation error
        assertTrue(rest.error(422, "POST", "/collections/c/points/query", "{\"limit\":0}").contains("limit"));
    }

    @Test
    void strictModeStillRefusesAU64Limit() {
        rest.ok("PATCH", "/collections/c", "{\"strict_mode_config\":{\"enabled\":true,\"max_query_limit\":10}}");
        String error = rest.error(400, "POST", "/collections/c/points/query", "{\"limit\":" + U64_MAX + "}");
        assertTrue(error.contains("Limit exceeded") && error.contains("\"limit\""), error);
        rest.ok("POST", "/collections/c/points/query", "{\"limit\":10}");
    }
}
