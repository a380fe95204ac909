package io.quiver.cluster;

import io.quiver.hnsw.Distance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node holding replicas runs in a child JVM and is killed with SIGKILL while writes go on through the others;
 * restarted, its replicas are recovered by transfers and hold every acknowledged point.
 */
class DataPlaneKillTest {

    private static Process startChild(Path storage, int port, Integer bootstrapPort, Path log) throws Exception {
        return bootstrapPort == null
                ? ChildJvm.start(ChildDataNodeMain.class, log, storage.toString(), Integer.toString(port))
                : ChildJvm.start(ChildDataNodeMain.class, log, storage.toString(), Integer.toString(port),
                        Integer.toString(bootstrapPort));
    }

    @Test
    void killedNodeIsRecoveredAndHoldsEveryAcknowledgedPoint(@TempDir Path dir) throws Exception {
        killAndRecover(dir, false);
    }

    /** The same with the killed node being the Raft leader (it bootstraps the cluster). */
    @Test
    void killedLeaderIsRecoveredAndHoldsEveryAcknowledgedPoint(@TempDir Path dir) throws Exception {
        killAndRecover(dir, true);
    }

    private void killAndRecover(Path dir, boolean childLeads) throws Exception {
        System.out.println("DataPlaneKillTest seed " + DataPlaneTestSupport.SEED + ", killed node leads: "
                + childLeads);
        try (TestCluster cluster = new TestCluster(dir)) {
            int childPort = TestCluster.freePort();
            Path childStorage = dir.resolve("child");
            Process child;
            ClusterNode node0;
            ClusterNode node1;
            Integer childBootstrap;
            if (childLeads) {
                child = startChild(childStorage, childPort, null, dir.resolve("child-1.log"));
                ChildJvm.awaitReady(child, dir.resolve("child-1.log"));
                node0 = cluster.start("n0", TestCluster.freePort(), childPort);
                node1 = cluster.start("n1", TestCluster.freePort(), childPort);
                childBootstrap = null;
            } else {
                int port0 = TestCluster.freePort();
                node0 = cluster.start("n0", port0, null);
                node0.ready().get(20, TimeUnit.SECONDS);
                node1 = cluster.start("n1", TestCluster.freePort(), port0);
                child = startChild(childStorage, childPort, port0, dir.resolve("child-1.log"));
                childBootstrap = port0;
            }
            node0.ready().get(20, TimeUnit.SECONDS);
            node1.ready().get(20, TimeUnit.SECONDS);
            try (ClusterCollectionCatalog catalog0 = DataNodes.openCatalog(node0, dir.resolve("n0"), false);
                 ClusterCollectionCatalog catalog1 = DataNodes.openCatalog(node1, dir.resolve("n1"), false)) {
                long childPeer = ChildJvm.awaitReady(child, dir.resolve("child-1.log"));
                if (childLeads) {
                    assertEquals(childPeer, node0.leaderPeerId(), "the child leads");
                }
                TestCluster.await("three peers", Duration.ofSeconds(10), () -> node0.metadata().peers().size() == 3);
                catalog0.create("c", DataNodes.config(DataPlaneTestSupport.DIM, Distance.COSINE, 3, 2, 1));

                DataPlaneTestSupport.Writer writer = new DataPlaneTestSupport.Writer(
                        () -> catalog1.find("c").orElseThrow(), 0, DataPlaneTestSupport.SEED);
                Thread thread = Thread.ofVirtual().start(writer);
                TestCluster.await("writes before the kill", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 300);
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                int atKill = writer.acknowledged.size();
                TestCluster.await("writes while the node is dead", Duration.ofSeconds(30),
                        () -> writer.acknowledged.size() >= atKill + 300);

                child = startChild(childStorage, childPort, childBootstrap, dir.resolve("child-2.log"));
                assertEquals(childPeer, ChildJvm.awaitReady(child, dir.resolve("child-2.log")), "restarted as the same peer");
                int atRestart = writer.acknowledged.size();
                TestCluster.await("writes during the recovery", Duration.ofSeconds(30),
                        () -> writer.acknowledged.size() >= atRestart + 100);
                TestCluster.await("every replica active again", Duration.ofSeconds(60), () -> {
                    CollectionMetadata c = node0.metadata().collection("c");
                    return c.transfers().isEmpty() && c.shards().asMap().values().stream()
                            .allMatch(r -> r.values().stream().allMatch(s -> s == ReplicaState.Active));
                });
                writer.finish(thread);
                System.out.println("acknowledged " + writer.acknowledged.size() + " points, " + writer.failures.get()
                        + " failed attempts");
                DataPlaneTestSupport.assertAcknowledgedEverywhere(catalog0.dataPlane(), "c", writer.acknowledged);
                DataPlaneTestSupport.assertReplicasSearchAlike(catalog0.dataPlane(), "c",
                        new Random(DataPlaneTestSupport.SEED));
                assertEquals(writer.acknowledged.size(), catalog0.find("c").orElseThrow().count(null));
            } finally {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
