package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.cluster.MetadataOperation.AbortTransfer;
import io.quiver.cluster.MetadataOperation.AddPeer;
import io.quiver.cluster.MetadataOperation.DeleteCollection;
import io.quiver.cluster.MetadataOperation.DropReplica;
import io.quiver.cluster.MetadataOperation.FinishTransfer;
import io.quiver.cluster.MetadataOperation.RemovePeer;
import io.quiver.cluster.MetadataOperation.SetReplicaState;
import io.quiver.cluster.MetadataOperation.StartTransfer;
import io.quiver.cluster.MetadataOperation.UpdateCollectionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata model, the operation codec and the snapshot / peer-id files, without Raft. */
class MetadataModelTest {
    @TempDir
    Path dir;

    private static ClusterMetadata threePeersOneCollection() {
        return ClusterMetadata.empty()
                .apply(new AddPeer(1, "http://127.0.0.1:7001", NodeType.Normal))
                .apply(new AddPeer(2, "http://127.0.0.1:7002", NodeType.Normal))
                .apply(new AddPeer(3, "http://127.0.0.1:7003", NodeType.Listener))
                .apply(TestCluster.createCollection("c", 1, 2));
    }

    @Test
    void collectionLifecycleAndRejections() {
        ClusterMetadata state = threePeersOneCollection();
        assertEquals(Map.of(1L, ReplicaState.Active, 2L, ReplicaState.Active), state.collection("c").shards().replicas(0));
        MetadataRejectedException exists = assertThrows(MetadataRejectedException.class, () -> state.apply(TestCluster.createCollection("c", 1)));
        assertEquals(Kind.CONFLICT, exists.kind());

        ObjectNode patch = TestCluster.MAPPER.createObjectNode();
        patch.putObject("optimizers_config").put("indexing_threshold", 100);
        patch.putNull("replication_factor");
        ClusterMetadata patched = state.apply(new UpdateCollectionConfig("c", patch));
        assertEquals(100, patched.collection("c").config().path("optimizers_config").path("indexing_threshold").asInt());
        assertFalse(patched.collection("c").config().has("replication_factor"));
        assertEquals(4, patched.collection("c").config().path("vectors").path("size").asInt());
        assertTrue(state.collection("c").config().has("replication_factor"), "the old state is untouched");

        ClusterMetadata deleted = patched.apply(new DeleteCollection("c"));
        assertNull(deleted.collection("c"));
        assertEquals(Kind.NOT_FOUND, assertThrows(MetadataRejectedException.class, () -> deleted.apply(new DeleteCollection("c"))).kind());
    }

    @Test
    void replicaStatesAndTransfers() {
        ClusterMetadata state = threePeersOneCollection();
        ClusterMetadata dead = state.apply(new SetReplicaState("c", 0, 2, ReplicaState.Dead, ReplicaState.Active));
        assertEquals(ReplicaState.Dead, dead.collection("c").shards().state(0, 2));
        assertThrows(MetadataRejectedException.class, () -> dead.apply(new SetReplicaState("c", 0, 2, ReplicaState.Active, ReplicaState.Partial)));

        ShardTransfer move = new ShardTransfer(0, 2, 3, false, "stream_records", null);
        ClusterMetadata started = state.apply(new StartTransfer("c", move));
        assertEquals(ReplicaState.Partial, started.collection("c").shards().state(0, 3));
        assertEquals(List.of(move), started.collection("c").transfers());
        assertThrows(MetadataRejectedException.class, () -> started.apply(new StartTransfer("c", move)));

        ClusterMetadata finished = started.apply(new FinishTransfer("c", 0, 2, 3));
        assertEquals(Map.of(1L, ReplicaState.Active, 3L, ReplicaState.Active), finished.collection("c").shards().replicas(0));
        assertTrue(finished.collection("c").transfers().isEmpty());

        ClusterMetadata aborted = started.apply(new AbortTransfer("c", 0, 2, 3));
        assertEquals(state.collection("c").shards(), aborted.collection("c").shards());
        assertThrows(MetadataRejectedException.class, () -> aborted.apply(new FinishTransfer("c", 0, 2, 3)));

        ClusterMetadata dropped = state.apply(new DropReplica("c", 0, 2));
        assertEquals(Map.of(1L, ReplicaState.Active), dropped.collection("c").shards().replicas(0));
        assertThrows(MetadataRejectedException.class, () -> dropped.apply(new DropReplica("c", 0, 1)), "last replica stays");
    }

    @Test
    void dropReplicaKeepsAnActiveReplica() {
        ClusterMetadata state = threePeersOneCollection().apply(new DropReplica("c", 0, 2))
                .apply(new StartTransfer("c", new ShardTransfer(0, 1, 2, true, "stream_records", null)));
        assertEquals(ReplicaState.Partial, state.collection("c").shards().state(0, 2));
        MetadataRejectedException refused = assertThrows(MetadataRejectedException.class,
                () -> state.apply(new DropReplica("c", 0, 1)), "the Partial target is no copy to keep");
        assertEquals(Kind.BAD_REQUEST, refused.kind());
        assertEquals("Shard 0 must have at least one active replica after removing 1", refused.getMessage());
        assertEquals(ReplicaState.Active, state.apply(new DropReplica("c", 0, 2)).collection("c").shards().state(0, 1),
                "the Partial target may go");

        ClusterMetadata withListener = threePeersOneCollection().apply(new DropReplica("c", 0, 2))
                .apply(new SetReplicaState("c", 0, 3, ReplicaState.Listener, null));
        assertThrows(MetadataRejectedException.class, () -> withListener.apply(new DropReplica("c", 0, 1)),
                "a Listener is no source of truth");
        ClusterMetadata allDead = threePeersOneCollection()
                .apply(new SetReplicaState("c", 0, 1, ReplicaState.Dead, ReplicaState.Active))
                .apply(new SetReplicaState("c", 0, 2, ReplicaState.Dead, ReplicaState.Active));
        assertNull(allDead.apply(new DropReplica("c", 0, 1)).collection("c").shards().state(0, 1),
                "with no Active replica left, dead ones may still be dropped (as in Qdrant)");
    }

