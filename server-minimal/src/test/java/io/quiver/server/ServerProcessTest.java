package io.quiver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The server as a real process: configured by QUIVER__ variables, stopped by SIGTERM within seconds. */
class ServerProcessTest {

    @TempDir
    Path dir;

    @Test
    void servesOnTheConfiguredPortAndStopsOnSigterm() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path storage = dir.resolve("q");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("quiver.jvm.flags").trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), QuiverServerMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        builder.environment().put("QUIVER__SERVICE__HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUIVER__STORAGE__STORAGE_PATH", storage.toString());
        builder.environment().put("QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snaps").toString());
        Process process = builder.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int status = 0;
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    status = client.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode();
                    if (status == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertEquals(200, status, () -> "server did not become ready: " + log());
            assertTrue(Files.isDirectory(storage), "storage directory created");

            process.destroy(); // SIGTERM
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                fail("server did not stop within 10 s of SIGTERM: " + log());
            }
            assertTrue(log().contains("Quiver server stopped"), this::log);
        } finally {
            process.destroyForcibly();
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
