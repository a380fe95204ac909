package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code with_lookup} of the group endpoints over a real socket, as Qdrant's own tests use it: chunks grouped by their
 * document id carry the document point as {@code lookup} (payload by default, no vector), groups whose id names no
 * document (a missing one, or a value that is no point id) carry none, and an unknown lookup collection is a 404.
 * Chunks 0..11 (Dot, 4 dimensions) have {@code doc} 1, 2, 3, the UUID {@link #DOC}, or "x"; documents 1, 2 and
 * {@link #DOC} exist (2 dimensions), 3 does not.
 */
class GroupLookupRestTest extends RestServerTest {
    private static final String DOC = "00000000-0000-0000-0000-00000000000d";

    @BeforeEach
    void createCollections() {
        rest.ok("PUT", "/collections/chunks", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        String[] docs = {"1", "2", "3", "\"" + DOC + "\"", "\"x\""};
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 12; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[1,").append(i)
                    .append(",0,0],\"payload\":{\"doc\":").append(docs[i % docs.length]).append("}}");
        }
        rest.ok("PUT", "/collections/chunks/points?wait=true", points.append("]}").toString());
        rest.ok("PUT", "/collections/docs", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/docs/points?wait=true", "{\"points\":["
                + "{\"id\":1,\"vector\":[1,0],\"payload\":{\"title\":\"one\"}},"
                + "{\"id\":2,\"vector\":[0,1],\"payload\":{\"title\":\"two\"}},"
                + "{\"id\":\"" + DOC + "\",\"vector\":[1,1],\"payload\":{\"title\":\"uuid\"}}]}");
    }

    /** The groups of one answer by their id's text. */
    private static Map<String, JsonNode> byId(JsonNode answer) {
        Map<String, JsonNode> out = new HashMap<>();
        answer.get("groups").forEach(g -> out.put(g.get("id").asText(), g));
        return out;
    }

    private static void assertDocuments(Map<String, JsonNode> groups, boolean withPayload, boolean withVector) {
        assertEquals(5, groups.size(), groups.toString());
        Map<String, String> titles = Map.of("1", "one", "2", "two", DOC, "uuid");
        titles.forEach((id, title) -> {
            JsonNode lookup = groups.get(id).get("lookup");
            assertEquals(groups.get(id).get("id"), lookup.get("id"), lookup.toString());
            if (withPayload) {
                assertEquals(title, lookup.at("/payload/title").asText(), lookup.toString());
            } else {
                assertTrue(lookup.path("payload").isNull() || lookup.path("payload").isMissingNode(), lookup.toString());
            }
            assertEquals(withVector, lookup.path("vector").isArray(), lookup.toString());
        });
        assertFalse(groups.get("3").has("lookup"), "no document 3");
        assertFalse(groups.get("x").has("lookup"), "\"x\" is no point id");
    }

    @Test
    void everyGroupEndpointAttachesTheDocumentPoint() {
        String tail = ",\"group_by\":\"doc\",\"group_size\":2,\"limit\":10";
        assertDocuments(byId(rest.ok("POST", "/collections/chunks/points/search/groups",
                "{\"vector\":[1,1,0,0]" + tail + ",\"with_lookup\":\"docs\"}")), true, false);
        assertDocuments(byId(rest.ok("POST", "/collections/chunks/points/search/groups",
                "{\"vector\":[1,1,0,0]" + tail + ",\"with_lookup\":{\"collection\":\"docs\"}}")), true, false);
        assertDocuments(byId(rest.ok("POST", "/collections/chunks/points/recommend/groups",
                "{\"positive\":[11]" + tail + ",\"with_lookup\":{\"collection\":\"docs\",\"with_payload\":false,"
                        + "\"with_vector\":true}}")), false, true);
        assertDocuments(byId(rest.ok("POST", "/collections/chunks/points/query/groups",
                "{\"query\":[1,1,0,0]" + tail + ",\"with_lookup\":{\"collection\":\"docs\",\"with_payload\":true,"
                        + "\"with_vectors\":true}}")), true, true);
        JsonNode one = byId(rest.ok("POST", "/collections/chunks/points/search/groups",
                "{\"vector\":[1,1,0,0]" + tail + ",\"with_lookup\":\"docs\"}")).get("1").get("lookup");
        assertEquals("{\"id\":1,\"payload\":{\"title\":\"one\"},\"vector\":null}", one.toString());
    }

    @Test
    void anUnknownLookupCollectionIsA404AndABadShapeA400() {
        String body = "{\"vector\":[1,1,0,0],\"group_by\":\"doc\",\"group_size\":2,\"limit\":10,\"with_lookup\":";
        assertTrue(rest.error(404, "POST", "/collections/chunks/points/search/groups", body + "{\"collection\":"
                + "\"nope\",\"with_payload\":true}}").contains("Collection nope not found"));
        assertTrue(rest.error(400, "POST", "/collections/chunks/points/search/groups", body + "5}")
                .contains("with_lookup"));
        assertTrue(rest.error(400, "POST", "/collections/chunks/points/search/groups", body + "{}}")
                .contains("collection"));
    }
}
