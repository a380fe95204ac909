package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The six-point demo collection of the REST tests (4 dimensions, a city, a number and tags in the payload), created
 * over a test's {@link RestClient}, and its point count. Stateless.
 */
final class DemoCollection {
    private DemoCollection() {
    }

    /** Creates collection {@code name} with {@code distance} and upserts the six demo points, waiting for them. */
    static void create(RestClient rest, String name, String distance) {
        assertTrue(rest.ok("PUT", "/collections/" + name,
                "{\"vectors\":{\"size\":4,\"distance\":\"" + distance + "\"}}").asBoolean());
        JsonNode upsert = rest.ok("PUT", "/collections/" + name + "/points?wait=true", """
                {"points":[
                 {"id":1,"vector":[0.05,0.61,0.76,0.74],"payload":{"city":"Berlin","n":1,"tags":["a","b"]}},
                 {"id":2,"vector":[0.19,0.81,0.75,0.11],"payload":{"city":"London","n":2}},
                 {"id":3,"vector":[0.36,0.55,0.47,0.94],"payload":{"city":"Moscow","n":3}},
                 {"id":4,"vector":[0.18,0.01,0.85,0.80],"payload":{"city":"New York","n":4}},
                 {"id":5,"vector":[0.24,0.18,0.22,0.44],"payload":{"city":"Beijing","n":5}},
                 {"id":6,"vector":[0.35,0.08,0.11,0.44],"payload":{"city":"Mumbai","n":6}}]}""");
        assertEquals("completed", upsert.get("status").asText());
        assertTrue(upsert.get("operation_id").isIntegralNumber());
    }

    /** The collection's exact point count. */
    static long count(RestClient rest, String name) {
        return rest.ok("POST", "/collections/" + name + "/points/count", "{}").get("count").asLong();
    }
}
