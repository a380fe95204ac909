package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's REST endpoints over a real socket: shapes, status codes, and that rejected requests change nothing. The
 * server accepts JSON bodies of at most 1 MB. Snapshots: {@link SnapshotRestTest}.
 */
class RestApiTest extends DemoRestServerTest {

    @Test
    void collectionLifecycle() {
        assertEquals(0, rest.ok("GET", "/collections", null).get("collections").size());
        assertTrue(rest.ok("PUT", "/collections/demo", """
                {"vectors":{"size":4,"distance":"Cosine"},"hnsw_config":{"m":8},"optimizers_config":{"indexing_threshold":0}}
                """).asBoolean());
        String conflict = rest.error(409, "PUT", "/collections/demo", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        assertTrue(conflict.contains("already exists"), conflict);

        JsonNode info = rest.ok("GET", "/collections/demo", null);
        for (String key : List.of("status", "optimizer_status", "segments_count", "config", "payload_schema")) {
            assertTrue(info.has(key), key + " in " + info);
        }
        assertEquals("green", info.get("status").asText());
        assertEquals(0, info.get("points_count").asLong());
        assertEquals(4, info.at("/config/params/vectors/size").asInt());
        assertEquals("Cosine", info.at("/config/params/vectors/distance").asText());
        assertEquals(8, info.at("/config/hnsw_config/m").asInt());
        assertTrue(info.at("/config/optimizer_config").has("default_segment_number"));

        assertEquals("demo", rest.ok("GET", "/collections", null).get("collections").get(0).get("name").asText());
        assertTrue(rest.ok("GET", "/collections/demo/exists", null).get("exists").asBoolean());
        assertFalse(rest.ok("GET", "/collections/nope/exists", null).get("exists").asBoolean());
        assertTrue(rest.ok("PATCH", "/collections/demo", "{}").asBoolean());
        assertTrue(rest.ok("PATCH", "/collections/demo", "{\"optimizers_config\":{\"indexing_threshold\":100}}").asBoolean());
        assertEquals(100, rest.ok("GET", "/collections/demo", null).at("/config/optimizer_config/indexing_threshold").asInt());

        assertTrue(rest.ok("DELETE", "/collections/demo", null).asBoolean());
        assertFalse(rest.ok("DELETE", "/collections/demo", null).asBoolean());
        String missing = rest.error(404, "GET", "/collections/demo", null);
        assertEquals("Not found: Collection `demo` doesn't exist!", missing);
    }

    @Test
    void createRejectsBadConfigs() {
        rest.error(422, "PUT", "/collections/a", "{\"vectors\":{\"size\":0,\"distance\":\"Cosine\"}}");
        rest.error(400, "PUT", "/collections/a", "{\"vectors\":{\"size\":4,\"distance\":\"cosine\"}}");
        rest.error(400, "PUT", "/collections/a", "{\"vectors\":{\"size\":\"four\",\"distance\":\"Dot\"}}");
        rest.error(400, "PUT", "/collections/a", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"");
        rest.error(400, "PUT", "/collections/a", "[1,2]");
        rest.error(422, "PUT", "/collections/a", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"shard_number\":0}");
        rest.error(422, "PUT", "/collections/a", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"hnsw_config\":{\"ef_construct\":3}}");
        rest.error(422, "PUT", "/collections/a?timeout=0", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertFalse(rest.ok("GET", "/collections/a/exists", null).get("exists").asBoolean());
    }

    @Test
    void pointsReadAndWrite() {
        createDemo("demo", "Dot");
        assertEquals(6, count("demo"));
        JsonNode ack = rest.ok("PUT", "/collections/demo/points",
                "{\"batch\":{\"ids\":[7,\"8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e\"],\"vectors\":[[1,0,0,0],[0,1,0,0]],"
                        + "\"payloads\":[{\"city\":\"Paris\"},null]}}");
        assertTrue(List.of("acknowledged", "completed").contains(ack.get("status").asText()), ack.toString());
        rest.ok("PUT", "/collections/demo/points?wait=true", "{\"points\":[]}");
        assertEquals(8, count("demo"));

        JsonNode records = rest.ok("POST", "/collections/demo/points",
                "{\"ids\":[\"8A4A6F1E-6B0B-4A5A-9C1E-2F3A4B5C6D7E\",99,2],\"with_vector\":true}");
        assertEquals(2, records.size(), records.toString());
        assertEquals("8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e", records.get(0).get("id").asText());
        assertEquals(2, records.get(1).get("id").asInt());
        assertEquals("London", records.get(1).at("/payload/city").asText());
        assertEquals(4, records.get(1).get("vector").size());

        JsonNode point = rest.ok("GET", "/collections/demo/points/7", null);
        assertEquals("Paris", point.at("/payload/city").asText());
        assertEquals(1.0, point.get("vector").get(0).asDouble(), 1e-6);
        assertEquals("Not found: No point with id 42 found", rest.error(404, "GET", "/collections/demo/points/42", null));

        JsonNode page = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":3}");
        assertEquals(List.of(1, 2, 3), ids(page.get("points")));
        assertEquals(4, page.get("next_page_offset").asInt());
        assertTrue(page.get("points").get(0).has("payload"), "scroll returns payloads by default");
        page = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":10,\"offset\":6}");
        assertEquals(3, page.get("points").size());
        assertEquals("8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e", page.get("points").get(2).get("id").asText());
        assertTrue(page.get("next_page_offset").isNull());

        assertEquals(2, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":2,\"lt\":4}}]}}").get("count").asInt());

