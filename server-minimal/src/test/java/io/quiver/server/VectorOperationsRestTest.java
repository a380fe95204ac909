package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's {@code PUT /collections/{c}/points/vectors} (UpdateVectors), {@code POST .../points/vectors/delete}
 * (DeleteVectors) and their batch operations over a real socket: UpdateResults, the payload kept, a deleted vector
 * shown as {@code "vector": {}} and never searched, 404/400/422 in Qdrant's envelope with rejected requests changing
 * nothing, the shared query-parameter checks, and the changes still there after a restart.
 */
class VectorOperationsRestTest extends RestServerTest {
    @BeforeEach
    void createData() throws Exception {
        assertTrue(rest.ok("PUT", "/collections/demo", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}").asBoolean());
        rest.ok("PUT", "/collections/demo/points?wait=true", """
                {"points":[
                 {"id":1,"vector":[1,0,0,0],"payload":{"city":"Berlin"}},
                 {"id":2,"vector":[2,0,0,0],"payload":{"city":"London"}},
                 {"id":3,"vector":[3,0,0,0],"payload":{"city":"Moscow"}},
                 {"id":4,"vector":[4,0,0,0],"payload":{"city":"London"}},
                 {"id":"8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e","vector":[5,0,0,0],"payload":{"city":"Rome"}}]}""");
    }

    private JsonNode point(Object id) {
        return rest.ok("GET", "/collections/demo/points/" + id, null);
    }

    private JsonNode everything() {
        return rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":100,\"with_vector\":true}").get("points");
    }

    private List<Long> searchIds(String vector, String filterOrNull) {
        JsonNode hits = rest.ok("POST", "/collections/demo/points/search", "{\"vector\":" + vector + ",\"limit\":100"
                + (filterOrNull == null ? "" : ",\"filter\":" + filterOrNull) + "}");
        List<Long> ids = new ArrayList<>();
        hits.forEach(h -> ids.add(h.get("id").isNumber() ? h.get("id").asLong() : -1L));
        return ids;
    }

    @Test
    void updateVectorsReplacesTheVectorAndKeepsThePayload() {
        JsonNode result = rest.ok("PUT", "/collections/demo/points/vectors?wait=true", """
                {"points":[{"id":1,"vector":[0,0,0,9]},
                           {"id":"8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e","vector":{"":[0,0,7,0]}}]}""");
        assertEquals("completed", result.get("status").asText());
        assertTrue(result.get("operation_id").isIntegralNumber());
        JsonNode one = point(1);
        assertEquals("[0.0,0.0,0.0,9.0]", one.get("vector").toString());
        assertEquals("{\"city\":\"Berlin\"}", one.get("payload").toString());
        assertEquals("[0.0,0.0,7.0,0.0]", point("8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e").get("vector").toString());
        assertEquals("[2.0,0.0,0.0,0.0]", point(2).get("vector").toString());
        JsonNode top = rest.ok("POST", "/collections/demo/points/search", "{\"vector\":[0,0,0,1],\"limit\":1}").get(0);
        assertEquals(1, top.get("id").asLong());
        assertEquals(result.get("operation_id").asLong(), top.get("version").asLong());

        // alias `vectors`, shard_key taken and ignored, wait=false acknowledged; the later entry for an id wins
        JsonNode acknowledged = rest.ok("PUT", "/collections/demo/points/vectors?ordering=strong", """
                {"points":[{"id":2,"vectors":[1,1,1,1]},{"id":2,"vector":[0,2,0,0]}],"shard_key":"tenant"}""");
        assertEquals("acknowledged", acknowledged.get("status").asText());
        assertTrue(acknowledged.get("operation_id").asLong() > result.get("operation_id").asLong());
        assertEquals("[0.0,2.0,0.0,0.0]", point(2).get("vector").toString());
        assertEquals("{\"city\":\"London\"}", point(2).get("payload").toString());
    }

