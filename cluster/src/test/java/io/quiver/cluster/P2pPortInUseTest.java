package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = holder.getLocalPort();
            BindException e = assertThrows(BindException.class,
                    () -> ClusterNode.start(TestCluster.options(storage, port, null)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("already in use"),
                    e.getMessage());
        }
        // bolt stops the acceptor of a server that failed to bind after a graceful quiet period (2 s)
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!acceptorsStartedSince(before).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), acceptorsStartedSince(before), "p2p acceptor threads left after the failed start");
    }

    /** Live p2p acceptor threads that did not exist in {@code before} (other tests' nodes may share this JVM). */
    private static List<String> acceptorsStartedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && t.getName().startsWith("Rpc-netty-server-boss"))
                .map(Thread::getName).toList();
    }
}
