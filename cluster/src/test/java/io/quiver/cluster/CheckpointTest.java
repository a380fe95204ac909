package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Consensus checkpointing: snapshots truncate the Raft log on disk, and a late node catches up from a snapshot. */
class CheckpointTest {
    private static final int OPERATIONS_PER_ROUND = 300;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RaftLogStorageKind.class)
    void snapshotsTruncateTheLogAndALateNodeCatchesUpFromTheSnapshot(RaftLogStorageKind logStorage) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, logStorage)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            leader.propose(TestCluster.createCollection("c", leader.peerId())).get(10, TimeUnit.SECONDS);

            TestCluster.proposeAll(leader, TestCluster.configUpdates("c", OPERATIONS_PER_ROUND), 50);
            for (ClusterNode node : nodes) {
                TestCluster.await("applied", Duration.ofSeconds(10), () -> node.appliedIndex() == leader.appliedIndex());
                node.snapshotNow().get(10, TimeUnit.SECONDS);
            }
            long firstSnapshot = TestCluster.snapshotIndexOf(follower);
            TestCluster.proposeAll(follower, TestCluster.configUpdates("c", OPERATIONS_PER_ROUND), 50);
            for (ClusterNode node : nodes) {
                TestCluster.await("applied", Duration.ofSeconds(10), () -> node.appliedIndex() == leader.appliedIndex());
                node.snapshotNow().get(10, TimeUnit.SECONDS);
            }
            long secondSnapshot = TestCluster.snapshotIndexOf(follower);
            long lastIndex = follower.raftNode().getLastLogIndex();
            assertTrue(firstSnapshot > OPERATIONS_PER_ROUND && secondSnapshot > firstSnapshot + OPERATIONS_PER_ROUND - 1,
                    "snapshots at " + firstSnapshot + " and " + secondSnapshot);

            // SOFAJRaft keeps the log behind the previous snapshot (for lagging followers) and drops everything older
            assertEquals(firstSnapshot + 1, RaftLogInspector.firstLogIndex(follower.raftNode()));
            follower.close();
            RaftDirectory.LogSpan span = follower.raftDirectory().logSpanOnDisk();
            System.out.printf(logStorage + " log on disk after 2 snapshots: %d entries [%d..%d]; snapshots at %d and %d; last index %d%n",
                    span.count(), span.first(), span.last(), firstSnapshot, secondSnapshot, lastIndex);
            assertEquals(firstSnapshot + 1, span.first(), "entries behind the first snapshot are gone from disk");
            assertEquals(lastIndex - firstSnapshot, span.count());
            assertTrue(span.count() < lastIndex / 2, "the log holds " + span.count() + " of " + lastIndex + " entries");

            // a fourth node joins afterwards: it gets the leader's snapshot instead of replaying the whole log
            ClusterNode late = cluster.start("late", TestCluster.freePort(), Integer.parseInt(leader.endpoint().split(":")[1]));
            assertEquals(logStorage, late.raftDirectory().logStorage());
            late.ready().get(30, TimeUnit.SECONDS);
            TestCluster.await("late node equals leader", Duration.ofSeconds(10), () -> late.metadata().equals(leader.metadata()));
            System.out.printf("late node: %d snapshot(s) loaded, %d log entries applied (leader applied index %d)%n",
                    late.stateMachine().snapshotsLoaded(), late.stateMachine().entriesApplied(), leader.appliedIndex());
            assertEquals(1, late.stateMachine().snapshotsLoaded());
            assertTrue(late.stateMachine().entriesApplied() < 10, "replayed " + late.stateMachine().entriesApplied() + " entries");
        }
    }
}
