package io.quiver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An API key given by environment variable or {@code --set} is the exact text given, even where YAML would read it as
 * something else (an anchor, a tag, a block scalar, a number, a comment): the server it configures demands it.
 */
class ConfiguredApiKeyTest {
    private static final String CREATE = "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}";

    @TempDir
    Path dir;

    @Test
    void keysYamlWouldMangleStillGuardWrites() throws Exception {
        List<String> keys = List.of("!Sup3rSecret", "&abc", "|", ">", "pass word #1", "007");
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            try (QuiverServer server = TestServers.start(dir.resolve("env" + i), "QUIVER__SERVICE__API_KEY", key)) {
                assertGuarded(new RestClient(server.port()), key);
            }
        }
    }

    @Test
    void aKeyGivenWithSetGuardsWrites() throws Exception {
        Map<String, String> env = Map.of(
                "QUIVER__SERVICE__HOST", "127.0.0.1",
                "QUIVER__SERVICE__HTTP_PORT", "0",
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve("storage").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snapshots").toString());
        try (QuiverServer server = QuiverServer.start(QuiverConfig.load(null, env,
                Map.of("service.api_key", "&token")))) {
            assertGuarded(new RestClient(server.port()), "&token");
        }
    }

    private static void assertGuarded(RestClient rest, String key) {
        RestClient.Reply anonymous = rest.send("PUT", "/collections/c", CREATE);
        assertEquals(401, anonymous.status(), "no key: " + anonymous.request() + " -> " + anonymous.body());
        rest.apiKey(key + "x");
        assertEquals(401, rest.send("PUT", "/collections/c", CREATE).status(), "a wrong key");
        rest.apiKey(key);
        rest.ok("PUT", "/collections/c", CREATE);
    }
}