        // payload operations
        rest.ok("POST", "/collections/demo/points/payload?wait=true", "{\"payload\":{\"extra\":true},\"points\":[1,2]}");
        assertEquals("Berlin", payload(1).get("city").asText());
        assertTrue(payload(1).get("extra").asBoolean());
        rest.ok("PUT", "/collections/demo/points/payload?wait=true", "{\"payload\":{\"only\":1},\"points\":[2]}");
        assertEquals(List.of("only"), fieldNames(payload(2)));
        rest.ok("POST", "/collections/demo/points/payload/delete?wait=true", "{\"keys\":[\"extra\"],\"points\":[1]}");
        assertFalse(payload(1).has("extra"));
        rest.ok("POST", "/collections/demo/points/payload/clear?wait=true", "{\"points\":[2]}");
        assertEquals(0, payload(2).size());
        rest.ok("POST", "/collections/demo/points/payload?wait=true",
                "{\"payload\":{\"zone\":\"eu\"},\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"any\":[\"Berlin\",\"Paris\"]}}]}}");
        assertEquals("eu", payload(7).get("zone").asText());
        String missingPoint = rest.error(404, "POST", "/collections/demo/points/payload?wait=true",
                "{\"payload\":{\"x\":1},\"points\":[12345]}");
        assertTrue(missingPoint.contains("12345"), missingPoint);

        // deletes: by ids (missing ids ignored) and by filter
        JsonNode deleted = rest.ok("POST", "/collections/demo/points/delete?wait=true", "{\"points\":[1,12345]}");
        assertEquals("completed", deleted.get("status").asText());
        rest.ok("POST", "/collections/demo/points/delete?wait=true",
                "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Mumbai\"}}]}}");
        assertEquals(6, count("demo"));
        rest.error(404, "GET", "/collections/demo/points/6", null);

        // batch update
        JsonNode results = rest.ok("POST", "/collections/demo/points/batch?wait=true", """
                {"operations":[{"upsert":{"points":[{"id":50,"vector":[1,1,1,1]}]}},
                               {"set_payload":{"payload":{"b":1},"points":[50]}},
                               {"delete":{"points":[3]}}]}""");
        assertEquals(3, results.size());
        assertEquals(1, payload(50).get("b").asInt());
        rest.error(404, "GET", "/collections/demo/points/3", null);

