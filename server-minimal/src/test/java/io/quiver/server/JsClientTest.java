package io.quiver.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official Qdrant JavaScript REST client (version pinned by {@code src/test/js/package-lock.json}, installed with
 * {@code npm ci}) drives a real Quiver server over 127.0.0.1: create, upsert, search with filter, query, scroll,
 * count, delete, aliases, snapshot, a collection with a named vector, binary and product quantization configs.
 * Node.js and npm must be installed (they are on the project's machines).
 */
class JsClientTest {
    private static final Path JS_SOURCES = Path.of("src", "test", "js");
    private static final Path JS_WORKDIR = Path.of("target", "js-client");

    @TempDir
    Path dir;
    private QuiverServer server;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void officialQdrantClientWorksAgainstQuiver() throws Exception {
        Files.createDirectories(JS_WORKDIR);
        for (String file : List.of("package.json", "package-lock.json", "client-test.mjs")) {
            Files.copy(JS_SOURCES.resolve(file), JS_WORKDIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(JS_WORKDIR.resolve("node_modules/@qdrant/js-client-rest"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        }
        String output = run(List.of("node", "client-test.mjs", "http://127.0.0.1:" + server.port()), 120);
        assertTrue(output.contains("js client test passed"), output);
    }

    private String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = dir.resolve("js-" + command.getFirst() + ".log");
        Process process = new ProcessBuilder(command).directory(JS_WORKDIR.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(finished, command + " did not finish within " + timeoutSeconds + " s:\n" + output);
        assertEquals(0, process.exitValue(), command + " failed:\n" + output);
        return output;
    }
}
