package io.quiver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration layers: defaults, YAML file, QUIVER__ environment variables, --set overrides. */
class QuiverConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheDocumentedEmbeddedDefault() {
        QuiverConfig config = QuiverConfig.load(null, Map.of(), Map.of());
        assertEquals("127.0.0.1", config.host());
        assertEquals(6333, config.httpPort());
        assertEquals(Path.of("./storage"), config.storagePath());
        assertEquals(Path.of("./snapshots"), config.snapshotsPath());
        assertEquals(32L * 1024 * 1024, config.maxRequestBytes());
        assertEquals("Normal", config.nodeType());
        assertNull(config.apiKey());
    }

    @Test
    void laterLayersWin() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                service:
                  http_port: 7000
                  api_key: from-file
                storage:
                  node_type: Listener
                """);
        QuiverConfig config = QuiverConfig.load(file,
                Map.of("QUIVER__SERVICE__HTTP_PORT", "16333",
                        "QUIVER__STORAGE__STORAGE_PATH", "/tmp/q",
                        "QUIVER__SERVICE__MAX_REQUEST_SIZE_MB", "1",
                        "OTHER__SERVICE__HTTP_PORT", "1"),
                Map.of("storage.snapshots_path", "/tmp/snaps"));
        assertEquals(16333, config.httpPort());
        assertEquals("from-file", config.apiKey());
        assertEquals(Path.of("/tmp/q"), config.storagePath());
        assertEquals(Path.of("/tmp/snaps"), config.snapshotsPath());
        assertEquals(1024L * 1024, config.maxRequestBytes());
        assertEquals("Listener", config.nodeType());
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyNamed() {
        InvalidConfigException port = assertThrows(InvalidConfigException.class,
                () -> QuiverConfig.load(null, Map.of("QUIVER__SERVICE__HTTP_PORT", "seventy"), Map.of()));
        assertTrue(port.getMessage().contains("service.http_port"), port.getMessage());
        InvalidConfigException type = assertThrows(InvalidConfigException.class,
                () -> QuiverConfig.load(null, Map.of("QUIVER__STORAGE__NODE_TYPE", "Witness"), Map.of()));
        assertTrue(type.getMessage().contains("storage.node_type"), type.getMessage());
    }

    @Test
    void unknownKeysAreNotedNotFatal() {
        ConfigLoader loader = ConfigLoader.withDefaults().environment(Map.of("QUIVER__SERVICE__NO_SUCH_KEY", "1"));
        assertEquals(java.util.List.of("service.no_such_key"), loader.unknownKeys());
        QuiverConfig.from(loader.tree());
    }
}