    @Test
    void rejectedUpdatesAnswerInQdrantsEnvelopeAndChangeNothing() {
        JsonNode before = everything();
        String missing = rest.error(404, "PUT", "/collections/demo/points/vectors?wait=true", """
                {"points":[{"id":1,"vector":[0,0,0,9]},{"id":424242424242424242,"vector":[0,0,0,1]}]}""");
        assertEquals("Not found: No point with id 424242424242424242 found", missing);
        assertEquals("Wrong input: Vector dimension error: expected dim: 4, got 3", rest.error(400, "PUT",
                "/collections/demo/points/vectors?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[0,0,0,9]},{\"id\":2,\"vector\":[1,2,3]}]}"));
        String notFinite = rest.error(400, "PUT", "/collections/demo/points/vectors?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[0,1e39,0,0]}]}");
        assertTrue(notFinite.startsWith("Wrong input: "), notFinite);
        assertEquals("Wrong input: Not existing vector name error: image", rest.error(400, "PUT",
                "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"image\":[1,2,3,4]}}]}"));
        assertEquals("Validation error in JSON body: [points[0].vector: must specify vectors to update for point]",
                rest.error(422, "PUT", "/collections/demo/points/vectors?wait=true",
                        "{\"points\":[{\"id\":1,\"vector\":{}}]}"));
        assertEquals("Validation error in JSON body: [points: must specify points to update]",
                rest.error(422, "PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[]}"));
        rest.error(400, "PUT", "/collections/demo/points/vectors?wait=true", "{}");
        rest.error(400, "PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":-1,\"vector\":[1,1,1,1]}]}");
        rest.error(400, "PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":1}]}");
        rest.error(400, "PUT", "/collections/demo/points/vectors?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,1,1,1]}],\"shard_key\":{\"a\":1}}");
        assertEquals("Not found: Collection `nope` doesn't exist!", rest.error(404, "PUT",
                "/collections/nope/points/vectors?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,1,1,1]}]}"));
        assertEquals(before, everything(), "rejected updates change nothing");
    }

    @Test
    void deletedVectorsLeaveTheirPointsRetrievableButUnsearchable() {
        JsonNode result = rest.ok("POST", "/collections/demo/points/vectors/delete?wait=true",
                "{\"points\":[2,99],\"vector\":[\"\"]}");
        assertEquals("completed", result.get("status").asText());
        JsonNode two = point(2);
        assertEquals("{}", two.get("vector").toString(), "Qdrant shows a point without vectors as {}");
        assertEquals("{\"city\":\"London\"}", two.get("payload").toString());
        JsonNode retrieved = rest.ok("POST", "/collections/demo/points", "{\"ids\":[2,3],\"with_vector\":true}");
        assertEquals("{}", retrieved.get(0).get("vector").toString());
        assertEquals("[3.0,0.0,0.0,0.0]", retrieved.get(1).get("vector").toString());
        JsonNode withoutVector = rest.ok("POST", "/collections/demo/points", "{\"ids\":[2]}").get(0);
        assertTrue(!withoutVector.has("vector") || withoutVector.get("vector").isNull(), withoutVector.toString());
        assertEquals("{}", everything().get(1).get("vector").toString());
        // a query without a query lists points like a scroll: the same shape
        JsonNode listed = rest.ok("POST", "/collections/demo/points/query", "{\"with_vector\":true,\"limit\":3}")
                .get("points");
        assertEquals(2, listed.get(1).get("id").asInt());
        assertEquals("{}", listed.get(1).get("vector").toString());
        assertEquals("[1.0,0.0,0.0,0.0]", listed.get(0).get("vector").toString());

        assertEquals(5, rest.ok("POST", "/collections/demo/points/count", "{}").get("count").asLong());
        assertEquals(4, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"\"}]}}").get("count").asLong());
        assertEquals(2, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]}}").get("count").asLong());
        assertEquals(List.of(-1L, 4L, 3L, 1L), searchIds("[1,0,0,0]", null));
        assertEquals(List.of(4L), searchIds("[1,0,0,0]", "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]}"));

        // by filter, with the alias `vectors`; deleting again is fine
        rest.ok("POST", "/collections/demo/points/vectors/delete?wait=true",
                "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]},\"vectors\":[\"\"]}");
        rest.ok("POST", "/collections/demo/points/vectors/delete?wait=true&ordering=medium",
                "{\"points\":[2],\"vector\":[\"\"]}");
        assertEquals("{}", point(4).get("vector").toString());
        assertEquals(List.of(-1L, 3L, 1L), searchIds("[1,0,0,0]", null));

        // a point without a vector is no example to search with
        for (String[] use : new String[][] {{"/points/recommend", "{\"positive\":[2],\"limit\":3}"},
                {"/points/query", "{\"query\":2}"},
                {"/points/query", "{\"query\":{\"recommend\":{\"positive\":[1],\"negative\":[4]}}}"},
                {"/points/discover", "{\"target\":2,\"context\":[{\"positive\":1,\"negative\":3}],\"limit\":3}"}}) {
            assertEquals("Not found: No point with id " + (use[1].contains("[4]") ? 4 : 2) + " found",
                    rest.error(404, "POST", "/collections/demo" + use[0], use[1]), use[1]);
        }

        // an update gives a vector back
        rest.ok("PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":2,\"vector\":[9,0,0,0]}]}");
        assertEquals("[9.0,0.0,0.0,0.0]", point(2).get("vector").toString());
        assertEquals("{\"city\":\"London\"}", point(2).get("payload").toString());
        assertEquals(List.of(2L, -1L, 3L, 1L), searchIds("[1,0,0,0]", null));
    }

    @Test
    void rejectedDeletesAnswerInQdrantsEnvelopeAndChangeNothing() {
        JsonNode before = everything();
        assertEquals("Wrong input: Not existing vector name error: a", rest.error(400, "POST",
                "/collections/demo/points/vectors/delete?wait=true", "{\"points\":[1,2],\"vector\":[\"\",\"a\"]}"));
        assertEquals("Validation error in JSON body: [vector: must specify vector names to delete]", rest.error(422,
                "POST", "/collections/demo/points/vectors/delete?wait=true", "{\"points\":[1,2],\"vector\":[]}"));
        rest.error(400, "POST", "/collections/demo/points/vectors/delete?wait=true", "{\"points\":[1,2]}");
        assertEquals("Bad request: No filter or points provided", rest.error(400, "POST",
                "/collections/demo/points/vectors/delete?wait=true", "{\"vector\":[\"\"]}"));
        assertEquals("Bad request: No filter or points provided", rest.error(400, "POST",
                "/collections/demo/points/vectors/delete?wait=true", "{\"points\":null,\"filter\":null,\"vector\":[\"\"]}"));
        rest.error(400, "POST", "/collections/demo/points/vectors/delete?wait=true", "{\"points\":[1],\"vector\":[1]}");
        rest.error(400, "POST", "/collections/demo/points/vectors/delete?wait=true",
                "{\"points\":[\"not-a-uuid\"],\"vector\":[\"\"]}");
        rest.error(404, "POST", "/collections/nope/points/vectors/delete?wait=true", "{\"points\":[1],\"vector\":[\"\"]}");
        assertEquals(before, everything(), "rejected deletes change nothing");
    }

    @Test
    void queryParametersAreCheckedAsOnEveryOtherWrite() {
        JsonNode before = everything();
        String[][] writes = {
                {"PUT", "/collections/demo/points/vectors", "{\"points\":[{\"id\":1,\"vector\":[0,0,0,1]}]}"},
                {"POST", "/collections/demo/points/vectors/delete", "{\"points\":[1],\"vector\":[\"\"]}"},
                {"POST", "/collections/demo/points/batch",
                        "{\"operations\":[{\"delete_vectors\":{\"points\":[1],\"vector\":[\"\"]}}]}"}};
        for (String[] w : writes) {
            for (String bad : List.of("ordering=bogus", "timeout=abc", "timeout=-1", "wait=maybe",
                    "wait=true&ordering=Strong")) {
                String error = rest.error(400, w[0], w[1] + "?" + bad, w[2]);
                assertTrue(error.startsWith("Format error in query parameters"), w[1] + "?" + bad + ": " + error);
            }
        }
        assertEquals(before, everything(), "rejected writes change nothing");
        for (String[] w : writes) {
            JsonNode result = rest.ok(w[0], w[1] + "?wait=true&ordering=strong&timeout=0", w[2]);
            assertEquals("completed", (result.isArray() ? result.get(0) : result).get("status").asText());
        }
    }

    @Test
    void batchOperationsUpdateAndDeleteVectors() {
        JsonNode results = rest.ok("POST", "/collections/demo/points/batch?wait=true", """
                {"operations":[{"upsert":{"points":[{"id":50,"vector":[1,1,1,1],"payload":{"b":1}}]}},
                               {"update_vectors":{"points":[{"id":50,"vector":[0,0,5,0]},{"id":1,"vector":[0,0,0,3]}]}},
                               {"delete_vectors":{"points":[3],"vector":[""]}},
                               {"delete_vectors":{"filter":{"must":[{"has_id":[4]}]},"vectors":[""]}}]}""");
        assertEquals(4, results.size());
        results.forEach(r -> assertEquals("completed", r.get("status").asText()));
        assertEquals("[0.0,0.0,5.0,0.0]", point(50).get("vector").toString());
        assertEquals("{\"b\":1}", point(50).get("payload").toString());
        assertEquals("[0.0,0.0,0.0,3.0]", point(1).get("vector").toString());
        assertEquals("{}", point(3).get("vector").toString());
        assertEquals("{}", point(4).get("vector").toString());

        // a malformed vector operation anywhere in a batch runs none of its operations
        JsonNode before = everything();
        for (String[] bad : new String[][] {
                {"422", "{\"update_vectors\":{\"points\":[]}}"},
                {"422", "{\"update_vectors\":{\"points\":[{\"id\":2,\"vector\":{}}]}}"},
                {"400", "{\"update_vectors\":{\"points\":[{\"id\":2,\"vector\":{\"image\":[1,1,1,1]}}]}}"},
                {"422", "{\"delete_vectors\":{\"points\":[2],\"vector\":[]}}"},
                {"400", "{\"delete_vectors\":{\"points\":[2],\"vector\":[\"image\"]}}"}}) {
            rest.error(Integer.parseInt(bad[0]), "POST", "/collections/demo/points/batch?wait=true",
                    "{\"operations\":[{\"upsert\":{\"points\":[{\"id\":51,\"vector\":[1,1,1,1]}]}},"
                            + "{\"delete_vectors\":{\"points\":[1],\"vector\":[\"\"]}}," + bad[1] + "]}");
            assertEquals(before, everything(), bad[1]);
        }
        // a refused update (a missing point) stops the batch there, the earlier operations applied (as in Qdrant)
        rest.error(404, "POST", "/collections/demo/points/batch?wait=true",
                "{\"operations\":[{\"delete_vectors\":{\"points\":[1],\"vector\":[\"\"]}},"
                        + "{\"update_vectors\":{\"points\":[{\"id\":77,\"vector\":[1,1,1,1]}]}},"
                        + "{\"delete_vectors\":{\"points\":[2],\"vector\":[\"\"]}}]}");
        assertEquals("{}", point(1).get("vector").toString());
        assertEquals("[2.0,0.0,0.0,0.0]", point(2).get("vector").toString());
    }

    /** An indexed segment's points whose vector was deleted no longer count as indexed vectors. */
    @Test
    void indexedVectorsCountLeavesOutDeletedVectors() throws Exception {
        rest.ok("PUT", "/collections/ix", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                + "\"optimizers_config\":{\"indexing_threshold\":1,\"default_segment_number\":1}}");
        java.util.Random random = new java.util.Random(5);
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < 300; id++) {
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                    .append(VectorJson.json(VectorJson.gaussian(random, 4))).append('}');
        }
        rest.ok("PUT", "/collections/ix/points?wait=true", body.append("]}").toString());
        // the first points fill a segment that is sealed and indexed (the last few stay in an appendable one)
        int indexed = rest.eventually("/collections/ix", info -> info.get("indexed_vectors_count").asInt() >= 256
                && "green".equals(info.get("status").asText()), "the points indexed", java.time.Duration.ofSeconds(30))
                .get("indexed_vectors_count").asInt();
        rest.ok("POST", "/collections/ix/points/vectors/delete?wait=true", "{\"points\":[3,5,7],\"vector\":[\"\"]}");
        rest.ok("POST", "/collections/ix/points/delete?wait=true", "{\"points\":[7,9]}");
        JsonNode info = rest.ok("GET", "/collections/ix", null);
        assertEquals(298, info.get("points_count").asInt());
        assertEquals(indexed - 4, info.get("indexed_vectors_count").asInt(), info.toString());
    }

    @Test
    void vectorChangesSurviveARestart() throws Exception {
        rest.ok("PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":1,\"vector\":[0,0,0,9]}]}");
        rest.ok("POST", "/collections/demo/points/vectors/delete?wait=true", "{\"points\":[2],\"vector\":[\"\"]}");
        JsonNode before = everything();
        restartServer();
        assertEquals(before, everything());
        assertEquals("{}", point(2).get("vector").toString());
        assertFalse(searchIds("[1,0,0,0]", null).contains(2L));
    }

    @Test
    void deleteVectorsWithPointsAndFilterDeletesFromBoth() {
        // Qdrant's DeleteVectors has `points` and `filter` as two fields and runs both when both are given
        rest.ok("POST", "/collections/demo/points/vectors/delete?wait=true", """
                {"points":[1],"filter":{"must":[{"key":"city","match":{"value":"London"}}]},"vector":[""]}""");
        for (int id : new int[] {1, 2, 4}) {
            assertEquals("{}", point(id).get("vector").toString(), "point " + id);
        }
        assertEquals("[3.0,0.0,0.0,0.0]", point(3).get("vector").toString());
        assertEquals(List.of(-1L, 3L), searchIds("[1,0,0,0]", null));
        rest.ok("POST", "/collections/demo/points/batch?wait=true", """
                {"operations":[{"delete_vectors":{"points":[3],"filter":{"must":[{"has_id":[
                  "8a4a6f1e-6b0b-4a5a-9c1e-2f3a4b5c6d7e"]}]},"vector":[""]}}]}""");
        assertEquals(List.of(), searchIds("[1,0,0,0]", null));
    }

    @Test
    void upsertWithAnEmptyNamedVectorStoresAPointWithoutAVector() {
        // Qdrant's `"vector": {}`: a point without vectors, retrievable and filtered by payload, never searched
        JsonNode result = rest.ok("PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":7,\"vector\":{},\"payload\":{\"city\":\"Oslo\"}}]}");
        assertEquals("completed", result.get("status").asText());
        JsonNode seven = point(7);
        assertEquals("{}", seven.get("vector").toString());
        assertEquals("{\"city\":\"Oslo\"}", seven.get("payload").toString());
        assertEquals(6, rest.ok("POST", "/collections/demo/points/count", "{}").get("count").asLong());
        assertEquals(5, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"\"}]}}").get("count").asLong());
        assertEquals(List.of(-1L, 4L, 3L, 2L, 1L), searchIds("[1,0,0,0]", null));
        // an existing point upserted so loses its vector; then update_vectors gives it one again
        rest.ok("PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":1,\"vectors\":{}}]}");
        assertEquals("{}", point(1).get("vector").toString());
        rest.ok("PUT", "/collections/demo/points/vectors?wait=true", "{\"points\":[{\"id\":7,\"vector\":[9,0,0,0]}]}");
        assertEquals(List.of(7L, -1L, 4L, 3L, 2L), searchIds("[1,0,0,0]", null));
        // an unknown name in the named form is still refused
        assertEquals("Wrong input: Not existing vector name error: image", rest.error(400, "PUT",
                "/collections/demo/points?wait=true", "{\"points\":[{\"id\":8,\"vector\":{\"image\":[1,0,0,0]}}]}"));
    }

    @Test
    void batchUpsertWithEmptyNamedVectorsStoresPointsWithoutAVector() {
        // Qdrant's columnar form with `"vectors": {}` (named vectors, no name): every point of the batch vectorless
        JsonNode result = rest.ok("PUT", "/collections/demo/points?wait=true", """
                {"batch":{"ids":[2,8,"0b6bd5c4-4f53-4c5e-9d0c-6f3e1f2a7b11"],"vectors":{},
                 "payloads":[{"city":"Lima"},null,{"city":"Quito"}]}}""");
        assertEquals("completed", result.get("status").asText());
        assertEquals("{}", point(2).get("vector").toString());
        assertEquals("{\"city\":\"Lima\"}", point(2).get("payload").toString());
        assertEquals("{}", point(8).get("vector").toString());
        assertEquals("{}", point(8).get("payload").toString());
        assertEquals("{\"city\":\"Quito\"}", point("0b6bd5c4-4f53-4c5e-9d0c-6f3e1f2a7b11").get("payload").toString());
        assertEquals(7, rest.ok("POST", "/collections/demo/points/count", "{}").get("count").asLong());
        assertEquals(4, rest.ok("POST", "/collections/demo/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"\"}]}}").get("count").asLong());
        assertEquals(List.of(-1L, 4L, 3L, 1L), searchIds("[1,0,0,0]", null));
        // without payloads too, and in a batch of update operations
        rest.ok("PUT", "/collections/demo/points?wait=true", "{\"batch\":{\"ids\":[3],\"vectors\":{}}}");
        assertEquals("{}", point(3).get("vector").toString());
        rest.ok("POST", "/collections/demo/points/batch?wait=true",
                "{\"operations\":[{\"upsert\":{\"batch\":{\"ids\":[4],\"vectors\":{}}}}]}");
        assertEquals(List.of(-1L, 1L), searchIds("[1,0,0,0]", null));
        // the columns must still match the ids (Qdrant's 422 on the batch); an unknown name is still refused
        assertEquals("Validation error in JSON body: [batch: number of ids and payloads must be equal (2 != 1)]",
                rest.error(422, "PUT", "/collections/demo/points?wait=true",
                        "{\"batch\":{\"ids\":[5,6],\"vectors\":{},\"payloads\":[{}]}}"));
        assertEquals("Validation error in JSON body: [batch: number of ids and vectors must be equal (2 != 1)]",
                rest.error(422, "PUT", "/collections/demo/points?wait=true",
                        "{\"batch\":{\"ids\":[5,6],\"vectors\":[[1,0,0,0]]}}"));
        assertEquals("Wrong input: Not existing vector name error: image", rest.error(400, "PUT",
                "/collections/demo/points?wait=true", "{\"batch\":{\"ids\":[5],\"vectors\":{\"image\":[[1,0,0,0]]}}}"));
        assertEquals(7, rest.ok("POST", "/collections/demo/points/count", "{}").get("count").asLong(),
                "the refused batches stored nothing");
    }
}