    @Test
    void removingAPeerWithShardsNeedsForce() {
        ClusterMetadata state = threePeersOneCollection();
        MetadataRejectedException refused = assertThrows(MetadataRejectedException.class, () -> state.apply(new RemovePeer(2, false)));
        assertEquals("Cannot remove peer 2 as there are shards on it", refused.getMessage());
        ClusterMetadata forced = state.apply(new RemovePeer(2, true));
        assertNull(forced.peer(2));
        assertFalse(forced.peerHoldsReplicas(2));
        assertNull(state.apply(new RemovePeer(3, false)).peer(3));
    }

    @Test
    void codecRoundTripsEveryOperation() {
        ObjectNode patch = TestCluster.MAPPER.createObjectNode().put("x", 1);
        List<MetadataOperation> operations = List.of(
                new AddPeer(Long.MAX_VALUE, "http://h:1", NodeType.Listener),
                new RemovePeer(7, true),
                TestCluster.createCollection("c", 1, 2),
                new DeleteCollection("c"),
                new UpdateCollectionConfig("c", patch),
                new SetReplicaState("c", 3, 2, ReplicaState.Partial, null),
                new SetReplicaState("c", 3, 2, ReplicaState.Active, ReplicaState.Partial),
                new DropReplica("c", 1, 2),
                new StartTransfer("c", new ShardTransfer(0, 1, 2, true, "snapshot", "why")),
                new FinishTransfer("c", 0, 1, 2),
                new AbortTransfer("c", 0, 1, 2));
        for (MetadataOperation operation : operations) {
            assertEquals(operation, MetadataOperationCodec.decode(MetadataOperationCodec.encode(operation)));
            assertEquals(new MetadataOperationCodec.Proposal(-77L, operation),
                    MetadataOperationCodec.decodeProposal(MetadataOperationCodec.encode(operation, -77L)));
            assertEquals(0L, MetadataOperationCodec.decodeProposal(MetadataOperationCodec.encode(operation)).proposalId());
        }
        assertThrows(IllegalArgumentException.class, () -> MetadataOperationCodec.decode(new byte[] {9, '{', '}'}));
        assertThrows(IllegalArgumentException.class, () -> MetadataOperationCodec.decode(new byte[] {1, '{', '}'}));
    }

    @Test
    void snapshotFileRoundTripsAndDetectsDamage() throws IOException {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("MetadataModelTest seed " + seed);
        Random random = new Random(seed);
        ClusterMetadata state = threePeersOneCollection();
        for (int i = 0; i < 200; i++) {
            TreeMap<Long, ReplicaState> replicas = new TreeMap<>();
            replicas.put(1L + random.nextInt(3), ReplicaState.values()[random.nextInt(ReplicaState.values().length)]);
            state = state.apply(MetadataOperation.CreateCollection.of("col-" + i, TestCluster.config(1 + random.nextInt(1000)), Map.of(0, replicas)));
        }
        Path file = dir.resolve(MetadataSnapshotFile.FILE_NAME);
        long[] proposals = random.longs(50).toArray();
        MetadataSnapshotFile.write(file, 4242, state, proposals);
        MetadataSnapshotFile.Content content = MetadataSnapshotFile.read(file);
        assertEquals(4242, content.appliedIndex());
        assertEquals(state, content.metadata());
        assertEquals(state.toJson(), content.metadata().toJson());
        assertArrayEquals(proposals, content.appliedProposals());
        // a snapshot written before proposal ids has none
        assertArrayEquals(new long[0], MetadataSnapshotFile.decode(MetadataSnapshotFile.encode(1, state)).appliedProposals());

        byte[] bytes = Files.readAllBytes(file);
        List<byte[]> damaged = new ArrayList<>();
        byte[] flipped = bytes.clone();
        flipped[30 + random.nextInt(bytes.length - 40)] ^= 0x10;
        damaged.add(flipped);
        damaged.add(java.util.Arrays.copyOf(bytes, bytes.length - 3));
        byte[] badMagic = bytes.clone();
        badMagic[0] = 0;
        damaged.add(badMagic);
        for (byte[] bad : damaged) {
            assertThrows(IOException.class, () -> MetadataSnapshotFile.decode(bad));
        }
    }

    @Test
    void peerIdIsStableAndChecked() throws IOException {
        long id = PeerIdFile.loadOrCreate(dir);
        assertTrue(id > 0);
        assertEquals(id, PeerIdFile.loadOrCreate(dir));
        byte[] bytes = Files.readAllBytes(dir.resolve(PeerIdFile.FILE_NAME));
        bytes[10] ^= 1;
        Files.write(dir.resolve(PeerIdFile.FILE_NAME), bytes);
        assertThrows(IOException.class, () -> PeerIdFile.loadOrCreate(dir));
    }

    @Test
    void emptyStateIsShared() {
        assertSame(ClusterMetadata.empty(), ClusterMetadata.empty());
        assertEquals(ClusterMetadata.empty(), ClusterMetadata.fromJson(ClusterMetadata.empty().toJson()));
    }
}
