package io.quiver.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Base of the REST tests over a real socket: before each test a fresh server ({@link TestServers#start}) on its own
 * temporary storage and a {@link RestClient} to it; after it, the server closed. A subclass's own {@code @BeforeEach}
 * runs after the server started. One instance per test method (JUnit's default), used by its thread.
 */
abstract class RestServerTest {
    @TempDir
    Path dir;
    QuiverServer server;
    RestClient rest;

    @BeforeEach
    void startServer() throws Exception {
        server = TestServers.start(dir, serverSettings());
        rest = new RestClient(server.port());
    }

    /** Settings the server starts with, as {@code QUIVER__…} name and value pairs (none: the defaults). */
    String[] serverSettings() {
        return new String[0];
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Closes the server and starts a new one on the same storage (what survives a clean restart). */
    void restartServer() throws Exception {
        server.close();
        startServer();
    }
}
