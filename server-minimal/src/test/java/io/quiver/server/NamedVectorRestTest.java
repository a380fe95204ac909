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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A collection whose one vector is named (Qdrant's {@code "vectors": {"image": {…}}}), over a real socket: the config
 * shows and keeps the named form across a restart; points are written and read with the vector under its name (list
 * and batch upserts, retrieve, scroll, search, query, recommend, discover, groups, matrix, vector updates and
 * deletes, {@code has_vector}); requests that name another vector, or none where Qdrant would take the unnamed one,
 * are 400s in Qdrant's words; and a collection spread over two clustered nodes behaves the same. Search results are
 * checked against a brute-force Dot product. Data: 40 points with random vectors of dimension 4 and payload
 * {@code {"n": i}}; {@code -Dquiver.seed=} replays.
 */
class NamedVectorRestTest extends RestServerTest {
    private static final int POINTS = 40;
    private static final String CREATE = "{\"vectors\":{\"image\":{\"size\":4,\"distance\":\"Dot\","
            + "\"hnsw_config\":{\"m\":8}}}}";

    private final List<float[]> vectors = new ArrayList<>();
    private Random random;

    @BeforeEach
    void createData() {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("NamedVectorRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        random = new Random(seed);
        for (int i = 0; i < POINTS; i++) {
            vectors.add(VectorJson.gaussian(random, 4));
        }
    }

    /** Upserts points 0..19 in the list form and 20..39 in the batch form, both under the vector's name. */
    private void upsertAll(RestClient client, String collection) {
        StringBuilder list = new StringBuilder("{\"points\":[");
        for (int i = 0; i < POINTS / 2; i++) {
            list.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":{\"image\":")
                    .append(json(vectors.get(i))).append("},\"payload\":{\"n\":").append(i).append("}}");
        }
        client.ok("PUT", "/collections/" + collection + "/points?wait=true", list.append("]}").toString());
        StringBuilder ids = new StringBuilder();
        StringBuilder column = new StringBuilder();
        StringBuilder payloads = new StringBuilder();
        for (int i = POINTS / 2; i < POINTS; i++) {
            String sep = i == POINTS / 2 ? "" : ",";
            ids.append(sep).append(i);
            column.append(sep).append(json(vectors.get(i)));
            payloads.append(sep).append("{\"n\":").append(i).append('}');
        }
        client.ok("PUT", "/collections/" + collection + "/points?wait=true", "{\"batch\":{\"ids\":[" + ids
                + "],\"vectors\":{\"image\":[" + column + "]},\"payloads\":[" + payloads + "]}}");
    }

    /** The ids of the {@code k} points with the largest dot product with {@code q}, best first. */
    private List<Integer> bruteForce(float[] q, int k) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < POINTS; i++) {
            ids.add(i);
        }
        ids.sort(Comparator.comparingDouble((Integer i) -> -dot(q, vectors.get(i))));
        return ids.subList(0, k);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static List<Integer> ids(JsonNode points) {
        List<Integer> ids = new ArrayList<>();
        points.forEach(p -> ids.add(p.get("id").asInt()));
        return ids;
    }

    /** The vector a point JSON shows under {@code "vector": {"image": […]}}. */
    private static float[] namedVector(JsonNode point) {
        JsonNode vector = point.get("vector");
        assertTrue(vector.isObject() && vector.size() == 1 && vector.get("image").isArray(),
                () -> "the vector under its name: " + point);
        float[] v = new float[vector.get("image").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = vector.get("image").get(i).floatValue();
        }
        return v;
    }

    @Test
    void theConfigShowsAndKeepsTheNamedForm() throws Exception {
        rest.ok("PUT", "/collections/named", CREATE);
        JsonNode expected = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"image\":{\"size\":4,\"distance\":\"Dot\",\"hnsw_config\":{\"m\":8}}}");
        assertEquals(expected, rest.ok("GET", "/collections/named", null).get("config").get("params")
                .get("vectors"));
        rest.ok("PATCH", "/collections/named", "{\"vectors\":{\"image\":{\"on_disk\":true}}}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("image")).put("on_disk", true);
        restartServer();
        assertEquals(expected, rest.ok("GET", "/collections/named", null).get("config").get("params")
                .get("vectors"), "named form, with the update, after a restart");
        assertEquals("Wrong input: Not existing vector name error: ",
                rest.error(400, "PATCH", "/collections/named", "{\"vectors\":{\"\":{\"on_disk\":false}}}"));
        assertEquals("Wrong input: Not existing vector name error: text",
                rest.error(400, "PATCH", "/collections/named", "{\"vectors\":{\"text\":{\"on_disk\":false}}}"));
        // what Quiver cannot hold, and Qdrant's validation under the vector's name
        assertTrue(rest.error(400, "PUT", "/collections/two", "{\"vectors\":{\"a\":{\"size\":2,\"distance\":"
                + "\"Dot\"},\"b\":{\"size\":3,\"distance\":\"Dot\"}}}").contains("one dense vector per point"));
        assertTrue(rest.error(400, "PUT", "/collections/none", "{\"vectors\":{}}")
                .contains("one dense vector per point"));
        assertTrue(rest.error(422, "PUT", "/collections/zero",
                "{\"vectors\":{\"image\":{\"size\":0,\"distance\":\"Dot\"}}}").contains("vectors.image.size"));
        assertEquals(404, rest.send("GET", "/collections/two", null).status(), "a refused create creates nothing");
    }

    @Test
    void pointsAreWrittenAndReadUnderTheName() {
        rest.ok("PUT", "/collections/named", CREATE);
        upsertAll(rest, "named");
        assertEquals(POINTS, rest.ok("POST", "/collections/named/points/count", "{}").get("count").asInt());
        JsonNode got = rest.ok("POST", "/collections/named/points", "{\"ids\":[3,27],\"with_vector\":true}");
        assertEquals(2, got.size());
        for (JsonNode p : got) {
            assertTrue(java.util.Arrays.equals(vectors.get(p.get("id").asInt()), namedVector(p)), p::toString);
        }
        JsonNode selected = rest.ok("POST", "/collections/named/points", "{\"ids\":[5],\"with_vector\":[\"image\"]}");
        assertTrue(java.util.Arrays.equals(vectors.get(5), namedVector(selected.get(0))));
        assertTrue(java.util.Arrays.equals(vectors.get(7), namedVector(rest.ok("GET", "/collections/named/points/7",
                null))));
        JsonNode page = rest.ok("POST", "/collections/named/points/scroll", "{\"limit\":3,\"with_vector\":true}");
        assertEquals(List.of(0, 1, 2), ids(page.get("points")));
        page.get("points").forEach(p -> assertTrue(java.util.Arrays.equals(vectors.get(p.get("id").asInt()),
                namedVector(p))));
        // a plain array is Qdrant's unnamed vector, which this collection does not have
        float[] v = VectorJson.gaussian(random, 4);
        assertEquals("Wrong input: Not existing vector name error: ", rest.error(400, "PUT",
                "/collections/named/points", "{\"points\":[{\"id\":100,\"vector\":" + json(v) + "}]}"));
        assertEquals("Wrong input: Not existing vector name error: text", rest.error(400, "PUT",
                "/collections/named/points", "{\"points\":[{\"id\":100,\"vector\":{\"text\":" + json(v) + "}}]}"));
        assertEquals("Wrong input: Not existing vector name error: text", rest.error(400, "PUT",
                "/collections/named/points", "{\"batch\":{\"ids\":[100],\"vectors\":{\"text\":[" + json(v) + "]}}}"));
        assertEquals("Wrong input: Not existing vector name error: text", rest.error(400, "POST",
                "/collections/named/points", "{\"ids\":[1],\"with_vector\":[\"text\"]}"));
        assertEquals(POINTS, rest.ok("POST", "/collections/named/points/count", "{}").get("count").asInt(),
                "the refused upserts stored nothing");
        // a collection with the unnamed vector refuses the name in turn
        rest.ok("PUT", "/collections/plain", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertEquals("Wrong input: Not existing vector name error: image", rest.error(400, "PUT",
                "/collections/plain/points", "{\"points\":[{\"id\":1,\"vector\":{\"image\":" + json(v) + "}}]}"));
    }

    @Test
    void searchesNameTheVector() {
        rest.ok("PUT", "/collections/named", CREATE);
        upsertAll(rest, "named");
        float[] q = VectorJson.gaussian(random, 4);
        List<Integer> expected = bruteForce(q, 5);
        JsonNode hits = rest.ok("POST", "/collections/named/points/search", "{\"vector\":{\"name\":\"image\","
                + "\"vector\":" + json(q) + "},\"limit\":5,\"with_vector\":true,\"params\":{\"exact\":true}}");
        assertEquals(expected, ids(hits));
        assertTrue(java.util.Arrays.equals(vectors.get(expected.getFirst()), namedVector(hits.get(0))));
        assertEquals(expected, ids(rest.ok("POST", "/collections/named/points/search",
                "{\"vector\":{\"image\":" + json(q) + "},\"limit\":5,\"params\":{\"exact\":true}}")));
        JsonNode query = rest.ok("POST", "/collections/named/points/query", "{\"query\":" + json(q)
                + ",\"using\":\"image\",\"limit\":5,\"with_vector\":[\"image\"],\"params\":{\"exact\":true}}");
        assertEquals(expected, ids(query.get("points")));
        assertTrue(java.util.Arrays.equals(vectors.get(expected.getFirst()), namedVector(query.get("points").get(0))));
        // by a point's id: its stored vector, read by the collection's name; the point itself is left out (under
        // Dot it need not be its own nearest)
        List<Integer> byId = new ArrayList<>(bruteForce(vectors.get(expected.getFirst()), 6));
        byId.remove(expected.getFirst());
        assertEquals(byId.subList(0, 5), ids(rest.ok("POST",
                "/collections/named/points/query", "{\"query\":" + expected.getFirst() + ",\"using\":\"image\","
                        + "\"limit\":5,\"params\":{\"exact\":true}}").get("points")));
        assertEquals(5, rest.ok("POST", "/collections/named/points/recommend", "{\"positive\":[1,2],"
                + "\"using\":\"image\",\"limit\":5}").size());
        assertEquals(3, rest.ok("POST", "/collections/named/points/discover", "{\"target\":1,\"context\":"
                + "[{\"positive\":2,\"negative\":3}],\"using\":\"image\",\"limit\":3}").size());
        JsonNode groups = rest.ok("POST", "/collections/named/points/search/groups", "{\"vector\":{\"name\":"
                + "\"image\",\"vector\":" + json(q) + "},\"group_by\":\"n\",\"limit\":3,\"group_size\":1,"
                + "\"with_vector\":true}").get("groups");
        assertEquals(3, groups.size());
        namedVector(groups.get(0).get("hits").get(0));
        assertEquals(4, rest.ok("POST", "/collections/named/points/search/matrix/pairs",
                "{\"sample\":4,\"limit\":1,\"using\":\"image\"}").get("pairs").size());
        // a formula's has_vector condition names the collection's vector: 2 for every point that has it, and
        // the unnamed vector counts nothing
        JsonNode boosted = rest.ok("POST", "/collections/named/points/query", "{\"prefetch\":{\"query\":" + json(q)
                + ",\"using\":\"image\",\"limit\":3},\"query\":{\"formula\":{\"sum\":[{\"mult\":[2,"
                + "{\"has_vector\":\"image\"}]},{\"mult\":[5,{\"has_vector\":\"\"}]}]}},\"limit\":3}").get("points");
        assertEquals(3, boosted.size());
        boosted.forEach(p -> assertEquals(2.0, p.get("score").asDouble(), p::toString));
        // queries that need no vector need no name
        assertEquals(3, rest.ok("POST", "/collections/named/points/query",
                "{\"query\":{\"sample\":\"random\"},\"limit\":3}").get("points").size());
        assertEquals(4, rest.ok("POST", "/collections/named/points/query", "{\"limit\":4}").get("points").size());
        // a search that names no vector, or another, is Qdrant's 400
        String unnamed = "Wrong input: Not existing vector name error: ";
        assertEquals(unnamed, rest.error(400, "POST", "/collections/named/points/search",
                "{\"vector\":" + json(q) + ",\"limit\":5}"));
        assertEquals(unnamed, rest.error(400, "POST", "/collections/named/points/query",
                "{\"query\":" + json(q) + ",\"limit\":5}"));
        assertEquals(unnamed + "text", rest.error(400, "POST", "/collections/named/points/query",
                "{\"query\":" + json(q) + ",\"using\":\"text\",\"limit\":5}"));
        assertEquals(unnamed + "text", rest.error(400, "POST", "/collections/named/points/search",
                "{\"vector\":{\"name\":\"text\",\"vector\":" + json(q) + "},\"limit\":5}"));
        assertEquals(unnamed, rest.error(400, "POST", "/collections/named/points/recommend",
                "{\"positive\":[1],\"limit\":5}"));
        assertEquals(unnamed, rest.error(400, "POST", "/collections/named/points/search/matrix/pairs", "{}"));
        assertEquals(unnamed + "text", rest.error(400, "POST", "/collections/named/points/query",
                "{\"query\":1,\"using\":\"image\",\"lookup_from\":{\"collection\":\"named\",\"vector\":\"text\"},"
                        + "\"limit\":5}"));
    }

    @Test
    void vectorUpdatesDeletesAndHasVectorUseTheName() {
        rest.ok("PUT", "/collections/named", CREATE);
        upsertAll(rest, "named");
        float[] v = VectorJson.gaussian(random, 4);
        rest.ok("PUT", "/collections/named/points/vectors?wait=true",
                "{\"points\":[{\"id\":4,\"vector\":{\"image\":" + json(v) + "}}]}");
        assertTrue(java.util.Arrays.equals(v, namedVector(rest.ok("GET", "/collections/named/points/4", null))));
        rest.ok("POST", "/collections/named/points/vectors/delete?wait=true", "{\"points\":[4,9],\"vector\":[\"image\"]}");
        JsonNode point = rest.ok("GET", "/collections/named/points/9", null);
        assertEquals(0, point.get("vector").size(), "a deleted vector shows as {}: " + point);
        assertEquals(9, point.get("payload").get("n").asInt(), "the point and its payload stay");
        assertEquals(POINTS - 2, rest.ok("POST", "/collections/named/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"image\"}]},\"exact\":true}").get("count").asInt());
        assertEquals(2, rest.ok("POST", "/collections/named/points/count",
                "{\"filter\":{\"must_not\":[{\"has_vector\":\"image\"}]},\"exact\":true}").get("count").asInt());
        assertEquals(0, rest.ok("POST", "/collections/named/points/count",
                "{\"filter\":{\"must\":[{\"has_vector\":\"\"}]},\"exact\":true}").get("count").asInt(),
                "the unnamed vector is none of this collection's");
        assertEquals(List.of(4, 9), ids(rest.ok("POST", "/collections/named/points/scroll",
                "{\"filter\":{\"must_not\":[{\"has_vector\":\"image\"}]}}").get("points")));
        // delete by a filter that names the vector
        rest.ok("POST", "/collections/named/points/delete?wait=true",
                "{\"filter\":{\"must_not\":[{\"has_vector\":\"image\"}]}}");
        assertEquals(POINTS - 2, rest.ok("POST", "/collections/named/points/count", "{}").get("count").asInt());
        String unnamed = "Wrong input: Not existing vector name error: ";
        assertEquals(unnamed, rest.error(400, "POST", "/collections/named/points/vectors/delete",
                "{\"points\":[1],\"vector\":[\"\"]}"));
        assertEquals(unnamed, rest.error(400, "PUT", "/collections/named/points/vectors",
                "{\"points\":[{\"id\":1,\"vector\":" + json(v) + "}]}"));
        assertEquals(unnamed + "text", rest.error(400, "POST", "/collections/named/points/batch",
                "{\"operations\":[{\"upsert\":{\"points\":[{\"id\":1,\"vector\":{\"text\":" + json(v) + "}}]}}]}"));
    }

    @Test
    void aSnapshotKeepsTheName() {
        rest.ok("PUT", "/collections/named", CREATE);
        upsertAll(rest, "named");
        String name = rest.ok("POST", "/collections/named/snapshots", null).get("name").asText();
        String location = dir.resolve("snapshots").resolve("named").resolve(name).toUri().toString();
        assertTrue(rest.ok("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"" + location + "\"}")
                .asBoolean());
        assertTrue(rest.ok("GET", "/collections/copy", null).at("/config/params/vectors").has("image"));
        assertTrue(java.util.Arrays.equals(vectors.get(11), namedVector(rest.ok("GET", "/collections/copy/points/11",
                null))));
        rest.ok("PUT", "/collections/plain", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertTrue(rest.error(400, "PUT", "/collections/plain/snapshots/recover", "{\"location\":\"" + location
                + "\"}").contains("not compatible"), "the unnamed vector is another vector than \"image\"");
    }

    @Test
    void aCollectionSpreadOverAClusterUsesTheNameToo() throws Exception {
        try (TestServers.TwoNodes cluster = TestServers.TwoNodes.start(dir)) {
            List<RestClient> clients = cluster.clients();
            clients.get(1).ok("PUT", "/collections/spread", "{\"vectors\":{\"image\":{\"size\":4,"
                    + "\"distance\":\"Dot\"}},\"shard_number\":3}");
            cluster.awaitCollection("spread");
            upsertAll(clients.get(0), "spread");
            clients.get(1).ok("POST", "/collections/spread/points/vectors/delete?wait=true",
                    "{\"points\":[0,1,2],\"vector\":[\"image\"]}");
            float[] q = VectorJson.gaussian(random, 4);
            for (RestClient client : clients) {
                assertEquals(3, client.ok("GET", "/collections/spread/cluster", null).get("shard_count").asInt());
                assertFalse(client.ok("GET", "/collections/spread/cluster", null).get("local_shards").isEmpty());
                assertTrue(client.ok("GET", "/collections/spread", null).get("config").get("params").get("vectors")
                        .has("image"), "the named form on every node");
                List<Integer> expected = new ArrayList<>();
                for (int id : bruteForce(q, 8)) {
                    if (id > 2) {
                        expected.add(id);
                    }
                }
                JsonNode hits = client.ok("POST", "/collections/spread/points/search", "{\"vector\":{\"name\":"
                        + "\"image\",\"vector\":" + json(q) + "},\"limit\":5,\"with_vector\":true,"
                        + "\"params\":{\"exact\":true}}");
                assertEquals(expected.subList(0, 5), ids(hits), "the points that kept their vector, best first");
                namedVector(hits.get(0));
                assertEquals(POINTS - 3, client.ok("POST", "/collections/spread/points/count",
                        "{\"filter\":{\"must\":[{\"has_vector\":\"image\"}]},\"exact\":true}").get("count").asInt());
                assertEquals("Wrong input: Not existing vector name error: ", client.error(400, "POST",
                        "/collections/spread/points/query", "{\"query\":" + json(q) + ",\"limit\":5}"));
            }
        }
    }
}
