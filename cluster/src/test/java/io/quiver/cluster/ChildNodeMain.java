package io.quiver.cluster;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node in its own JVM, for tests that kill a node with SIGKILL. Arguments: storage dir, p2p port,
 * optional bootstrap port. Prints {@code READY <peer id>} once registered, then runs until killed.
 */
public final class ChildNodeMain {
    private ChildNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Integer bootstrap = args.length > 2 ? Integer.valueOf(args[2]) : null;
        ClusterNode node = ClusterNode.start(TestCluster.options(Path.of(args[0]), Integer.parseInt(args[1]), bootstrap));
        node.ready().get(30, TimeUnit.SECONDS);
        System.out.println("READY " + node.peerId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
