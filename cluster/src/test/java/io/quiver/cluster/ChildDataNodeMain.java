package io.quiver.cluster;

import io.quiver.engine.EngineOptions;
import io.quiver.engine.Quiver;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node with its replica store and catalog in its own JVM, for tests that kill it with SIGKILL. Arguments:
 * storage dir, p2p port, bootstrap port. Prints {@code READY <peer id>} once registered, then runs until killed.
 */
public final class ChildDataNodeMain {
    private ChildDataNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Integer bootstrap = args.length > 2 ? Integer.valueOf(args[2]) : null;
        Path storage = Path.of(args[0]);
        ClusterNode node = ClusterNode.start(TestCluster.options(storage, Integer.parseInt(args[1]), bootstrap));
        node.ready().get(30, TimeUnit.SECONDS);
        Quiver store = Quiver.open(storage.resolve("replicas"), EngineOptions.defaults());
        new ClusterCollectionCatalog(node, store, node.peerId(), true);
        System.out.println("READY " + node.peerId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
