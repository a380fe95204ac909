package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real 3-node SOFAJRaft metadata group in this JVM: agreement, forwarding, status shapes, recover, peer removal. */
class MetadataConsensusTest {
    @TempDir
    Path dir;

    private static Throwable failureOf(java.util.concurrent.CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(15, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static void awaitSameState(List<ClusterNode> nodes, ClusterNode reference) {
        TestCluster.await("all nodes equal to the leader", Duration.ofSeconds(10),
                () -> nodes.stream().allMatch(n -> n.metadata().equals(reference.metadata())));
    }

    @Test
    void threeNodesElectOneLeaderAndApplyTheSameChanges() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            List<ClusterNode> followers = nodes.stream().filter(n -> n != leader).toList();
            for (ClusterNode node : nodes) {
                assertEquals(3, node.metadata().peers().size());
                TestCluster.await("leader known", Duration.ofSeconds(5), () -> Long.valueOf(leader.peerId()).equals(node.leaderPeerId()));
            }

            // created on a follower (forwarded to the leader), visible on that follower as soon as the future completes
            ClusterNode follower = followers.get(0);
            follower.propose(TestCluster.createCollection("a", follower.peerId(), leader.peerId())).get(10, TimeUnit.SECONDS);
            assertNotNull(follower.metadata().collection("a"));
            leader.propose(TestCluster.createCollection("b", leader.peerId())).get(10, TimeUnit.SECONDS);
            ObjectNode patch = TestCluster.MAPPER.createObjectNode();
            patch.putObject("hnsw_config").put("m", 32);
            followers.get(1).propose(new MetadataOperation.UpdateCollectionConfig("a", patch)).get(10, TimeUnit.SECONDS);
            follower.propose(new MetadataOperation.DeleteCollection("b")).get(10, TimeUnit.SECONDS);
            awaitSameState(nodes, leader);
            for (ClusterNode node : nodes) {
                assertEquals(List.of("a"), new ArrayList<>(node.metadata().collections().keySet()));
                assertEquals(32, node.metadata().collection("a").config().path("hnsw_config").path("m").asInt());
            }

            // a rejected operation fails the same way on a follower and on the leader, and changes nothing
            Throwable onFollower = failureOf(follower.propose(TestCluster.createCollection("a", follower.peerId())));
            assertInstanceOf(MetadataRejectedException.class, onFollower);
            assertEquals(Kind.CONFLICT, ((MetadataRejectedException) onFollower).kind());
            assertInstanceOf(MetadataRejectedException.class, failureOf(leader.propose(new MetadataOperation.DeleteCollection("zzz"))));
            awaitSameState(nodes, leader);
        }
    }

