package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A property of the whole REST surface, over a real socket: whatever a client sends in a request body, the server
 * answers 2xx or a 4xx in Qdrant's error envelope, never a 5xx, a bare error page or a hang, and a collection the
 * requests do not name keeps every point it held. The bodies are valid requests of every data endpoint, three in four
 * with random mutations (a value replaced by one of another type or an extreme one, a key dropped or added, a non-JSON number such
 * as {@code NaN} or {@code 1e999}, the text cut short or followed by garbage), generated from a printed seed
 * ({@code -Dquiver.fuzz.seed=N} replays a run). One server per test, used by the test's thread.
 */
class MalformedRequestFuzzRestTest extends RestServerTest {
    private static final int REQUESTS = 600;
    private static final int DIM = 4;
    private static final String V = "[0.1,0.2,0.3,0.4]";
    private static final String FILTER = """
            {"must":[{"key":"city","match":{"value":"a"}}],"should":[{"key":"n","range":{"gte":3}}],
             "must_not":[{"has_id":[5]}]}""";

    /** Method, path and a valid body: one per data endpoint and request form. */
    private record Seed(String method, String path, String body) {
    }

    private static final List<Seed> SEEDS = List.of(
            new Seed("PUT", "/collections/fz/points?wait=true",
                    "{\"points\":[{\"id\":1000,\"vector\":" + V + ",\"payload\":{\"n\":1}}]}"),
            new Seed("PUT", "/collections/fz/points?wait=true",
                    "{\"batch\":{\"ids\":[1001,1002],\"vectors\":[" + V + "," + V + "],\"payloads\":[{\"n\":1},null]}}"),
            new Seed("POST", "/collections/fz/points",
                    "{\"ids\":[1,2,\"550e8400-e29b-41d4-a716-446655440000\"],\"with_payload\":true,\"with_vector\":true}"),
            new Seed("POST", "/collections/fz/points/scroll", "{\"filter\":" + FILTER
                    + ",\"limit\":5,\"offset\":2,\"with_payload\":[\"city\"],\"with_vector\":false}"),
            new Seed("POST", "/collections/fz/points/scroll",
                    "{\"limit\":5,\"order_by\":{\"key\":\"n\",\"direction\":\"desc\",\"start_from\":10}}"),
            new Seed("POST", "/collections/fz/points/scroll", """
                    {"filter":{"must":[
                      {"nested":{"key":"nested","filter":{"must":[{"key":"k","match":{"any":[1,2]}}]}}},
                      {"key":"loc","geo_radius":{"center":{"lat":50,"lon":10},"radius":1000}},
                      {"is_empty":{"key":"tags"}},{"values_count":{"key":"tags","gte":1}},
                      {"key":"t","match":{"text":"hello"}},{"key":"city","match":{"except":["a"]}},
                      {"is_null":{"key":"x"}},{"key":"f","range":{"lt":3.5}},
                      {"key":"loc","geo_bounding_box":{"top_left":{"lat":51,"lon":9},"bottom_right":{"lat":49,"lon":11}}}
                    ]},"limit":3}"""),
            new Seed("POST", "/collections/fz/points/count", "{\"filter\":" + FILTER + ",\"exact\":true}"),
            new Seed("POST", "/collections/fz/points/search", "{\"vector\":" + V + ",\"limit\":3,\"filter\":" + FILTER
                    + ",\"with_payload\":true,\"params\":{\"hnsw_ef\":10,\"exact\":false},\"score_threshold\":0.1,"
                    + "\"offset\":1}"),
            new Seed("POST", "/collections/fz/points/search/batch", "{\"searches\":[{\"vector\":" + V
                    + ",\"limit\":2},{\"vector\":" + V + ",\"limit\":1,\"filter\":" + FILTER + "}]}"),
            new Seed("POST", "/collections/fz/points/search/groups", "{\"vector\":" + V
                    + ",\"group_by\":\"city\",\"limit\":2,\"group_size\":2,\"with_lookup\":\"fz\"}"),
            new Seed("POST", "/collections/fz/points/search/matrix/pairs",
                    "{\"sample\":5,\"limit\":2,\"filter\":" + FILTER + ",\"using\":\"\"}"),
            new Seed("POST", "/collections/fz/points/search/matrix/offsets", "{\"sample\":3,\"limit\":1}"),
            new Seed("POST", "/collections/fz/points/recommend",
                    "{\"positive\":[1,2],\"negative\":[3],\"limit\":3,\"strategy\":\"best_score\"}"),
            new Seed("POST", "/collections/fz/points/recommend/batch", "{\"searches\":[{\"positive\":[1],\"limit\":3}]}"),
            new Seed("POST", "/collections/fz/points/recommend/groups",
                    "{\"positive\":[1],\"group_by\":\"city\",\"limit\":2,\"group_size\":1}"),
            new Seed("POST", "/collections/fz/points/discover",
                    "{\"target\":1,\"context\":[{\"positive\":2,\"negative\":3}],\"limit\":3}"),
            new Seed("POST", "/collections/fz/points/discover/batch",
                    "{\"searches\":[{\"context\":[{\"positive\":2,\"negative\":3}],\"limit\":3}]}"),
            new Seed("POST", "/collections/fz/points/query", "{\"prefetch\":[{\"query\":" + V
                    + ",\"limit\":5},{\"query\":{\"recommend\":{\"positive\":[1]}},\"limit\":5}],"
                    + "\"query\":{\"fusion\":\"rrf\"},\"limit\":3,\"with_payload\":true}"),
            new Seed("POST", "/collections/fz/points/query", "{\"query\":" + V + ",\"filter\":" + FILTER
                    + ",\"limit\":3,\"params\":{\"quantization\":{\"rescore\":true}}}"),
            new Seed("POST", "/collections/fz/points/query", "{\"query\":{\"nearest\":" + V
                    + ",\"mmr\":{\"diversity\":0.5,\"candidates_limit\":10}},\"limit\":3}"),
            new Seed("POST", "/collections/fz/points/query", "{\"prefetch\":{\"query\":" + V + ",\"limit\":20},"
                    + "\"query\":{\"order_by\":{\"key\":\"n\",\"direction\":\"desc\"}},\"limit\":3}"),
            new Seed("POST", "/collections/fz/points/query",
                    "{\"query\":{\"sample\":\"random\"},\"filter\":" + FILTER + ",\"limit\":4}"),
            new Seed("POST", "/collections/fz/points/query/batch", "{\"searches\":[{\"query\":1,\"limit\":2},"
                    + "{\"query\":{\"discover\":{\"target\":1,\"context\":[{\"positive\":2,\"negative\":3}]}}}]}"),
            new Seed("POST", "/collections/fz/points/query/groups",
                    "{\"query\":" + V + ",\"group_by\":\"city\",\"limit\":2,\"group_size\":2}"),
            new Seed("POST", "/collections/fz/facet",
                    "{\"key\":\"city\",\"limit\":3,\"filter\":" + FILTER + ",\"exact\":true}"),
            new Seed("POST", "/collections/fz/points/payload?wait=true",
                    "{\"payload\":{\"z\":1},\"points\":[1,2],\"key\":\"nested[0]\"}"),
            new Seed("PUT", "/collections/fz/points/payload?wait=true",
                    "{\"payload\":{\"z\":1,\"n\":7},\"filter\":" + FILTER + "}"),
            new Seed("POST", "/collections/fz/points/payload/delete?wait=true",
                    "{\"keys\":[\"z\",\"nested[].k\"],\"points\":[1,2]}"),
            new Seed("POST", "/collections/fz/points/payload/clear?wait=true", "{\"points\":[40]}"),
            new Seed("PUT", "/collections/fz/points/vectors?wait=true", "{\"points\":[{\"id\":3,\"vector\":" + V + "}]}"),
            new Seed("POST", "/collections/fz/points/vectors/delete?wait=true", "{\"points\":[4],\"vector\":[\"\"]}"),
            new Seed("POST", "/collections/fz/points/batch?wait=true", "{\"operations\":["
                    + "{\"upsert\":{\"points\":[{\"id\":2000,\"vector\":" + V + "}]}},{\"delete\":{\"points\":[2000]}},"
                    + "{\"set_payload\":{\"payload\":{\"q\":1},\"points\":[1]}},"
                    + "{\"update_vectors\":{\"points\":[{\"id\":1,\"vector\":" + V + "}]}}]}"),
            new Seed("POST", "/collections/fz/points/delete?wait=true", "{\"points\":[50,51]}"),
            new Seed("POST", "/collections/fz/points/delete?wait=true",
                    "{\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gt\":55}}]}}"),
            new Seed("PUT", "/collections/fz/index?wait=true",
                    "{\"field_name\":\"t\",\"field_schema\":{\"type\":\"text\",\"tokenizer\":\"word\",\"lowercase\":true}}"),
            new Seed("PATCH", "/collections/fz",
                    "{\"optimizers_config\":{\"indexing_threshold\":1000},\"hnsw_config\":{\"m\":8}}"),
            new Seed("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":{\"collection_name\":\"fz\","
                    + "\"alias_name\":\"fza\"}},{\"delete_alias\":{\"alias_name\":\"nope\"}}]}"),
            new Seed("PUT", "/collections/fzx", "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\",\"on_disk\":true},"
                    + "\"hnsw_config\":{\"m\":4},\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99}},"
                    + "\"optimizers_config\":{\"default_segment_number\":1}}"));

    /** Replacement values: other types, extremes, deep or long structures. */
    private static final List<String> ODD_VALUES = List.of("null", "\"\"", "\"x\"", "-1", "0", "1", "2147483648",
            "9223372036854775807", "18446744073709551621", "-9223372036854775809", "1.5", "-0.0", "1e308", "true",
            "false", "[]", "{}", "[1,\"a\",null]", "{\"a\":{\"b\":[null]}}", "\"550e8400-e29b-41d4-a716-446655440000\"",
            "\"n\"", "[[[[[[[[]]]]]]]]", "\"" + "a".repeat(5000) + "\"", range(300), "[0.1,0.1,0.1,0.1,0.1]",
            "{\"must\":{\"key\":\"n\"}}", "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1".repeat(400),
            "0.1e-999999", "\"\\ud800\"", "\"\\u0000\"");
    private static final List<String> EXTRA_KEYS = List.of("zz", "limit", "offset", "filter", "vector", "with_vector",
            "using", "lookup_from", "timeout", "shard_key");
    private static final String PLACEHOLDER = "\u0001odd\u0001";

    @Test
    void noBodyMakesTheServerFailOrLoseAnotherCollectionsPoints() throws Exception {
        long seed = Long.getLong("quiver.fuzz.seed", new Random().nextLong());
        Random random = new Random(seed);
        Map<Integer, JsonNode> kept = fill("keep", 40, new Random(seed ^ 1));
        fill("fz", 60, new Random(seed ^ 2));
        rest.ok("PUT", "/collections/fz/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
        rest.ok("PUT", "/collections/fz/index?wait=true", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");

        int refused = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Seed s = SEEDS.get(random.nextInt(SEEDS.size()));
            String path = s.path();
            if (random.nextInt(10) == 0) {
                path = path.replace("wait=true", "wait=" + pick(random, List.of("x", "", "false", "1"))
                        + "&timeout=" + pick(random, List.of("-1", "0", "x", "99999999999")));
            }
            String body = random.nextInt(4) == 0 ? s.body() : mutate(s.body(), random); // some change state
            RestClient.Reply reply = rest.send(s.method(), path, body);
            String context = "seed " + seed + ", request " + i + ": " + reply.request() + "\n -> " + reply.status()
                    + " " + reply.body();
            assertTrue(reply.status() >= 200 && reply.status() < 500, context);
            assertTrue(reply.json() != null, "not JSON: " + context);
            if (reply.status() >= 400) {
                refused++;
                JsonNode error = reply.json().path("status").path("error");
                assertTrue(error.isTextual() && !error.asText().isBlank(), "no error envelope: " + context);
            }
        }

        // neither degenerate: the mutations reach past parsing, and many mutated bodies are still refused
        assertTrue(refused > REQUESTS / 5 && refused < REQUESTS * 19 / 20, "seed " + seed + ": " + refused
                + " of " + REQUESTS + " refused");
        rest.ok("POST", "/collections/fz/points/search", "{\"vector\":" + V + ",\"limit\":3}");
        JsonNode points = rest.ok("POST", "/collections/keep/points/scroll",
                "{\"limit\":1000,\"with_payload\":true,\"with_vector\":true}").get("points");
        assertEquals(kept.size(), points.size(), "seed " + seed);
        for (JsonNode p : points) {
            JsonNode expected = kept.get(p.get("id").asInt());
            assertEquals(expected.get("payload"), p.get("payload"), "seed " + seed);
            assertEquals(expected.get("vector"), p.get("vector"), "seed " + seed);
        }
    }

    /** Creates a Cosine collection of {@code n} points with varied payloads; returns each point as stored. */
    private Map<Integer, JsonNode> fill(String name, int n, Random random) throws Exception {
        rest.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"Cosine\"}}");
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 1; id <= n; id++) {
            body.append(id == 1 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                    .append(VectorJson.json(VectorJson.gaussian(random, DIM))).append(",\"payload\":{\"city\":\"")
                    .append((char) ('a' + random.nextInt(3))).append("\",\"n\":").append(id).append(",\"f\":")
                    .append(id / 3.0).append(",\"tags\":[\"x\",\"").append(id).append("\"],\"loc\":{\"lat\":")
                    .append(50 + id / 100.0).append(",\"lon\":10},\"nested\":[{\"k\":").append(id)
                    .append(",\"s\":\"v\"}],\"t\":\"hello world ").append(id).append("\"}}");
        }
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
        Map<Integer, JsonNode> stored = new java.util.HashMap<>();
        for (JsonNode p : rest.ok("POST", "/collections/" + name + "/points/scroll",
                "{\"limit\":1000,\"with_payload\":true,\"with_vector\":true}").get("points")) {
            stored.put(p.get("id").asInt(), p);
        }
        assertEquals(n, stored.size());
        return stored;
    }

    /**
     * One to three changes to {@code body}'s tree (a value replaced, a key dropped or added), then, rarely, its text
     * cut short or followed by garbage.
     */
    private static String mutate(String body, Random random) throws Exception {
        JsonNode tree = RestClient.JSON.readTree(body);
        List<String> odd = new ArrayList<>();
        int changes = 1 + (random.nextInt(5) / 3) + (random.nextInt(6) == 0 ? 1 : 0);
        for (int c = 0; c < changes; c++) {
            List<JsonNode[]> places = new ArrayList<>(); // {parent, child}; parent null for the root
            places.add(new JsonNode[] {null, tree});
            collect(tree, places);
            JsonNode[] place = places.get(random.nextInt(places.size()));
            int kind = random.nextInt(20);
            if (kind < 3 && place[0] != null) {
                remove(place[0], place[1]);
            } else if (kind < 4 && tree.isObject()) {
                odd.add(pick(random, ODD_VALUES));
                ((ObjectNode) tree).put(pick(random, EXTRA_KEYS), PLACEHOLDER + (odd.size() - 1));
            } else {
                odd.add(pick(random, ODD_VALUES));
                JsonNode marker = JsonNodeFactory.instance.textNode(PLACEHOLDER + (odd.size() - 1));
                if (place[0] == null) {
                    tree = marker;
                } else {
                    replace(place[0], place[1], marker);
                }
            }
        }
        String text = RestClient.JSON.writeValueAsString(tree);
        for (int k = odd.size() - 1; k >= 0; k--) {
            text = text.replace("\"" + PLACEHOLDER.replace("\u0001", "\\u0001") + k + "\"", odd.get(k));
        }
        int tail = random.nextInt(40);
        if (tail == 0) {
            text = text.substring(0, random.nextInt(text.length() + 1));
        } else if (tail == 1) {
            text = text + pick(random, List.of("}", "garbage", ",", " ", "\u0000"));
        }
        return text;
    }

    private static void collect(JsonNode node, List<JsonNode[]> places) {
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode child = it.next();
            places.add(new JsonNode[] {node, child});
            collect(child, places);
        }
    }

    private static void remove(JsonNode parent, JsonNode child) {
        if (parent instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue() == child);
        } else if (parent instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) == child) {
                    a.remove(i);
                    return;
                }
            }
        }
    }

    private static void replace(JsonNode parent, JsonNode child, JsonNode with) {
        if (parent instanceof ObjectNode o) {
            o.properties().stream().filter(e -> e.getValue() == child).findFirst().ifPresent(e -> e.setValue(with));
        } else if (parent instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) == child) {
                    a.set(i, with);
                    return;
                }
            }
        } else {
            fail("a value without a container");
        }
    }

    private static String range(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(i);
        }
        return b.append(']').toString();
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
