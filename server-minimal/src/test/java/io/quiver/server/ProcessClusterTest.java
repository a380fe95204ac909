package io.quiver.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Base of the tests on a cluster of real server processes ({@link ServerProcess#startClusterNode}): the nodes a test
 * started ({@link #nodes}, its own list to fill and replace in) are closed after it, and node {@code i} keeps the same
 * p2p port across restarts. One instance per test method, used by its thread.
 */
abstract class ProcessClusterTest {
    @TempDir
    Path dir;
    final List<ServerProcess> nodes = new ArrayList<>();
    private final List<Integer> p2pPorts = new ArrayList<>();

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (ServerProcess node : nodes) {
            node.close();
        }
    }

    /** Node {@code index}'s p2p port, chosen at its first start. */
    int p2pPort(int index) {
        return p2pPorts.get(index);
    }

    /** Starts node {@code index}, joining through the node on {@code bootstrapP2p} (null: the first node); ready. */
    ServerProcess startNode(int index, Integer bootstrapP2p) throws Exception {
        while (p2pPorts.size() <= index) {
            p2pPorts.add(ServerProcess.freePort());
        }
        return ServerProcess.startClusterNode(dir, index, p2pPorts.get(index), bootstrapP2p, Map.of())
                .awaitReady(Duration.ofSeconds(60));
    }
}