    @Test
    void linearizableReadOnAFollowerSeesEveryCommittedChange() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            List<ClusterNode> followers = nodes.stream().filter(n -> n != leader).toList();
            for (int i = 0; i < 20; i++) {
                leader.propose(TestCluster.createCollection("c" + i, leader.peerId())).get(10, TimeUnit.SECONDS);
                for (ClusterNode follower : followers) {
                    ClusterMetadata read = follower.metadataLinearizable().get(10, TimeUnit.SECONDS);
                    assertNotNull(read.collection("c" + i), "committed before the read");
                }
            }
        }
    }

    @Test
    void statusJsonHasQdrantShape() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            follower.propose(TestCluster.createCollection("c", leader.peerId(), follower.peerId())).get(10, TimeUnit.SECONDS);
            follower.propose(new MetadataOperation.StartTransfer("c", new ShardTransfer(0, leader.peerId(),
                    nodes.stream().filter(n -> n != leader && n != follower).findFirst().orElseThrow().peerId(), true, "stream_records", null)))
                    .get(10, TimeUnit.SECONDS);

            JsonNode status = follower.statusJson();
            System.out.println(status.toPrettyString());
            assertEquals("enabled", status.get("status").asText());
            assertEquals(follower.peerId(), status.get("peer_id").asLong());
            assertEquals(3, status.get("peers").size());
            // shown as Qdrant shows a URI: with the "/" of its empty path
            assertEquals(follower.uri() + "/", status.get("peers").get(Long.toString(follower.peerId())).get("uri").asText());
            JsonNode raft = status.get("raft_info");
            assertTrue(raft.get("term").asLong() >= 1);
            assertTrue(raft.get("commit").asLong() >= 5);
            assertTrue(raft.get("pending_operations").isIntegralNumber());
            assertEquals(leader.peerId(), raft.get("leader").asLong());
            assertEquals("Follower", raft.get("role").asText());
            assertTrue(raft.get("is_voter").asBoolean());
            assertEquals("working", status.get("consensus_thread_status").get("consensus_thread_status").asText());
            assertTrue(status.get("consensus_thread_status").has("last_update"));
            assertTrue(status.get("message_send_failures").isObject());
            assertEquals("Leader", leader.statusJson().get("raft_info").get("role").asText());

            JsonNode info = follower.collectionClusterJson("c", shard -> 42);
            System.out.println(info.toPrettyString());
            assertEquals(follower.peerId(), info.get("peer_id").asLong());
            assertEquals(1, info.get("shard_count").asInt());
            assertEquals(1, info.get("local_shards").size());
            assertEquals(42, info.get("local_shards").get(0).get("points_count").asLong());
            assertEquals("Active", info.get("local_shards").get(0).get("state").asText());
            assertEquals(2, info.get("remote_shards").size(), "the leader's Active and the target's Partial replica");
            assertEquals(1, info.get("shard_transfers").size());
            assertEquals("stream_records", info.get("shard_transfers").get(0).get("method").asText());
            assertTrue(info.get("shard_transfers").get(0).get("sync").asBoolean());
            ClusterException missing = assertThrows(ClusterException.class, () -> follower.collectionClusterJson("nope", s -> 0));
            assertEquals(Kind.NOT_FOUND, missing.kind());
        }
    }

    @Test
    void recoverInstallsTheLeadersSnapshotOnAFollowerAndIsRefusedOnTheLeader() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            for (int i = 0; i < 20; i++) {
                leader.propose(TestCluster.createCollection("c" + i, leader.peerId())).get(10, TimeUnit.SECONDS);
            }
            List<MetadataOperation> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<ClusterMetadata> resets = new java.util.concurrent.CopyOnWriteArrayList<>();
            follower.addListener(new MetadataListener() {
                @Override
                public void onApplied(long index, MetadataOperation operation, ClusterMetadata before, ClusterMetadata after) {
                    seen.add(operation);
                }

                @Override
                public void onReset(long index, ClusterMetadata state) {
                    resets.add(state);
                }
            });

            assertTrue(follower.recover().get(20, TimeUnit.SECONDS));
            long snapshotIndex = Long.parseLong(follower.raftDirectory().latestSnapshot().getFileName().toString().substring("snapshot_".length()));
            assertEquals(snapshotIndex, Long.parseLong(leader.raftDirectory().latestSnapshot().getFileName().toString().substring("snapshot_".length())),
                    "the follower holds the leader's snapshot");
            assertEquals(snapshotIndex + 1, RaftLogInspector.firstLogIndex(follower.raftNode()), "the follower's log starts after the snapshot");
            assertEquals(leader.metadata(), follower.metadata());
            assertEquals(1, resets.size());
            assertEquals(leader.metadata(), resets.get(0));

            // the recovered follower keeps following: new changes reach it through the log
            leader.propose(TestCluster.createCollection("after", leader.peerId())).get(10, TimeUnit.SECONDS);
            TestCluster.await("change after recover", Duration.ofSeconds(10), () -> follower.metadata().collection("after") != null);
            assertTrue(seen.stream().anyMatch(op -> op instanceof MetadataOperation.CreateCollection c && c.name().equals("after")));
            awaitSameState(nodes, leader);

            // on the leader recover is a no-op answering true (Qdrant answers true on any peer)
            ClusterMetadata before = leader.metadata();
            String latest = leader.raftDirectory().latestSnapshot().getFileName().toString();
            assertTrue(leader.recover().get(20, TimeUnit.SECONDS));
            assertTrue(leader.isLeader(), "the leader is still leading");
            assertEquals(before, leader.metadata());
            assertEquals(latest, leader.raftDirectory().latestSnapshot().getFileName().toString());
        }
    }

    @Test
    void removePeerNeedsForceWhileItHoldsShards() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            List<ClusterNode> followers = nodes.stream().filter(n -> n != leader).toList();
            ClusterNode victim = followers.get(1);
            leader.propose(TestCluster.createCollection("c", leader.peerId(), victim.peerId())).get(10, TimeUnit.SECONDS);

            Throwable refused = failureOf(followers.get(0).removePeer(victim.peerId(), false));
            assertEquals("Cannot remove peer " + victim.peerId() + " as there are shards on it", refused.getMessage());
            assertEquals(Kind.BAD_REQUEST, ((ClusterException) refused).kind());
            assertEquals(Kind.NOT_FOUND, ((ClusterException) failureOf(leader.removePeer(12345, false))).kind());

            followers.get(0).removePeer(victim.peerId(), true).get(15, TimeUnit.SECONDS);
            for (ClusterNode node : List.of(leader, followers.get(0))) {
                TestCluster.await("peer removed", Duration.ofSeconds(5), () -> node.metadata().peer(victim.peerId()) == null);
                assertFalse(node.metadata().peerHoldsReplicas(victim.peerId()));
            }
            assertEquals(2, leader.raftNode().listPeers().size());
            assertFalse(leader.raftNode().listPeers().stream().anyMatch(p -> p.getEndpoint().toString().equals(victim.endpoint())));
            // the two remaining voters still form a quorum
            followers.get(0).propose(TestCluster.createCollection("d", leader.peerId())).get(10, TimeUnit.SECONDS);
            assertNull(victim.metadata().collection("d"));
        }
    }

    /** Proposes {@code operation} as proposal {@code proposalId} on the leader, as MetadataProposals does. */
    private static java.util.concurrent.CompletableFuture<Long> proposeAs(ClusterNode leader, MetadataOperation operation,
                                                                         long proposalId) {
        MetadataStateMachine.ProposalClosure closure = new MetadataStateMachine.ProposalClosure(operation, proposalId);
        com.alipay.sofa.jraft.entity.Task task = new com.alipay.sofa.jraft.entity.Task();
        task.setData(java.nio.ByteBuffer.wrap(MetadataOperationCodec.encode(operation, proposalId)));
        task.setDone(closure);
        leader.raftNode().apply(task);
        return closure.appliedIndex;
    }

    /**
     * A proposer that retries after a leader crash or a lost answer sends its proposal again, not knowing the first
     * was committed: the repeat succeeds without being applied twice (a create must not answer 409 for a collection
     * it created), also after the whole group restarted from snapshots; a new proposal of the same change is still
     * rejected.
     */
    @Test
    void aProposalSentAgainSucceedsWithoutBeingAppliedTwice() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            MetadataOperation create = TestCluster.createCollection("once", leader.peerId());
            long proposal = MetadataProposals.newProposalId();
            proposeAs(leader, create, proposal).get(10, TimeUnit.SECONDS);
            ClusterMetadata afterFirst = leader.metadata();
            proposeAs(leader, create, proposal).get(10, TimeUnit.SECONDS);
            assertEquals(afterFirst, leader.metadata(), "the repeat changed nothing");
            Throwable another = failureOf(proposeAs(leader, create, MetadataProposals.newProposalId()));
            assertInstanceOf(MetadataRejectedException.class, another);
            assertEquals(Kind.CONFLICT, ((MetadataRejectedException) another).kind());
            MetadataOperation delete = new MetadataOperation.DeleteCollection("once");
            long deletion = MetadataProposals.newProposalId();
            proposeAs(leader, delete, deletion).get(10, TimeUnit.SECONDS);
            awaitSameState(nodes, leader);

            // the applied proposals survive in the snapshots a restarted group starts from
            for (ClusterNode node : nodes) {
                node.snapshotNow().get(10, TimeUnit.SECONDS);
            }
            List<ClusterNode> restarted = new ArrayList<>();
            for (ClusterNode node : nodes) {
                node.close();
            }
            for (ClusterNode node : nodes) {
                restarted.add(cluster.start(cluster.optionsOf.get(node)));
            }
            for (ClusterNode node : restarted) {
                node.ready().get(30, TimeUnit.SECONDS);
            }
            ClusterNode newLeader = TestCluster.leaderOf(restarted);
            proposeAs(newLeader, delete, deletion).get(10, TimeUnit.SECONDS);
            assertInstanceOf(MetadataRejectedException.class,
                    failureOf(proposeAs(newLeader, delete, MetadataProposals.newProposalId())));
        }
    }

    @Test
    void aRestartedNodeRejoinsAsItselfAndCatchesUp() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            long peerId = follower.peerId();
            follower.close();
            leader.propose(TestCluster.createCollection("missed", leader.peerId())).get(10, TimeUnit.SECONDS);
            ClusterNode restarted = cluster.restart(follower);
            restarted.ready().get(20, TimeUnit.SECONDS);
            assertEquals(peerId, restarted.peerId());
            TestCluster.await("caught up", Duration.ofSeconds(10), () -> restarted.metadata().equals(leader.metadata()));
            assertEquals(3, restarted.metadata().peers().size());
            assertEquals(3, leader.raftNode().listPeers().size());
        }
    }

    @Test
    void snapshotsAlsoRunEveryNEntries() throws Exception {
        try (ClusterNode node = ClusterNode.start(TestCluster.options(dir.resolve("solo"), TestCluster.freePort(), null).withSnapshotEveryEntries(50))) {
            node.ready().get(20, TimeUnit.SECONDS);
            node.propose(TestCluster.createCollection("c", node.peerId())).get(10, TimeUnit.SECONDS);
            TestCluster.proposeAll(node, TestCluster.configUpdates("c", 175), 1);
            TestCluster.await("a snapshot past entry 150", Duration.ofSeconds(10), () -> {
                try {
                    return TestCluster.snapshotIndexOf(node) >= 150;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(node.stateMachine().snapshotsSaved() >= 3, node.stateMachine().snapshotsSaved() + " snapshots");
            assertTrue(RaftLogInspector.firstLogIndex(node.raftNode()) > 50, "the log was truncated");
        }
    }

    @Test
    void periodicSnapshotsRunByTheConfiguredInterval() throws Exception {
        try (ClusterNode node = ClusterNode.start(TestCluster.options(dir.resolve("solo"), TestCluster.freePort(), null).withSnapshotIntervalSecs(1))) {
            node.ready().get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                node.propose(TestCluster.createCollection("c" + i, node.peerId())).get(10, TimeUnit.SECONDS);
            }
            TestCluster.await("a periodic snapshot", Duration.ofSeconds(8), () -> {
                try {
                    return node.raftDirectory().latestSnapshot() != null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(node.stateMachine().snapshotsSaved() >= 1);
            assertNull(node.raftDirectory().verify());
        }
    }
}
