package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code operation_id} over a real socket: a rejected write takes no id, payload index create/delete take their own,
 * a point's search {@code version} is the id of the write that produced it, and ids keep growing after a restart.
 * Owns one server on 127.0.0.1 (restarted once) per test; one test thread.
 */
class OperationIdRestTest {
    @TempDir
    Path dir;
    private QuiverServer server;
    private RestClient rest;

    private void start() throws Exception {
        server = TestServers.start(dir);
        rest = new RestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private long upsert(int id, float x) {
        JsonNode r = rest.ok("PUT", "/collections/ids/points?wait=true",
                "{\"points\":[{\"id\":" + id + ",\"vector\":[" + x + ",0,0,1],\"payload\":{\"n\":" + id + "}}]}");
        assertEquals("completed", r.get("status").asText());
        return r.get("operation_id").asLong();
    }

    private long versionOf(int id, float x) {
        JsonNode hits = rest.ok("POST", "/collections/ids/points/search",
                "{\"vector\":[" + x + ",0,0,1],\"limit\":1,\"params\":{\"exact\":true}}");
        assertEquals(id, hits.get(0).get("id").asInt(), hits.toString());
        return hits.get(0).get("version").asLong();
    }

    @Test
    void operationIdsAreTakenOnlyByLoggedOperationsAndNeverGoBack() throws Exception {
        start();
        rest.ok("PUT", "/collections/ids", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},\"shard_number\":2}");
        long first = upsert(1, 10);
        assertEquals(first, versionOf(1, 10), "search shows the version the upsert answered");

        rest.error(404, "POST", "/collections/ids/points/payload?wait=true", "{\"payload\":{\"a\":1},\"points\":[999]}");
        rest.error(400, "PUT", "/collections/ids/points?wait=true", "{\"points\":[{\"id\":2,\"vector\":[1,2,3]}]}");
        long second = upsert(1, 20);
        assertEquals(first + 1, second, "the rejected writes took no operation id");
        assertEquals(second, versionOf(1, 20), "a later write of the point shows a higher version");

        JsonNode created = rest.ok("PUT", "/collections/ids/index?wait=true",
                "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
        JsonNode dropped = rest.ok("DELETE", "/collections/ids/index/n?wait=true", null);
        long createdId = created.get("operation_id").asLong();
        long droppedId = dropped.get("operation_id").asLong();
        assertTrue(createdId > second && droppedId > createdId,
                "index operations take their own ids: " + second + ", " + createdId + ", " + droppedId);

        server.close(); // a clean stop checkpoints and truncates the WAL: the last id was an index operation
        server = null;
        start();
        long afterRestart = upsert(3, 30);
        assertTrue(afterRestart > droppedId, "after a restart: " + afterRestart + " after " + droppedId);
        assertEquals(afterRestart, versionOf(3, 30));
    }
}