        // a batch whose later operation is malformed (a bad id, a bad selector, a bad filter) runs none of its operations
        long before = count("demo");
        for (String bad : List.of("{\"upsert\":{\"points\":[{\"id\":-1,\"vector\":[1,1,1,1]}]}}",
                "{\"set_payload\":{\"payload\":{\"b\":2},\"points\":[\"not-a-uuid\"]}}",
                "{\"delete\":{\"filter\":{\"must\":[{\"key\":\"a\",\"match\":7}]}}}")) {
            rest.error(400, "POST", "/collections/demo/points/batch?wait=true",
                    "{\"operations\":[{\"upsert\":{\"points\":[{\"id\":51,\"vector\":[1,1,1,1]}]}},"
                            + "{\"delete\":{\"points\":[50]}}," + bad + "]}");
            assertEquals(before, count("demo"), bad);
            assertEquals(1, payload(50).get("b").asInt(), bad);
        }
    }

    @Test
    void searchMatchesBruteForce() {
        for (String distance : List.of("Dot", "Cosine", "Euclid", "Manhattan")) {
            String name = "s_" + distance.toLowerCase();
            assertTrue(rest.ok("PUT", "/collections/" + name,
                    "{\"vectors\":{\"size\":8,\"distance\":\"" + distance + "\"}}").asBoolean());
            Random random = new Random(42);
            Map<Integer, float[]> vectors = new HashMap<>();
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int id = 0; id < 200; id++) {
                float[] v = new float[8];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat() * 2 - 1;
                }
                vectors.put(id, v);
                body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                        .append(VectorJson.json(v)).append(",\"payload\":{\"even\":").append(id % 2 == 0).append("}}");
            }
            rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
            float[] query = {0.3f, -0.2f, 0.5f, 0.1f, -0.7f, 0.2f, 0.0f, 0.4f};
            List<Integer> expected = bruteForce(vectors, query, distance, 10, false);
            JsonNode hits = rest.ok("POST", "/collections/" + name + "/points/search",
                    "{\"vector\":" + VectorJson.json(query) + ",\"limit\":10,\"params\":{\"exact\":true}}");
            assertEquals(expected, ids(hits), distance);
            assertTrue(hits.get(0).has("version") && hits.get(0).has("score"), hits.get(0).toString());
            assertFalse(hits.get(0).hasNonNull("payload"), "search returns no payload by default");

            JsonNode filtered = rest.ok("POST", "/collections/" + name + "/points/search",
                    "{\"vector\":" + VectorJson.json(query) + ",\"limit\":5,\"offset\":2,\"with_payload\":true,\"with_vector\":true,"
                            + "\"filter\":{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}}");
            assertEquals(bruteForce(vectors, query, distance, 7, true).subList(2, 7), ids(filtered), distance);
            assertTrue(filtered.get(0).at("/payload/even").asBoolean());
            assertEquals(8, filtered.get(0).get("vector").size());

            double tenth = hits.get(9).get("score").asDouble();
            JsonNode thresholded = rest.ok("POST", "/collections/" + name + "/points/search",
                    "{\"vector\":" + VectorJson.json(query) + ",\"limit\":50,\"score_threshold\":" + tenth + "}");
            assertEquals(10, thresholded.size(), distance + " threshold " + tenth);

            JsonNode query1 = rest.ok("POST", "/collections/" + name + "/points/query",
                    "{\"query\":" + VectorJson.json(query) + ",\"limit\":10}");
            assertEquals(expected, ids(query1.get("points")));
            JsonNode nearest = rest.ok("POST", "/collections/" + name + "/points/query",
                    "{\"query\":{\"nearest\":" + VectorJson.json(query) + "},\"limit\":3}");
            assertEquals(expected.subList(0, 3), ids(nearest.get("points")));
            JsonNode byId = rest.ok("POST", "/collections/" + name + "/points/query", "{\"query\":5,\"limit\":3}");
            assertFalse(ids(byId.get("points")).contains(5), "query by id excludes the point itself");
            assertEquals(bruteForce(vectors, vectors.get(5), distance, 4, false).stream().filter(i -> i != 5)
                    .limit(3).toList(), ids(byId.get("points")));
            JsonNode batch = rest.ok("POST", "/collections/" + name + "/points/search/batch",
                    "{\"searches\":[{\"vector\":" + VectorJson.json(query) + ",\"limit\":2},{\"vector\":" + VectorJson.json(query) + ",\"limit\":1}]}");
            assertEquals(2, batch.size());
            assertEquals(expected.subList(0, 2), ids(batch.get(0)));
            JsonNode queryBatch = rest.ok("POST", "/collections/" + name + "/points/query/batch",
                    "{\"searches\":[{\"query\":" + VectorJson.json(query) + ",\"limit\":2}]}");
            assertEquals(expected.subList(0, 2), ids(queryBatch.get(0).get("points")));
            JsonNode noQuery = rest.ok("POST", "/collections/" + name + "/points/query", "{\"limit\":3}");
            assertEquals(List.of(0, 1, 2), ids(noQuery.get("points")));
        }
    }

    /**
     * Search {@code params.quantization} and {@code indexed_only} on an int8 collection: ignoring the codes or
     * rescoring gives exact Euclid distances, no rescoring gives the codes' approximations; a bad oversampling is a 422.
     */
    @Test
    void limitsAndOffsetsUpToTheLargestIntegerAnswerWithWhatExists() {
        createDemo("demo", "Cosine");
        String max = String.valueOf(Integer.MAX_VALUE);
        String v = "\"vector\":[0.2,0.1,0.9,0.7]";
        assertEquals(6, rest.ok("POST", "/collections/demo/points/search", "{" + v + ",\"limit\":" + max + "}").size());
        assertEquals(4, rest.ok("POST", "/collections/demo/points/search",
                "{" + v + ",\"limit\":" + max + ",\"offset\":2}").size());
        for (String page : List.of("\"limit\":5,\"offset\":2000000000", "\"limit\":" + max + ",\"offset\":" + max)) {
            assertEquals(0, rest.ok("POST", "/collections/demo/points/search", "{" + v + "," + page + "}").size(), page);
            assertEquals(0, rest.ok("POST", "/collections/demo/points/search",
                    "{" + v + "," + page + ",\"params\":{\"exact\":true}}").size(), page);
            assertEquals(0, rest.ok("POST", "/collections/demo/points/query", "{" + page + "}").get("points").size(),
                    page);
        }
        JsonNode all = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":" + max + "}");
        assertEquals(6, all.get("points").size());
        assertTrue(all.get("next_page_offset").isNull());
        assertEquals(6, rest.ok("POST", "/collections/demo/points/query", "{\"limit\":" + max + "}").get("points")
                .size());
    }

    @Test
    void recommendSearchesNearTheAverageOfItsExamplesAndLeavesThemOut() {
        for (String distance : List.of("Dot", "Cosine", "Euclid")) {
            String name = "r_" + distance.toLowerCase();
            assertTrue(rest.ok("PUT", "/collections/" + name,
                    "{\"vectors\":{\"size\":6,\"distance\":\"" + distance + "\"}}").asBoolean());
            Random random = new Random(7);
            Map<Integer, float[]> stored = new HashMap<>(); // as the collection keeps them (Cosine: unit length)
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int id = 0; id < 120; id++) {
                float[] v = new float[6];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat() * 2 - 1;
                }
                body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(VectorJson.json(v))
                        .append("}");
                stored.put(id, distance.equals("Cosine") ? unit(v) : v);
            }
            rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
            float[] raw = {0.5f, -0.5f, 0.25f, 0f, 0.1f, -0.3f};
            // average_vector: avg(positive) + (avg(positive) - avg(negative)), examples given by id use stored vectors
            float[] target = new float[6];
            for (int i = 0; i < 6; i++) {
                double pos = (stored.get(3)[i] + stored.get(10)[i] + raw[i]) / 3.0;
                double neg = (stored.get(20)[i] + stored.get(21)[i]) / 2.0;
                target[i] = (float) (pos + (pos - neg));
            }
            Map<Integer, float[]> others = new HashMap<>(stored);
            List.of(3, 10, 20, 21).forEach(others::remove);
            List<Integer> expected = bruteForce(others, target, distance, 5, false);

            String request = "\"positive\":[3,10," + VectorJson.json(raw) + "],\"negative\":[20,21]";
            JsonNode hits = rest.ok("POST", "/collections/" + name + "/points/recommend",
                    "{" + request + ",\"limit\":5,\"params\":{\"exact\":true}}");
            assertEquals(expected, ids(hits), distance);
            JsonNode viaQuery = rest.ok("POST", "/collections/" + name + "/points/query",
                    "{\"query\":{\"recommend\":{" + request + "}},\"limit\":5,\"params\":{\"exact\":true}}");
            assertEquals(expected, ids(viaQuery.get("points")), distance);
            JsonNode batch = rest.ok("POST", "/collections/" + name + "/points/recommend/batch",
                    "{\"searches\":[{" + request + ",\"limit\":2},{\"positive\":[3],\"limit\":3,"
                            + "\"strategy\":\"average_vector\"}]}");
            assertEquals(expected.subList(0, 2), ids(batch.get(0)), distance);
            Map<Integer, float[]> notThree = new HashMap<>(stored);
            notThree.remove(3);
            assertEquals(bruteForce(notThree, stored.get(3), distance, 3, false), ids(batch.get(1)), distance);
        }
        String base = "/collections/r_dot/points/recommend";
        rest.error(400, "POST", base, "{\"positive\":[],\"negative\":[3],\"limit\":3}");
        rest.error(400, "POST", base, "{\"positive\":[],\"negative\":[],\"limit\":3,\"strategy\":\"best_score\"}");
        rest.error(400, "POST", base, "{\"positive\":[3],\"limit\":3,\"strategy\":\"closest\"}");
        rest.error(400, "POST", base, "{\"positive\":[3]}");
        rest.error(400, "POST", base, "{\"positive\":[[1,2]],\"limit\":3}");
        rest.error(400, "POST", base, "{\"positive\":[3,[1,2,3,4,5,6,7]],\"limit\":3}");
        rest.error(404, "POST", base, "{\"positive\":[99999],\"limit\":3}");
    }

    private static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(n));
        }
        return u;
    }

    @Test
    void searchParamsForQuantizedCollections() throws Exception {
        assertTrue(rest.ok("PUT", "/collections/q8", """
                {"vectors":{"size":8,"distance":"Euclid"},"optimizers_config":{"indexing_threshold":4},
                 "quantization_config":{"scalar":{"type":"int8","quantile":0.99,"always_ram":true}}}""").asBoolean());
        Random random = new Random(7);
        Map<Integer, float[]> vectors = new HashMap<>();
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < 600; id++) {
            float[] v = new float[8];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextFloat() * 2 - 1;
            }
            vectors.put(id, v);
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(VectorJson.json(v))
                    .append('}');
        }
        rest.ok("PUT", "/collections/q8/points?wait=true", body.append("]}").toString());
        rest.eventually("/collections/q8", info -> info.get("indexed_vectors_count").asInt() >= 512
                && "green".equals(info.get("status").asText()), "int8 segments indexed", Duration.ofSeconds(30));
        float[] query = {0.3f, -0.2f, 0.5f, 0.1f, -0.7f, 0.2f, 0.0f, 0.4f};
        String search = "{\"vector\":" + VectorJson.json(query) + ",\"limit\":10,\"params\":{\"hnsw_ef\":64,";
        double codeError = 0;
        for (String params : List.of("\"quantization\":{\"ignore\":true}", "\"quantization\":{\"oversampling\":3.0}",
                "\"quantization\":{\"rescore\":true},\"indexed_only\":true", "\"quantization\":{\"rescore\":false}")) {
            JsonNode hits = rest.ok("POST", "/collections/q8/points/search", search + params + "}}");
            assertEquals(10, hits.size(), params);
            double error = 0;
            for (JsonNode hit : hits) {
                float[] v = vectors.get(hit.get("id").asInt());
                double l2 = 0;
                for (int i = 0; i < v.length; i++) {
                    l2 += Math.pow(v[i] - query[i], 2);
                }
                error += Math.abs(Math.sqrt(l2) - hit.get("score").asDouble()) / hits.size();
            }
            if (params.contains("false")) {
                codeError = error;
            } else {
                assertTrue(error < 1e-5, params + ": exact distances expected, mean error " + error);
            }
        }
        assertTrue(codeError > 1e-5 && codeError < 0.1, "without rescoring the scores come from int8 codes: " + codeError);
        assertTrue(rest.error(422, "POST", "/collections/q8/points/search",
                search + "\"quantization\":{\"oversampling\":0.5}}}").contains("oversampling"));
        rest.error(400, "POST", "/collections/q8/points/search", search + "\"quantization\":{\"rescore\":\"yes\"}}}");
        rest.error(400, "POST", "/collections/q8/points/search", search + "\"quantization\":{\"oversampling\":\"2\"}}}");
    }

    @Test
    void badInputIsRejectedAndChangesNothing() {
        createDemo("demo", "Euclid");
        JsonNode before = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":100,\"with_vector\":true}");
        String dim = rest.error(400, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,2,3]}]}");
        assertEquals("Wrong input: Vector dimension error: expected dim: 4, got 3", dim);
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[NaN,1,2,3]}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1e39,1,2,3]}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":-1,\"vector\":[1,1,2,3]}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":\"not-a-uuid\",\"vector\":[1,1,2,3]}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,1,2,3]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":\"x\"}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,1,2,3]},{\"id\":2,\"vector\":[1,1]}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,1,2,3],\"payload\":5}]}");
        rest.error(400, "PUT", "/collections/demo/points?wait=maybe", "{\"points\":[]}");
        rest.error(404, "PUT", "/collections/nope/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,1,2,3]}]}");
        String huge = "{\"points\":[{\"id\":1,\"vector\":[1,1,2,3],\"payload\":{\"blob\":\"" + "x".repeat(1_200_000) + "\"}}]}";
        rest.error(400, "PUT", "/collections/demo/points?wait=true", huge);
        rest.error(400, "POST", "/collections/demo/points/search", "{\"vector\":[1,2],\"limit\":3}");
        rest.error(422, "POST", "/collections/demo/points/search", "{\"vector\":[1,2,3,4],\"limit\":0}");
        rest.error(400, "POST", "/collections/demo/points/search", "{\"vector\":[1,2,3,4]}");
        rest.error(400, "POST", "/collections/demo/points/search", "{\"vector\":[1,2,3,4],\"limit\":\"3\"}");
        rest.error(422, "POST", "/collections/demo/points/scroll", "{\"limit\":0}");
        rest.error(400, "POST", "/collections/demo/points/count", "{\"filter\":{\"must\":[{\"key\":\"n\",\"bogus\":1}]}}");
        rest.error(400, "POST", "/collections/demo/points/delete?wait=true", "{\"nothing\":true}");
        rest.error(400, "POST", "/collections/demo/points/payload?wait=true", "{\"points\":[1]}");
        JsonNode after = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":100,\"with_vector\":true}");
        assertEquals(before.get("points"), after.get("points"));
    }

    @Test
    void pointIdsAreParsedStrictlyAndNeverReinterpreted() {
        createDemo("demo", "Dot");
        String canonical = "550e8400-e29b-41d4-a716-446655440000";
        // UUID.fromString would read the 9-digit group as 50e8400e and store the point under a different id
        String shifted = "550e8400e-29b-41d4-a716-446655440000";
        String error = rest.error(400, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":\"" + shifted + "\",\"vector\":[1,1,2,3]}]}");
        assertEquals("Wrong input: Unable to parse UUID: " + shifted, error);
        for (String bad : List.of("+50e8400-e29b-41d4-a716-446655440000", "550e840-0e29b-41d4-a716-446655440000",
                " " + canonical, canonical + " ", "{550e8400e29b41d4a716446655440000}")) {
            rest.error(400, "PUT", "/collections/demo/points?wait=true",
                    "{\"points\":[{\"id\":\"" + bad + "\",\"vector\":[1,1,2,3]}]}");
            rest.error(400, "POST", "/collections/demo/points", "{\"ids\":[\"" + bad + "\"]}");
            rest.error(400, "POST", "/collections/demo/points/count",
                    "{\"filter\":{\"must\":[{\"has_id\":[\"" + bad + "\"]}]}}");
        }
        rest.error(400, "GET", "/collections/demo/points/" + shifted, null);
        rest.error(400, "GET", "/collections/demo/points/%20" + canonical, null);
        rest.error(400, "GET", "/collections/demo/points/+50e8400-e29b-41d4-a716-446655440000", null);
        rest.error(400, "GET", "/collections/demo/points/18446744073709551616", null);
        rest.error(404, "GET", "/collections/demo/points/50e8400e-029b-41d4-a716-446655440000", null);
        for (String badNumber : List.of("-1", "1.5", "18446744073709551616")) {
            rest.error(400, "PUT", "/collections/demo/points?wait=true",
                    "{\"points\":[{\"id\":" + badNumber + ",\"vector\":[1,1,2,3]}]}");
        }
        assertEquals(6, count("demo"));

        // the four spellings Qdrant accepts name one point, answered in lower-case hyphenated form
        for (String form : List.of("{550E8400-E29B-41D4-A716-446655440000}", "550e8400e29b41d4a716446655440000",
                "urn:uuid:" + canonical, canonical.toUpperCase())) {
            rest.ok("PUT", "/collections/demo/points?wait=true",
                    "{\"points\":[{\"id\":\"" + form + "\",\"vector\":[1,1,2,3],\"payload\":{\"form\":\"" + form + "\"}}]}");
            JsonNode point = rest.ok("GET", "/collections/demo/points/" + canonical, null);
            assertEquals(canonical, point.get("id").asText());
            assertEquals(form, point.at("/payload/form").asText());
        }
        rest.ok("PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":18446744073709551615,\"vector\":[1,1,2,3]}]}");
        assertEquals("18446744073709551615",
                rest.ok("GET", "/collections/demo/points/18446744073709551615", null).get("id").toString());
        assertEquals(8, count("demo"));
    }

    @Test
    void payloadIndexAppearsInSchema() {
        createDemo("demo", "Dot");
        JsonNode created = rest.ok("PUT", "/collections/demo/index?wait=true",
                "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");
        assertEquals("completed", created.get("status").asText());
        JsonNode schema = rest.ok("GET", "/collections/demo", null).get("payload_schema");
        assertEquals("keyword", schema.at("/city/data_type").asText(), schema.toString());
        assertEquals(6, schema.at("/city/points").asInt(), schema.toString());
        assertEquals(1, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]}}").get("count").asInt());
        rest.ok("DELETE", "/collections/demo/index/city?wait=true", null);
        assertFalse(rest.ok("GET", "/collections/demo", null).get("payload_schema").has("city"));
        rest.error(400, "PUT", "/collections/demo/index", "{\"field_name\":\"city\",\"field_schema\":\"nonsense\"}");
    }

    @Test
    void scrollOrderedByAPayloadValue() {
        createDemo("demo", "Dot");
        String unindexed = rest.error(400, "POST", "/collections/demo/points/scroll", "{\"order_by\":\"n\"}");
        assertTrue(unindexed.contains("range index"), unindexed);
        rest.ok("PUT", "/collections/demo/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
        JsonNode asc = rest.ok("POST", "/collections/demo/points/scroll", "{\"order_by\":\"n\",\"limit\":3}");
        assertEquals(List.of(1, 2, 3), ids(asc.get("points")));
        assertEquals(1, asc.get("points").get(0).get("order_value").asInt());
        assertTrue(asc.get("next_page_offset").isNull());
        JsonNode desc = rest.ok("POST", "/collections/demo/points/scroll",
                "{\"order_by\":{\"key\":\"n\",\"direction\":\"desc\",\"start_from\":4},\"limit\":2,"
                        + "\"filter\":{\"must_not\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]}}");
        assertEquals(List.of(4, 3), ids(desc.get("points")));
        rest.error(400, "POST", "/collections/demo/points/scroll", "{\"order_by\":\"n\",\"offset\":1}");
    }

    @Test
    void serviceEndpoints() {
        createDemo("demo", "Dot");
        RestClient.Reply root = rest.send("GET", "/", null);
        assertEquals(200, root.status());
        assertEquals("qdrant - vector search engine", root.json().get("title").asText());
        assertFalse(root.json().has("status"), "GET / is not wrapped in the envelope");
        assertEquals("healthz check passed", rest.send("GET", "/healthz", null).body());
        assertEquals("all shards are ready", rest.send("GET", "/readyz", null).body());
        JsonNode telemetry = rest.ok("GET", "/telemetry", null);
        assertEquals("quiver", telemetry.at("/app/name").asText());
        RestClient.Reply metrics = rest.send("GET", "/metrics", null);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("collections_total 1"), metrics.body());
        assertTrue(metrics.body().contains("collections_vector_total 6"), metrics.body());
        assertTrue(metrics.body().contains("rest_responses_total{method=\"PUT\",endpoint=\"/collections/{c}/points\",status=\"200\"}"),
                metrics.body());
        assertTrue(metrics.body().contains("wal_fsyncs_total"), metrics.body());
        rest.error(404, "GET", "/no/such/endpoint", null);
        rest.error(405, "DELETE", "/collections/demo/points/scroll", null);
    }

    @Test
    void corsPreflightAndHeaders() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> preflight = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/collections"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://example.test").header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type,api-key")
                .timeout(java.time.Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode());
        assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
        assertEquals("content-type,api-key", preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""));
        java.net.http.HttpResponse<String> get = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/collections"))
                .header("Origin", "http://example.test").timeout(java.time.Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals("*", get.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    }

    @Test
    void standaloneClusterEndpoints() {
        createDemo("demo", "Dot");
        assertEquals("disabled", rest.ok("GET", "/cluster", null).get("status").asText());
        assertTrue(rest.error(405, "POST", "/cluster/recover", null).contains("standalone"));
        assertTrue(rest.error(405, "DELETE", "/cluster/peer/7", null).contains("standalone"));
        JsonNode info = rest.ok("GET", "/collections/demo/cluster", null);
        assertEquals(1, info.get("shard_count").asInt());
        assertEquals("Active", info.at("/local_shards/0/state").asText());
        assertEquals(6, info.at("/local_shards/0/points_count").asInt());
        assertEquals(0, info.get("remote_shards").size());
    }


    @Test
    void trailingTextAfterTheJsonBodyIsRejectedAndChangesNothing() {
        createDemo("demo", "Dot");
        String trailing = rest.error(400, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":77,\"vector\":[1,1,1,1]}]} trailing");
        assertTrue(trailing.startsWith("Format error in JSON body"), trailing);
        rest.error(400, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":77,\"vector\":[1,1,1,1]}]} {\"points\":[]}");
        rest.error(400, "POST", "/collections/demo/points/search", "{\"vector\":[1,1,1,1],\"limit\":2}]");
        rest.error(404, "GET", "/collections/demo/points/77", null);
        assertEquals(6, count("demo"));
        // whitespace after the value is fine, and a payload may repeat a key (the last one wins, as in serde_json)
        rest.ok("PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":78,\"vector\":[1,1,1,1],\"payload\":{\"a\":1,\"a\":2}}]} \r\n\t ");
        assertEquals(2, rest.ok("GET", "/collections/demo/points/78", null).at("/payload/a").asInt());
    }

    @Test
    void collectionNamesFollowQdrantsRules() {
        String body = "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}";
        Map<String, String> forbidden = new java.util.LinkedHashMap<>();
        forbidden.put("a*b", "*");
        forbidden.put("a:b", ":");
        forbidden.put("a%3Cb", "<");
        forbidden.put("a%3Eb", ">");
        forbidden.put("a%22b", "\"");
        forbidden.put("a%7Cb", "|");
        forbidden.put("a%3Fb", "?");
        forbidden.put("a%5Cb", "\\");
        forbidden.put("a%2Fb", "/");
        forbidden.put("a%00b", "\0");
        forbidden.put("a%1Fb", "\u001F");
        forbidden.put("a%3Cb*", "<"); // the first forbidden character in Qdrant's order is reported
        for (Map.Entry<String, String> e : forbidden.entrySet()) {
            String error = rest.error(422, "PUT", "/collections/" + e.getKey(), body);
            assertEquals("Validation error in path parameters: [name: collection name cannot contain \""
                    + e.getValue() + "\" char]", error, e.getKey());
        }
        rest.error(422, "PUT", "/collections/a%0Ab", body); // other control characters: not a directory name
        rest.error(422, "PUT", "/collections/" + "a".repeat(256), body);
        rest.error(422, "PUT", "/collections/" + "%C3%A9".repeat(128), body); // 128 characters, 256 UTF-8 bytes
        assertEquals(0, rest.ok("GET", "/collections", null).get("collections").size());
        assertTrue(rest.ok("PUT", "/collections/" + "a".repeat(255), body).asBoolean());
        assertTrue(rest.ok("PUT", "/collections/with%20space-and.dots_%C3%A9", body).asBoolean());
        assertEquals(2, rest.ok("GET", "/collections", null).get("collections").size());
    }

    @Test
    void payloadIndexTakesFieldTypeAsAnAliasOfFieldSchema() {
        createDemo("demo", "Dot");
        JsonNode created = rest.ok("PUT", "/collections/demo/index?wait=true",
                "{\"field_name\":\"city\",\"field_type\":\"keyword\"}");
        assertEquals("completed", created.get("status").asText());
        assertEquals("keyword",
                rest.ok("GET", "/collections/demo", null).at("/payload_schema/city/data_type").asText());
        String both = rest.error(400, "PUT", "/collections/demo/index?wait=true",
                "{\"field_name\":\"n\",\"field_schema\":\"integer\",\"field_type\":\"integer\"}");
        assertTrue(both.contains("duplicate field"), both);
        rest.error(400, "PUT", "/collections/demo/index?wait=true", "{\"field_name\":\"n\"}");
        assertFalse(rest.ok("GET", "/collections/demo", null).get("payload_schema").has("n"));
    }

    @Test
    void queryParametersAreCheckedOnEveryEndpointThatTakesThem() {
        createDemo("demo", "Dot");
        String[][] writes = {
                {"PUT", "/collections/demo/points", "{\"points\":[{\"id\":100,\"vector\":[1,1,1,1]}]}"},
                {"POST", "/collections/demo/points/delete", "{\"points\":[1]}"},
                {"POST", "/collections/demo/points/payload", "{\"payload\":{\"x\":1},\"points\":[3]}"},
                {"PUT", "/collections/demo/points/payload", "{\"payload\":{\"x\":1},\"points\":[3]}"},
                {"POST", "/collections/demo/points/payload/delete", "{\"keys\":[\"city\"],\"points\":[3]}"},
                {"POST", "/collections/demo/points/payload/clear", "{\"points\":[3]}"},
                {"POST", "/collections/demo/points/batch", "{\"operations\":[{\"delete\":{\"points\":[5]}}]}"},
                {"PUT", "/collections/demo/index", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}"},
                {"DELETE", "/collections/demo/index/n", null}};
        rest.ok("PUT", "/collections/demo/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
        JsonNode before = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":100,\"with_vector\":true}");
        for (String[] w : writes) {
            for (String bad : List.of("ordering=bogus", "timeout=abc", "timeout=-1", "timeout=1.5", "wait=maybe",
                    "wait=true&ordering=Strong")) {
                String error = rest.error(400, w[0], w[1] + "?" + bad, w[2]);
                assertTrue(error.startsWith("Format error in query parameters"), w[1] + "?" + bad + ": " + error);
            }
        }
        assertEquals(before.get("points"), rest.ok("POST", "/collections/demo/points/scroll",
                "{\"limit\":100,\"with_vector\":true}").get("points"), "rejected writes change nothing");
        assertEquals(List.of("n"), fieldNames(rest.ok("GET", "/collections/demo", null).get("payload_schema")));
        // Qdrant's write timeout is whole seconds (DurationSeconds): 0 is a valid value there
        for (String[] w : writes) {
            rest.ok(w[0], w[1] + "?wait=true&ordering=strong&timeout=0", w[2]);
        }

        String[][] reads = {
                {"POST", "/collections/demo/points", "{\"ids\":[2]}"},
                {"GET", "/collections/demo/points/2", null},
                {"POST", "/collections/demo/points/scroll", "{}"},
                {"POST", "/collections/demo/points/count", "{}"},
                {"POST", "/collections/demo/points/search", "{\"vector\":[1,1,1,1],\"limit\":2}"},
                {"POST", "/collections/demo/points/search/batch",
                        "{\"searches\":[{\"vector\":[1,1,1,1],\"limit\":2}]}"},
                {"POST", "/collections/demo/points/recommend", "{\"positive\":[2],\"limit\":2}"},
                {"POST", "/collections/demo/points/recommend/batch", "{\"searches\":[{\"positive\":[2],\"limit\":2}]}"},
                {"POST", "/collections/demo/points/query", "{\"query\":[1,1,1,1]}"},
                {"POST", "/collections/demo/points/query/batch", "{\"searches\":[{\"query\":[1,1,1,1]}]}"}};
        for (String[] r : reads) {
            // Qdrant's read timeout is a NonZeroU64: 0 fails to parse like any malformed value
            for (String bad : List.of("timeout=abc", "timeout=0", "timeout=-5", "consistency=bogus", "consistency=0")) {
                String error = rest.error(400, r[0], r[1] + "?" + bad, r[2]);
                assertTrue(error.startsWith("Format error in query parameters"), r[1] + "?" + bad + ": " + error);
            }
            rest.ok(r[0], r[1] + "?timeout=5&consistency=majority", r[2]);
        }

        // collection meta operations (Qdrant's WaitTimeout): text is a 400, 0 a 422
        String config = "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}";
        rest.error(400, "PUT", "/collections/other?timeout=abc", config);
        rest.error(422, "PUT", "/collections/other?timeout=0", config);
        rest.error(422, "PATCH", "/collections/demo?timeout=0", "{}");
        rest.error(400, "DELETE", "/collections/demo?timeout=x", null);
        assertTrue(rest.ok("GET", "/collections/demo/exists", null).get("exists").asBoolean());
    }


    /**
     * {@code {"nearest": v, "mmr": {…}}}: the {@code candidates_limit} nearest points re-ranked by Qdrant's greedy
     * MMR formula, checked against the same formula computed here in double precision from the stored vectors.
     */
    @Test
    void nearestWithMmrMatchesABruteForceGreedySelection() {
        for (String distance : List.of("Dot", "Cosine", "Euclid", "Manhattan")) {
            String name = "m_" + distance.toLowerCase();
            assertTrue(rest.ok("PUT", "/collections/" + name,
                    "{\"vectors\":{\"size\":6,\"distance\":\"" + distance + "\"}}").asBoolean());
            Random random = new Random(23);
            Map<Integer, float[]> stored = new HashMap<>();
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int id = 0; id < 150; id++) {
                float[] v = new float[6];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat() * 2 - 1;
                }
                body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":").append(VectorJson.json(v))
                        .append(",\"payload\":{\"even\":").append(id % 2 == 0).append("}}");
                stored.put(id, distance.equals("Cosine") ? unit(v) : v);
            }
            rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
            float[] query = {0.4f, -0.3f, 0.8f, 0.1f, -0.2f, 0.5f};
            for (double diversity : List.of(0.0, 0.3, 0.7, 1.0)) {
                List<Integer> candidates = bruteForce(stored, query, distance, 30, false);
                List<Integer> expected = greedyMmr(stored, candidates, query, distance, diversity, 7);
                JsonNode hits = rest.ok("POST", "/collections/" + name + "/points/query",
                        "{\"query\":{\"nearest\":" + VectorJson.json(query) + ",\"mmr\":{\"diversity\":" + diversity
                                + ",\"candidates_limit\":30}},\"limit\":5,\"offset\":2,\"params\":{\"exact\":true}}");
                assertEquals(expected.subList(2, 7), ids(hits.get("points")), distance + " diversity " + diversity);
                JsonNode first = hits.get("points").get(0);
                assertFalse(first.hasNonNull("vector"), "no vector unless asked for");
                assertEquals(plainScore(stored.get(first.get("id").asInt()), query, distance),
                        first.get("score").asDouble(), 1e-4, "a picked point keeps its search score");
            }
            // diversity 0 is plain relevance; candidates_limit defaults to limit (so MMR only reorders the top)
            assertEquals(bruteForce(stored, query, distance, 4, false), ids(rest.ok("POST", "/collections/" + name
                    + "/points/query", "{\"query\":{\"nearest\":" + VectorJson.json(query) + ",\"mmr\":{\"diversity\":0}},"
                    + "\"limit\":4,\"params\":{\"exact\":true}}").get("points")));
            JsonNode defaults = rest.ok("POST", "/collections/" + name + "/points/query", "{\"query\":{\"nearest\":"
                    + VectorJson.json(query) + ",\"mmr\":{}},\"limit\":6,\"with_vector\":true,\"params\":{\"exact\":true}}");
            assertEquals(greedyMmr(stored, bruteForce(stored, query, distance, 6, false), query, distance, 0.5, 6),
                    ids(defaults.get("points")), distance + " defaults");
            assertEquals(6, defaults.get("points").get(0).get("vector").size());
            // a point id as the query: its stored vector, the point itself left out; the filter applies
            Map<Integer, float[]> evenOthers = new HashMap<>();
            stored.forEach((id, v) -> {
                if (id % 2 == 0 && id != 4) {
                    evenOthers.put(id, v);
                }
            });
            float[] four = stored.get(4);
            List<Integer> fromFour = bruteForce(evenOthers, four, distance, 20, false);
            assertEquals(greedyMmr(evenOthers, fromFour, four, distance, 0.6, 5),
                    ids(rest.ok("POST", "/collections/" + name + "/points/query", "{\"query\":{\"nearest\":4,\"mmr\":"
                            + "{\"diversity\":0.6,\"candidates_limit\":20}},\"limit\":5,\"params\":{\"exact\":true},"
                            + "\"filter\":{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}}").get("points")));
        }
        String path = "/collections/m_dot/points/query";
        String v = "[0.1,0.2,0.3,0.4,0.5,0.6]";
        rest.error(422, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":1.5}}}");
        rest.error(422, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":-0.1}}}");
        rest.error(400, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"diversity\":\"high\"}}}");
        rest.error(422, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"candidates_limit\":16385}}}");
        rest.error(400, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"candidates_limit\":-1}}}");
        rest.ok("POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"candidates_limit\":16384}}}");
        assertTrue(rest.error(400, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":{\"lambda\":0.5}}}")
                .contains("lambda"));
        assertTrue(rest.error(400, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"bogus\":1}}").contains("bogus"));
        rest.error(400, "POST", path, "{\"query\":{\"nearest\":" + v + ",\"mmr\":[1]}}");
        rest.error(400, "POST", path, "{\"query\":{\"recommend\":{\"positive\":[1]},\"mmr\":{}}}");
        rest.error(400, "POST", path, "{\"query\":{\"bogus\":" + v + "}}");
        assertTrue(rest.error(400, "POST", path, "{\"query\":{\"formula\":{\"sum\":[1]}}}")
                .contains("cannot apply Formula without prefetches"));
    }

    /** Qdrant's MMR selection in double precision: relevance and pairwise similarity by the distance's similarity. */
    private static List<Integer> greedyMmr(Map<Integer, float[]> vectors, List<Integer> candidates, float[] query,
            String distance, double diversity, int limit) {
        float[] q = distance.equals("Cosine") ? unit(query) : query;
        List<Integer> picked = new ArrayList<>();
        List<Integer> remaining = new ArrayList<>(candidates);
        Integer best = null;
        for (Integer c : remaining) {
            if (best == null || similarity(vectors.get(c), q, distance) > similarity(vectors.get(best), q, distance)) {
                best = c;
            }
        }
        while (best != null && picked.size() < limit) {
            picked.add(best);
            remaining.remove(best);
            best = null;
            double bestScore = 0;
            for (Integer c : remaining) {
                double closest = Double.NEGATIVE_INFINITY;
                for (Integer p : picked) {
                    closest = Math.max(closest, similarity(vectors.get(c), vectors.get(p), distance));
                }
                double score = (1 - diversity) * similarity(vectors.get(c), q, distance) - diversity * closest;
                if (best == null || score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
        }
        return picked;
    }

    /** Larger is better: the dot product, or minus the squared Euclidean / L1 distance. */
    private static double similarity(float[] a, float[] b, String distance) {
        double dot = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            l2 += Math.pow(a[i] - b[i], 2);
            l1 += Math.abs(a[i] - b[i]);
        }
        return switch (distance) {
            case "Dot", "Cosine" -> dot;
            case "Euclid" -> -l2;
            default -> -l1;
        };
    }

    /** The score a search reports for a stored vector (Cosine: stored unit vectors against the unit query). */
    private static double plainScore(float[] stored, float[] query, String distance) {
        double s = similarity(stored, distance.equals("Cosine") ? unit(query) : query, distance);
        return switch (distance) {
            case "Euclid" -> Math.sqrt(-s);
            case "Manhattan" -> -s;
            default -> s;
        };
    }

    @Test
    void nonFiniteScoresAreWrittenAsNull() {
        assertTrue(rest.ok("PUT", "/collections/huge", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}").asBoolean());
        rest.ok("PUT", "/collections/huge/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[3e38,3e38]}]}");
        RestClient.Reply search = rest.send("POST", "/collections/huge/points/search",
                "{\"vector\":[3e38,3e38],\"limit\":1}");
        assertEquals(200, search.status(), search.body());
        assertFalse(search.body().contains("Infinity"), search.body());
        JsonNode hit = search.json().get("result").get(0);
        assertEquals(1, hit.get("id").asInt());
        assertTrue(hit.has("score") && hit.get("score").isNull(), hit.toString());
        JsonNode query = rest.ok("POST", "/collections/huge/points/query", "{\"query\":[3e38,3e38]}");
        assertTrue(query.at("/points/0/score").isNull(), query.toString());
    }

    private JsonNode payload(int id) {
        return rest.ok("GET", "/collections/demo/points/" + id, null).get("payload");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<Integer> ids(JsonNode points) {
        List<Integer> ids = new ArrayList<>();
        points.forEach(p -> ids.add(p.get("id").asInt()));
        return ids;
    }

    /** Qdrant's order for each distance, computed plainly in double precision. */
    static List<Integer> bruteForce(Map<Integer, float[]> vectors, float[] query, String distance, int k, boolean evenOnly) {
        Map<Integer, Double> scores = new HashMap<>();
        double qn = 0;
        for (float x : query) {
            qn += x * x;
        }
        qn = Math.sqrt(qn);
        for (Map.Entry<Integer, float[]> e : vectors.entrySet()) {
            if (evenOnly && e.getKey() % 2 != 0) {
                continue;
            }
            float[] v = e.getValue();
            double dot = 0, l2 = 0, l1 = 0, vn = 0;
            for (int i = 0; i < v.length; i++) {
                dot += (double) v[i] * query[i];
                l2 += Math.pow(v[i] - query[i], 2);
                l1 += Math.abs(v[i] - query[i]);
                vn += (double) v[i] * v[i];
            }
            double score = switch (distance) {
                case "Dot" -> dot;
                case "Cosine" -> dot / (Math.sqrt(vn) * qn);
                case "Euclid" -> Math.sqrt(l2);
                default -> l1;
            };
            scores.put(e.getKey(), score);
        }
        boolean higherBetter = distance.equals("Dot") || distance.equals("Cosine");
        Comparator<Integer> order = Comparator.comparingDouble(scores::get);
        return scores.keySet().stream().sorted(higherBetter ? order.reversed() : order).limit(k).toList();
    }
}
