package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The root and probe endpoints, over a real socket on 127.0.0.1. */
class RootEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private QuiverServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rootAnswersLikeQdrant() throws Exception {
        HttpResponse<String> response = get("/");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("qdrant - vector search engine", body.get("title").asText());
        assertTrue(body.get("version").asText().matches("\\d+\\.\\d+\\.\\d+"), body.toString());
        assertTrue(body.has("commit"), body.toString());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void probesAnswerPlainText() throws Exception {
        assertEquals("healthz check passed", get("/healthz").body());
        assertEquals("healthz check passed", get("/livez").body());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode());
        assertEquals("all shards are ready", ready.body());
    }

    @Test
    void storageAndSnapshotDirectoriesAreCreated() {
        assertTrue(Files.isDirectory(dir.resolve("storage")));
        assertTrue(Files.isDirectory(dir.resolve("snapshots")));
    }
}
