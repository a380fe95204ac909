package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.entity.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader runs in a child JVM and is killed with SIGKILL: a new leader takes over and nothing committed is lost. */
class FailoverTest {
    @TempDir
    Path dir;

    private static Process startChild(Path storage, int port, Path log) throws Exception {
        return ChildJvm.start(ChildNodeMain.class, log, storage.toString(), Integer.toString(port));
    }

    @Test
    void killingTheLeaderElectsANewOneAndLosesNoCommittedChange() throws Exception {
        long failoverMillis = measureFailover(dir);
        assertTrue(failoverMillis < 3L * TestCluster.ELECTION_TIMEOUT_MS + 1000, "fail-over took " + failoverMillis + " ms");
    }

    /** Runs the scenario in {@code dir}, asserting that nothing committed is lost; returns the fail-over time. */
    static long measureFailover(Path dir) throws Exception {
        int childPort = TestCluster.freePort();
        Path log = dir.resolve("child.log");
        Process child = startChild(dir.resolve("child"), childPort, log);
        try (TestCluster cluster = new TestCluster(dir)) {
            long childPeerId = ChildJvm.awaitReady(child, log);
            ClusterNode a = cluster.start("a", TestCluster.freePort(), childPort);
            ClusterNode b = cluster.start("b", TestCluster.freePort(), childPort);
            a.ready().get(30, TimeUnit.SECONDS);
            b.ready().get(30, TimeUnit.SECONDS);
            List<ClusterNode> survivors = List.of(a, b);
            for (ClusterNode node : survivors) {
                TestCluster.await("3 peers", Duration.ofSeconds(10), () -> node.metadata().peers().size() == 3);
                TestCluster.await("leader known", Duration.ofSeconds(10), () -> node.leaderPeerId() != null);
            }
            if (!Long.valueOf(childPeerId).equals(a.leaderPeerId())) {
                ClusterNode inProcessLeader = TestCluster.leaderOf(survivors);
                inProcessLeader.raftNode().transferLeadershipTo(new PeerId("127.0.0.1", childPort));
                TestCluster.await("child leads", Duration.ofSeconds(10), () -> Long.valueOf(childPeerId).equals(a.leaderPeerId()));
            }

            for (int i = 0; i < 10; i++) {
                survivors.get(i % 2).propose(TestCluster.createCollection("before-" + i, a.peerId())).get(10, TimeUnit.SECONDS);
            }

            long killedAt = System.nanoTime();
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            TestCluster.await("a new leader", Duration.ofSeconds(10),
                    () -> survivors.stream().anyMatch(ClusterNode::isLeader));
            long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.printf("fail-over after SIGKILL of the leader: %d ms (election timeout %d ms)%n", failoverMillis,
                    TestCluster.ELECTION_TIMEOUT_MS);

            for (int i = 0; i < 10; i++) {
                survivors.get(i % 2).propose(TestCluster.createCollection("after-" + i, a.peerId())).get(15, TimeUnit.SECONDS);
            }
            for (ClusterNode node : survivors) {
                TestCluster.await("all changes on " + node.peerId(), Duration.ofSeconds(10),
                        () -> node.metadata().collections().size() == 20);
                for (int i = 0; i < 10; i++) {
                    assertNotNull(node.metadata().collection("before-" + i), "committed before the kill");
                    assertNotNull(node.metadata().collection("after-" + i));
                }
            }
            return failoverMillis;
        } catch (Throwable failure) {
            System.out.println("child node log:\n" + String.join("\n", Files.readAllLines(log).stream()
                    .filter(line -> !line.startsWith("\tat ")).toList()));
            throw failure;
        } finally {
            child.destroyForcibly();
        }
    }
}
