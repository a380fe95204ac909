package io.quiver.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** service.api_key and service.read_only_api_key, as Qdrant applies them, over a real socket. */
class ApiKeyTest {
    @TempDir
    Path dir;
    private QuiverServer server;
    private RestClient rest;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir, "QUIVER__SERVICE__API_KEY", "full-secret",
                "QUIVER__SERVICE__READ_ONLY_API_KEY", "read-secret");
        rest = new RestClient(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void probesAndRootStayOpen() {
        assertEquals(200, rest.send("GET", "/", null).status());
        assertEquals(200, rest.send("GET", "/healthz", null).status());
        assertEquals(200, rest.send("GET", "/livez", null).status());
        assertEquals(200, rest.send("GET", "/readyz", null).status());
    }

    @Test
    void missingOrWrongKeyIs401() {
        RestClient.Reply missing = rest.send("GET", "/collections", null);
        assertEquals(401, missing.status());
        assertEquals("Must provide an API key or an Authorization bearer token", missing.body());
        rest.apiKey("wrong");
        RestClient.Reply wrong = rest.send("GET", "/collections", null);
        assertEquals(401, wrong.status());
        assertEquals("Invalid API key or JWT", wrong.body());
    }

    @Test
    void fullKeyMayWriteReadOnlyKeyMayOnlyRead() {
        rest.apiKey("full-secret");
        rest.ok("PUT", "/collections/demo", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":1,\"vector\":[1,0],\"payload\":{\"city\":\"Oslo\"}}]}");
        rest.ok("PUT", "/collections/demo/index?wait=true", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");

        rest.apiKey("read-secret");
        rest.ok("GET", "/collections/demo", null);
        rest.ok("POST", "/collections/demo/points/search", "{\"vector\":[1,0],\"limit\":1}");
        rest.ok("POST", "/collections/demo/points/scroll", "{}");
        rest.ok("POST", "/collections/demo/points/count", "{}");
        rest.ok("POST", "/collections/demo/points/query", "{\"query\":[1,0]}");
        rest.ok("POST", "/collections/demo/points", "{\"ids\":[1]}");
        // the grouped searches and the facet are reads too (Qdrant's read-only list in the spec's section 2)
        assertEquals(1, rest.ok("POST", "/collections/demo/points/search/groups",
                "{\"vector\":[1,0],\"group_by\":\"city\",\"group_size\":1,\"limit\":1}").get("groups").size());
        rest.ok("POST", "/collections/demo/points/recommend/groups",
                "{\"positive\":[[1,0]],\"group_by\":\"city\",\"group_size\":1,\"limit\":1}");
        rest.ok("POST", "/collections/demo/points/query/groups", "{\"query\":[1,0],\"group_by\":\"city\"}");
        assertEquals(1, rest.ok("POST", "/collections/demo/facet", "{\"key\":\"city\"}").get("hits").get(0)
                .get("count").asInt());
        String forbidden = rest.error(403, "PUT", "/collections/demo/points?wait=true",
                "{\"points\":[{\"id\":2,\"vector\":[0,1]}]}");
        assertTrue(forbidden.startsWith("Forbidden"), forbidden);
        rest.error(403, "DELETE", "/collections/demo", null);
        rest.error(403, "PUT", "/collections/other", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");

        rest.apiKey("full-secret");
        assertEquals(1, rest.ok("POST", "/collections/demo/points/count", "{}").get("count").asInt());
    }

    @Test
    void bearerTokenIsAccepted() throws Exception {
        assertEquals(200, withAuthorization("Bearer read-secret").statusCode());
    }

    @Test
    void onlyTheExactBearerSchemeCarriesAKey() throws Exception {
        for (String header : java.util.List.of("bearer read-secret", "BEARER read-secret", "Bearer  read-secret",
                "Bearerread-secret")) {
            var response = withAuthorization(header);
            assertEquals(401, response.statusCode(), header + ": " + response.body());
        }
    }

    @Test
    void unknownRoutesAre404Or405WhateverTheKeyMayDo() {
        rest.apiKey("read-secret");
        assertEquals("Not found: no such endpoint GET /nope", rest.error(404, "GET", "/nope", null));
        rest.error(404, "POST", "/collections/demo/nope/a/b", "{}");
        rest.error(405, "PATCH", "/collections/demo/points/search", "{}");
        rest.apiKey("full-secret");
        rest.error(404, "GET", "/nope", null);
        rest.apiKey(null);
        assertEquals(401, rest.send("GET", "/nope", null).status(), "no key is still a 401, as in Qdrant");
    }

    private java.net.http.HttpResponse<String> withAuthorization(String authorization) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        return client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/collections"))
                .header("Authorization", authorization).timeout(java.time.Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
