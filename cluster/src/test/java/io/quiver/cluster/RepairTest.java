package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A follower whose local metadata state is damaged or deleted is repaired by recover. */
class RepairTest {
    @TempDir
    Path dir;

    private interface Damage {
        void apply(RaftDirectory raft) throws Exception;
    }

    private void repairAfter(RaftLogStorageKind logStorage, Damage damage, boolean expectStoppedBeforeRecover) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, logStorage)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            leader.propose(TestCluster.createCollection("c", leader.peerId())).get(10, TimeUnit.SECONDS);
            TestCluster.proposeAll(leader, TestCluster.configUpdates("c", 50), 25);
            for (ClusterNode node : nodes) {
                TestCluster.await("applied", Duration.ofSeconds(10), () -> node.appliedIndex() == leader.appliedIndex());
                node.snapshotNow().get(10, TimeUnit.SECONDS);
            }
            TestCluster.proposeAll(leader, TestCluster.configUpdates("c", 50), 25);
            for (ClusterNode node : nodes) {
                TestCluster.await("applied", Duration.ofSeconds(10), () -> node.appliedIndex() == leader.appliedIndex());
                node.snapshotNow().get(10, TimeUnit.SECONDS);
            }

            follower.close();
            damage.apply(follower.raftDirectory());
            leader.propose(TestCluster.createCollection("while-down", leader.peerId())).get(10, TimeUnit.SECONDS);
            ClusterNode restarted = cluster.restart(follower);
            JsonNode before = restarted.statusJson();
            System.out.println("damaged follower: " + before.get("consensus_thread_status"));
            if (expectStoppedBeforeRecover) {
                assertEquals("stopped_with_err", before.get("consensus_thread_status").get("consensus_thread_status").asText());
                assertTrue(restarted.metadata().collections().isEmpty());
            }

            assertTrue(restarted.recover().get(30, TimeUnit.SECONDS));
            TestCluster.await("repaired follower equals leader", Duration.ofSeconds(10), () -> restarted.metadata().equals(leader.metadata()));
            assertNotNull(restarted.metadata().collection("while-down"));
            assertEquals("working", restarted.statusJson().get("consensus_thread_status").get("consensus_thread_status").asText());
            assertEquals(TestCluster.snapshotIndexOf(restarted) + 1, RaftLogInspector.firstLogIndex(restarted.raftNode()));
            leader.propose(new MetadataOperation.DeleteCollection("while-down")).get(10, TimeUnit.SECONDS);
            TestCluster.await("repaired follower follows", Duration.ofSeconds(10), () -> restarted.metadata().collection("while-down") == null);
        }
    }

    @ParameterizedTest
    @EnumSource(RaftLogStorageKind.class)
    void corruptedSnapshotIsRepairedByRecover(RaftLogStorageKind logStorage) throws Exception {
        repairAfter(logStorage, raft -> {
            Path file = raft.latestSnapshot().resolve(MetadataSnapshotFile.FILE_NAME);
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x5A;
            Files.write(file, bytes);
        }, true);
    }

    @ParameterizedTest
    @EnumSource(RaftLogStorageKind.class)
    void deletedSnapshotsAreRepairedByRecover(RaftLogStorageKind logStorage) throws Exception {
        // the log behind the first snapshot is gone, so without snapshots the node cannot rebuild its state by itself
        repairAfter(logStorage, raft -> RaftDirectory.deleteTree(raft.snapshotDir()), true);
    }

    @ParameterizedTest
    @EnumSource(RaftLogStorageKind.class)
    void deletedRaftStateRejoinsAndRecovers(RaftLogStorageKind logStorage) throws Exception {
        repairAfter(logStorage, raft -> RaftDirectory.deleteTree(raft.root()), false);
    }
}
