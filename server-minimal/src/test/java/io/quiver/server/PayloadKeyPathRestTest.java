package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Payload key paths over a real socket: set_payload's {@code key}, payload delete {@code keys} and with_payload
 * include/exclude take Qdrant's {@code a[]}, {@code a[n]} and quoted keys; malformed paths and with_payload shapes
 * Qdrant refuses answer 400 and change nothing.
 */
class PayloadKeyPathRestTest extends RestServerTest {
    private static final String START = "{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}";

    @BeforeEach
    void createData() throws Exception {
        assertTrue(rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}").asBoolean());
        rest.ok("PUT", "/collections/c/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,0],\"payload\":" + START + "}]}");
    }

    private JsonNode payload() {
        return rest.ok("GET", "/collections/c/points/1", null).get("payload");
    }

    private static JsonNode json(String text) throws Exception {
        return RestClient.JSON.readTree(text);
    }

    private JsonNode selected(String withPayload) {
        return rest.ok("POST", "/collections/c/points", "{\"ids\":[1],\"with_payload\":" + withPayload + "}")
                .get(0).get("payload");
    }

    @Test
    void setPayloadWithANullValueRemovesTheKey() throws Exception {
        rest.ok("POST", "/collections/c/points/payload?wait=true", "{\"payload\":{\"tags\":null,\"n\":2},\"points\":[1]}");
        assertEquals(json("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"o\":{\"k\":1},\"n\":2}"), payload());
    }

    @Test
    void setAndDeleteWalkArrayPaths() throws Exception {
        rest.ok("POST", "/collections/c/points/payload?wait=true", "{\"payload\":{\"z\":0},\"points\":[1],\"key\":\"arr[0]\"}");
        rest.ok("POST", "/collections/c/points/payload?wait=true", "{\"payload\":{\"w\":1},\"points\":[1],\"key\":\"arr[]\"}");
        assertEquals(json("{\"arr\":[{\"a\":1,\"b\":5,\"z\":0,\"w\":1},{\"a\":2,\"w\":1}],\"tags\":[\"x\",\"y\"],"
                + "\"o\":{\"k\":1}}"), payload());
        rest.ok("POST", "/collections/c/points/payload/delete?wait=true", "{\"keys\":[\"arr[].a\",\"arr[0].z\"],\"points\":[1]}");
        assertEquals(json("{\"arr\":[{\"b\":5,\"w\":1},{\"w\":1}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"), payload());
    }

    @Test
    void malformedKeyPathsAre400AndChangeNothing() throws Exception {
        for (String bad : new String[] {"", "a..b", "arr[", "arr[x]", ".a"}) {
            String error = rest.error(400, "POST", "/collections/c/points/payload?wait=true",
                    "{\"payload\":{\"z\":0},\"points\":[1],\"key\":\"" + bad + "\"}");
            assertTrue(error.startsWith("Format error in JSON body: key: "), error);
            rest.error(400, "POST", "/collections/c/points/payload/delete?wait=true",
                    "{\"keys\":[\"o\",\"" + bad + "\"],\"points\":[1]}");
            rest.error(400, "POST", "/collections/c/points/batch?wait=true",
                    "{\"operations\":[{\"set_payload\":{\"payload\":{\"z\":0},\"points\":[1],\"key\":\"" + bad + "\"}}]}");
        }
        assertEquals(json(START), payload());
    }

    @Test
    void withPayloadIncludeAndExcludeWalkArrays() throws Exception {
        assertEquals(json("{\"arr\":[{\"a\":1},{\"a\":2}]}"), selected("{\"include\":[\"arr[].a\"]}"));
        assertEquals(json("{\"arr\":[{\"a\":1},{\"a\":2}]}"), selected("[\"arr[].a\"]"));
        assertEquals(json("{\"arr\":[]}"), selected("[\"arr.x\"]"));
        assertEquals(json("{\"arr\":[{\"b\":5},{}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"),
                selected("{\"exclude\":[\"arr[].a\"]}"));
        assertEquals(json("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[],\"o\":{}}"),
                selected("{\"exclude\":[\"tags[]\",\"o.k\"]}"));
        JsonNode scrolled = rest.ok("POST", "/collections/c/points/scroll",
                "{\"with_payload\":{\"include\":[\"o.k\",\"arr[].b\"]}}").get("points").get(0).get("payload");
        assertEquals(json("{\"arr\":[{\"b\":5},{}],\"o\":{\"k\":1}}"), scrolled);
        JsonNode found = rest.ok("POST", "/collections/c/points/search",
                "{\"vector\":[1,0],\"limit\":1,\"with_payload\":{\"exclude\":[\"arr\"]}}").get(0).get("payload");
        assertEquals(json("{\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"), found);
    }

    @Test
    void withPayloadShapesQdrantRefusesAre400() {
        for (String bad : new String[] {"{\"include\":\"o\"}", "{\"include\":[\"o\"],\"exclude\":[\"arr\"]}", "{}",
                "{\"exclude\":[\"o\"],\"extra\":true}", "[\"a..b\"]", "{\"include\":[\"\"]}", "\"o\""}) {
            rest.error(400, "POST", "/collections/c/points", "{\"ids\":[1],\"with_payload\":" + bad + "}");
            rest.error(400, "POST", "/collections/c/points/scroll", "{\"with_payload\":" + bad + "}");
            rest.error(400, "POST", "/collections/c/points/search",
                    "{\"vector\":[1,0],\"limit\":1,\"with_payload\":" + bad + "}");
        }
    }
}
