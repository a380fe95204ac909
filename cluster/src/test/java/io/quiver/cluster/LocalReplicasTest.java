package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.Quiver;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer's local replica store across a restart: the replicas whose data was on disk when it opened (the ones a
 * restarted node's start-up check may distrust) against the ones created since, and a registered replica whose data
 * vanished while the peer was down (lost). Real engine stores in a temporary directory.
 */
class LocalReplicasTest {
    @TempDir
    Path dir;

    @Test
    void onlyReplicasOnDiskAtOpenCountAsPresentAtOpen() throws Exception {
        CollectionConfig config = CollectionConfig.of(2, Distance.DOT);
        Path registry = dir.resolve("replicas.registry");
        try (Quiver store = Quiver.open(dir.resolve("replicas"), EngineOptions.defaults())) {
            LocalReplicas replicas = new LocalReplicas(store, registry);
            replicas.ensure("old", 0, config);
            replicas.ensure("gone", 1, config);
            assertFalse(replicas.presentAtOpen("old", 0), "created after this store was opened");
        }
        try (Quiver store = Quiver.open(dir.resolve("replicas"), EngineOptions.defaults())) {
            store.deleteCollection(LocalReplicas.name("gone", 1)); // its data vanishes while the peer is down
        }
        try (Quiver store = Quiver.open(dir.resolve("replicas"), EngineOptions.defaults())) {
            LocalReplicas replicas = new LocalReplicas(store, registry);
            assertTrue(replicas.presentAtOpen("old", 0), "on disk when the restarted peer opened its store");
            replicas.ensure("fresh", 0, config);
            assertFalse(replicas.presentAtOpen("fresh", 0), "created since the restart: received every write");
            assertFalse(replicas.presentAtOpen("gone", 1));
            assertTrue(replicas.isLost("gone", 1));
            assertEquals(Set.of(LocalReplicas.name("gone", 1)), replicas.lost());
        }
    }
}
