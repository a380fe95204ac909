package io.quiver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server as a real process: configured by QUIVER__ variables, stopped by SIGTERM within seconds, data kept. */
class ServerProcessTest {

    @TempDir
    Path dir;

    @Test
    void servesOnTheConfiguredPortStopsOnSigtermAndKeepsItsData() throws Exception {
        Path storage = dir.resolve("q");
        Map<String, String> env = Map.of(
                "QUIVER__STORAGE__STORAGE_PATH", storage.toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snaps").toString());
        try (ServerProcess server = ServerProcess.start(dir.resolve("server.log"), env, List.of())) {
            server.awaitReady(Duration.ofSeconds(30));
            assertTrue(Files.isDirectory(storage), "storage directory created");
            RestClient rest = new RestClient(server.port());
            rest.ok("PUT", "/collections/kept", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
            rest.ok("PUT", "/collections/kept/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,2]}]}");

            server.process().destroy(); // SIGTERM
            assertTrue(server.process().waitFor(10, TimeUnit.SECONDS), () -> "no stop within 10 s:\n" + server.log());
            assertTrue(server.log().contains("Quiver server stopped"), server::log);
        }
        try (ServerProcess again = ServerProcess.start(dir.resolve("server2.log"), env, List.of())) {
            again.awaitReady(Duration.ofSeconds(30));
            RestClient rest = new RestClient(again.port());
            assertEquals(1, rest.ok("POST", "/collections/kept/points/count", "{}").get("count").asInt());
        }
    }

    @Test
    void aTakenHttpPortStopsTheStartNamingThePort() throws Exception {
        try (java.net.ServerSocket holder = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int taken = holder.getLocalPort();
            try (ServerProcess server = ServerProcess.start(dir.resolve("taken.log"),
                    Map.of("QUIVER__STORAGE__STORAGE_PATH", dir.resolve("t").toString(),
                            "QUIVER__SERVICE__HTTP_PORT", Integer.toString(taken)), List.of())) {
                assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
                assertEquals(1, server.process().exitValue());
                assertTrue(server.log().contains("quiver: cannot start: cannot bind 127.0.0.1:" + taken), server::log);
            }
        }
    }

    @Test
    void invalidConfigurationStopsTheStartNamingTheKey() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("bad.log"),
                Map.of("QUIVER__STORAGE__STORAGE_PATH", dir.resolve("s").toString(),
                        "QUIVER__SERVICE__MAX_REQUEST_SIZE_MB", "lots"), List.of())) {
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, server.process().exitValue());
            assertTrue(server.log().contains("service.max_request_size_mb"), server::log);
        }
    }

    @Test
    void logLevelIsAppliedToTheServersLog() throws Exception {
        Map<String, String> env = Map.of("QUIVER__STORAGE__STORAGE_PATH", dir.resolve("l").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("l-snaps").toString(),
                "QUIVER__SERVICE__NO_SUCH_KEY", "1");
        try (ServerProcess server = ServerProcess.start(dir.resolve("info.log"), env, List.of())) {
            server.awaitReady(Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.log().contains("serving on") && System.nanoTime() < deadline) {
                Thread.sleep(50); // logged just after the socket opens
            }
            assertTrue(server.log().contains("serving on"), server::log);
            assertTrue(server.log().contains("unknown configuration key 'service.no_such_key'"), server::log);
        }
        Map<String, String> quiet = new java.util.HashMap<>(env);
        quiet.put("QUIVER__LOG_LEVEL", "ERROR");
        try (ServerProcess server = ServerProcess.start(dir.resolve("error.log"), quiet, List.of())) {
            server.awaitReady(Duration.ofSeconds(30));
            new RestClient(server.port()).ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
            Thread.sleep(500); // the INFO lines the create would log, had the level allowed them
            assertTrue(server.log().lines().noneMatch(l -> l.contains(" INFO ") || l.contains(" WARN ")),
                    () -> "ERROR level logs no INFO or WARN line:\n" + server.log());
        }
    }

    @Test
    void aCollectionThatCannotBeOpenedStopsTheStartWithOneLineNamingIt() throws Exception {
        Path storage = dir.resolve("poisoned");
        Path broken = storage.resolve("collections").resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{\"format_version\":1,\"config\":{\"params\":");
        try (ServerProcess server = ServerProcess.start(dir.resolve("poisoned.log"),
                Map.of("QUIVER__STORAGE__STORAGE_PATH", storage.toString(),
                        "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("p-snaps").toString()), List.of())) {
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), server::log);
            assertEquals(1, server.process().exitValue(), server::log);
            List<String> lines = server.log().lines().filter(l -> l.startsWith("quiver: ")).toList();
            assertEquals(1, lines.size(), server::log);
            assertTrue(lines.get(0).startsWith("quiver: cannot start: cannot open collection `broken` in "), server::log);
            assertTrue(server.log().lines().noneMatch(l -> l.contains("\tat ")), () -> "no stack trace:\n" + server.log());
        }
    }

    @Test
    void tlsIsRefusedAtStart() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("tls.log"),
                Map.of("QUIVER__STORAGE__STORAGE_PATH", dir.resolve("tls").toString(),
                        "QUIVER__SERVICE__ENABLE_TLS", "true"), List.of())) {
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, server.process().exitValue());
            assertTrue(server.log().contains("quiver: invalid configuration: service.enable_tls: TLS is not supported"),
                    server::log);
        }
    }
}
