package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose p2p port another process holds fails to start with a BindException that names the port, and leaves no
 * p2p server thread behind (a non-daemon one would keep the failed process alive).
 */
class P2pPortInUseTest {
    @TempDir
    Path storage;

    @Test
    void startFailsClearlyWhenThePortIsTaken() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = holder.getLocalPort();
            BindException e = assertThrows(BindException.class,
                    () -> ClusterNode.start(TestCluster.options(storage, port, null)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("already in use"),
                    e.getMessage());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (serverThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, serverThreads(), "p2p server threads left after the failed start");
    }

    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("Rpc-netty-server")).count();
    }
}
