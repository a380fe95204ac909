package io.quiver.cluster;

import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.Quiver;
import io.quiver.hnsw.Distance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: cluster nodes in this JVM, each with its replica store and {@link ClusterCollectionCatalog}, on
 * 127.0.0.1 free ports. Owned by one test; closes everything it opened. Not threadsafe.
 */
final class DataNodes implements AutoCloseable {
    final TestCluster cluster;
    final List<ClusterNode> nodes = new ArrayList<>();
    final List<ClusterCollectionCatalog> catalogs = new ArrayList<>();
    final List<Path> storages = new ArrayList<>();

    DataNodes(Path root, int count) throws Exception {
        cluster = new TestCluster(root);
        nodes.addAll(cluster.startNodes(count));
        for (int i = 0; i < count; i++) {
            storages.add(root.resolve("n" + i));
            catalogs.add(openCatalog(nodes.get(i), storages.get(i), false));
        }
    }

    static ClusterCollectionCatalog openCatalog(ClusterNode node, Path storage, boolean distrust) {
        Quiver store = Quiver.open(storage.resolve("replicas"), EngineOptions.defaults());
        return new ClusterCollectionCatalog(node, store, node.peerId(), distrust);
    }

    /** Stops node {@code i} (catalog, then node), as a crash of its process would, minus the kill. */
    void stop(int i) {
        catalogs.get(i).close();
        nodes.get(i).close();
    }

    /** Starts node {@code i} again on its storage; its replicas are distrusted (recovered by transfers). */
    void restart(int i) throws Exception {
        ClusterNode node = cluster.restart(nodes.get(i));
        node.ready().get(30, TimeUnit.SECONDS);
        nodes.set(i, node);
        catalogs.set(i, openCatalog(node, storages.get(i), true));
    }

    static CollectionConfig config(int dim, Distance distance, int shards, int replicationFactor, int writeConsistency) {
        CollectionConfig base = CollectionConfig.of(dim, distance);
        return new CollectionConfig(base.vectors(), shards, replicationFactor, writeConsistency, base.onDiskPayload(),
                base.hnsw(), base.optimizers(), base.wal(), base.quantizationOrNull());
    }

    /** Waits until every replica of the collection is Active and no transfer runs, as every node sees it. */
    void awaitAllActive(String collection, Duration timeout) {
        TestCluster.await("all replicas of " + collection + " active", timeout, () -> nodes.stream().allMatch(n -> {
            CollectionMetadata c = n.metadata().collection(collection);
            return c != null && c.transfers().isEmpty() && c.shards().asMap().values().stream()
                    .allMatch(r -> r.values().stream().allMatch(s -> s == ReplicaState.Active));
        }));
    }

    @Override
    public void close() {
        for (ClusterCollectionCatalog catalog : catalogs) {
            try {
                catalog.close();
            } catch (RuntimeException e) {
                // already closed
            }
        }
        cluster.close();
    }
}
