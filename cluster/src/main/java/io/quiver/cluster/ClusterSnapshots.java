package io.quiver.cluster;

import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.snapshot.SnapshotArchive;
import io.quiver.engine.snapshot.SnapshotSource;
import io.quiver.engine.snapshot.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Snapshots of a collection spread over the cluster, taken and recovered on one node's own replicas (as Qdrant does:
 * a node's collection snapshot holds the shards it stores). The archive is the engine's format
 * ({@link SnapshotArchive}) with the cluster's config and each local replica under its cluster shard id; a Listener
 * node leaves the WAL out (its checkpoint, captured after every write it acknowledged, holds its data). Recovery
 * replaces a local replica's data, then applies the {@link SnapshotPriority} through consensus. Files live in
 * {@code <snapshots>/<collection>/} and {@code <snapshots>/<collection>/shards/<id>/}, as standalone.
 * Stateless apart from the data plane it uses; threadsafe.
 */
final class ClusterSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSnapshots.class);

    private final DataPlane dataPlane;
    private final long self;

    ClusterSnapshots(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
        this.self = dataPlane.node().peerId();
    }

    private boolean listenerNode() {
        return dataPlane.node().nodeType() == NodeType.Listener;
    }

    /** The collection's snapshot files, to list, find or delete. */
    static SnapshotStore collectionStore(Path snapshotsDir, String collection) {
        return new SnapshotStore(snapshotsDir.resolve(collection), collection);
    }

    /** The collection's snapshot files; new ones are named {@code <collection>-<peerId>-<date>.snapshot}. */
    static SnapshotStore collectionStore(Path snapshotsDir, String collection, long peerId) {
        return new SnapshotStore(snapshotsDir.resolve(collection), collection, peerId);
    }

    static SnapshotStore shardStore(Path snapshotsDir, String collection, int shard) {
        return new SnapshotStore(snapshotsDir.resolve(collection).resolve("shards").resolve(Integer.toString(shard)),
                collection + "-shard-" + shard);
    }

    static SnapshotStore shardStore(Path snapshotsDir, String collection, int shard, long peerId) {
        return new SnapshotStore(snapshotsDir.resolve(collection).resolve("shards").resolve(Integer.toString(shard)),
                collection + "-shard-" + shard, peerId);
    }

    /** This node's replicas of the collection that hold its data (Active or Listener, not lost), by shard id. */
    private SortedMap<Integer, Collection> readableReplicas(CollectionMetadata c) {
        SortedMap<Integer, Collection> out = new TreeMap<>();
        for (Map.Entry<Integer, SortedMap<Long, ReplicaState>> shard : c.shards().asMap().entrySet()) {
            ReplicaState state = shard.getValue().get(self);
            if ((state == ReplicaState.Active || state == ReplicaState.Listener)
                    && !dataPlane.replicas().isLost(c.name(), shard.getKey())) {
                dataPlane.replicas().find(c.name(), shard.getKey()).ifPresent(r -> out.put(shard.getKey(), r));
            }
        }
        return out;
    }

    SnapshotDescription createCollectionSnapshot(String collection, Path snapshotsDir) {
        CollectionMetadata c = dataPlane.collection(collection);
        SortedMap<Integer, Collection> replicas = readableReplicas(c);
        if (replicas.isEmpty()) {
            throw new BadRequestException("Peer " + self + " holds no readable replica of collection `" + collection
                    + "`: take the snapshot on a peer that stores its shards");
        }
        return write(collectionStore(snapshotsDir, collection, self), collection, CollectionConfig.fromJson(c.config()),
                replicas);
    }

    SnapshotDescription createShardSnapshot(String collection, int shard, Path snapshotsDir) {
        CollectionMetadata c = dataPlane.collection(collection);
        requireShard(c, shard);
        Collection replica = readableReplicas(c).get(shard);
        if (replica == null) {
            throw new BadRequestException("Peer " + self + " holds no readable replica of shard " + shard
                    + " of collection `" + collection + "` (state " + c.shards().state(shard, self) + ")");
        }
        return write(shardStore(snapshotsDir, collection, shard, self), collection, CollectionConfig.fromJson(c.config()),
                new TreeMap<>(Map.of(shard, replica)));
    }

    private SnapshotDescription write(SnapshotStore store, String collection, CollectionConfig config,
            SortedMap<Integer, Collection> replicas) {
        boolean includeWal = !listenerNode();
        return store.create(out -> {
            try (SnapshotArchive.Writer w = new SnapshotArchive.Writer(out, collection)) {
                w.writeConfig(replicas.get(replicas.firstKey()).snapshotConfigJson(config));
                for (Map.Entry<Integer, Collection> r : replicas.entrySet()) {
                    r.getValue().writeShardSnapshot(w, 0, r.getKey(), includeWal);
                }
                w.finish();
            }
        });
    }

    private static void requireShard(CollectionMetadata c, int shard) {
        if (!c.shards().hasShard(shard)) {
            throw new NotFoundException("Shard " + shard + " of collection `" + c.name() + "` doesn't exist!");
        }
    }

    /**
     * Replaces this node's replica of {@code shard} by shard {@code archiveShardId} of the archive ({@code -1}: its
     * only shard), then applies {@code priority} (see {@link #recover}).
     */
    void recoverShard(String collection, int shard, URI location, String expectedSha256OrNull,
            SnapshotPriority priority, Path snapshotsDir, int archiveShardId) {
        CollectionMetadata c = dataPlane.collection(collection);
        requireShard(c, shard);
        requireRecoverable(c, shard);
        SnapshotSource.Local local = SnapshotSource.fetch(location, snapshotsDir.resolve(".downloads"));
        try {
            SnapshotStore.checkSha256(local.file(), expectedSha256OrNull);
            SnapshotArchive.Header header = SnapshotArchive.readHeader(local.file());
            int source = archiveShardId;
            if (source < 0) {
                if (header.shardIds().size() != 1) {
                    throw new BadRequestException("a shard snapshot holds exactly one shard, this one holds "
                            + header.shardIds().size());
                }
                source = header.shardIds().getFirst();
            } else if (!header.shardIds().contains(source)) {
                throw new BadRequestException("the snapshot holds no shard " + source);
            }
            CollectionConfig ours = CollectionConfig.fromJson(c.config());
            CollectionConfig theirs = snapshotConfig(header);
            if (theirs.vectors().size() != ours.vectors().size()
                    || theirs.vectors().distance() != ours.vectors().distance()) {
                throw new BadRequestException("the snapshot's vectors (" + theirs.vectors().size() + ", "
                        + theirs.vectors().distance() + ") do not match collection " + collection);
            }
            recover(collection, shard, local.file().toUri(), null, priority, snapshotsDir, source, false);
        } finally {
            deleteIfTemporary(local);
        }
    }

    private static CollectionConfig snapshotConfig(SnapshotArchive.Header header) {
        if (!header.configJson().has("config")) {
            throw new BadRequestException("the snapshot's config.json is not a Quiver collection config");
        }
        return CollectionConfig.fromJson(header.configJson().get("config"));
    }

    private static void deleteIfTemporary(SnapshotSource.Local local) {
        if (local.temporary()) {
            try {
                Files.deleteIfExists(local.file());
            } catch (IOException e) {
                LOG.warn("cannot delete the downloaded snapshot {}", local.file(), e);
            }
        }
    }

    /** A replica this node holds and that no transfer is filling or reading: a recovery would race with it. */
    private void requireRecoverable(CollectionMetadata c, int shard) {
        if (c.shards().state(shard, self) == null) {
            throw new BadRequestException("Peer " + self + " holds no replica of shard " + shard + " of collection `"
                    + c.name() + "`");
        }
        for (ShardTransfer t : c.transfers()) {
            if (t.shardId() == shard && (t.from() == self || t.to() == self)) {
                throw new BadRequestException("Shard " + shard + " of collection `" + c.name() + "` has a transfer "
                        + "from peer " + t.from() + " to peer " + t.to() + " in progress: wait for it to end or abort "
                        + "it before recovering a snapshot into it");
            }
        }
    }

    /**
     * Qdrant's recovery of one local replica with a {@code priority}, the states changed through consensus:
     * <ul>
     *   <li>no other Active replica of the shard (or the collection was just created from this snapshot, so the
     *       others hold nothing), or {@code no_sync}: the data is replaced and the replica made Active;</li>
     *   <li>{@code snapshot}: the data is replaced, the replica made Active, and every other readable replica marked
     *       Dead, so the repair task re-copies it from this one;</li>
     *   <li>{@code replica} with another Active replica: the replica is marked Dead, and the repair task re-copies it
     *       from the shard's ordering replica. Its data is not swapped first, as Qdrant does, since the transfer
     *       empties its target anyway; this way no read or write reaches the snapshot's data meanwhile.</li>
     * </ul>
     * Writes this node orders for the shard wait during the swap; writes forwarded to it meanwhile fail and the
     * orderer marks it Dead, which the priority then settles as above.
     */
    private void recover(String collection, int shard, URI location, String expectedSha256OrNull,
            SnapshotPriority priority, Path snapshotsDir, int archiveShardId, boolean othersAreEmpty) {
        CollectionMetadata c = dataPlane.collection(collection);
        ReplicaState before = c.shards().state(shard, self);
        boolean otherActive = !othersAreEmpty && c.shards().replicas(shard).entrySet().stream()
                .anyMatch(r -> r.getKey() != self && r.getValue() == ReplicaState.Active);
        if (priority == SnapshotPriority.REPLICA && otherActive) {
            if (before != ReplicaState.Dead) {
                propose(new MetadataOperation.SetReplicaState(collection, shard, self, ReplicaState.Dead, before));
            }
            LOG.info("peer {}: replica of shard {} of `{}` marked Dead to be re-synced from an Active replica "
                    + "(priority replica)", self, shard, collection);
            return;
        }
        Collection replica = dataPlane.localReplica(collection, shard);
        dataPlane.underShardLock(collection, shard, () -> {
            replica.recoverShardSnapshot(0, location, expectedSha256OrNull, snapshotsDir, archiveShardId);
            return null;
        });
        dataPlane.replicas().recovered(collection, shard);
        LOG.info("peer {}: replica of shard {} of `{}` recovered from {} (priority {})", self, shard, collection,
                location, priority);
        CollectionMetadata after = dataPlane.collection(collection);
        ReplicaState mine = after.shards().state(shard, self);
        if (mine != ReplicaState.Active && mine != null) {
            propose(new MetadataOperation.SetReplicaState(collection, shard, self, ReplicaState.Active, mine));
        }
        if (priority == SnapshotPriority.SNAPSHOT || othersAreEmpty && priority != SnapshotPriority.NO_SYNC) {
            // the snapshot is the truth: every other readable replica is overwritten by a transfer from ours
            for (Map.Entry<Long, ReplicaState> r : after.shards().replicas(shard).entrySet()) {
                if (r.getKey() != self
                        && (r.getValue() == ReplicaState.Active || r.getValue() == ReplicaState.Listener)) {
                    propose(new MetadataOperation.SetReplicaState(collection, shard, r.getKey(), ReplicaState.Dead,
                            r.getValue()));
                }
            }
        }
    }

    /**
     * Recovers every shard of a cluster collection snapshot that this node holds a replica of, creating the
     * collection (through {@code create}, with the snapshot's config, then its payload indexes through
     * {@code service}) when it does not exist. The archive is checked whole (checksum, CRC32C trailer, config
     * compatibility, the replicas it would replace) before anything changes.
     */
    void recoverCollection(String collection, URI location, String expectedSha256OrNull, SnapshotPriority priority,
            Path snapshotsDir, BiConsumer<String, CollectionConfig> create,
            Function<String, CollectionService> service) {
        SnapshotSource.Local local = SnapshotSource.fetch(location, snapshotsDir.resolve(".downloads"));
        try {
            SnapshotStore.checkSha256(local.file(), expectedSha256OrNull);
            SnapshotArchive.Header header = SnapshotArchive.readHeader(local.file());
            CollectionConfig snapshotConfig = snapshotConfig(header);
            for (int id : header.shardIds()) {
                if (id < 0 || id >= snapshotConfig.shardNumber()) {
                    throw new BadRequestException("the snapshot holds shard " + id + " of a collection of "
                            + snapshotConfig.shardNumber() + " shards");
                }
            }
            CollectionMetadata existing = dataPlane.node().metadata().collection(collection);
            boolean created = existing == null;
            if (created) {
                create.accept(collection, snapshotConfig);
                CollectionService fresh = service.apply(collection);
                DataCodec.forEachPayloadIndex(header.configJson().get("payload_schema"),
                        (field, schema) -> fresh.createPayloadIndex(field, schema, true));
            } else {
                SnapshotArchive.checkCompatible(CollectionConfig.fromJson(existing.config()), snapshotConfig);
            }
            CollectionMetadata c = dataPlane.collection(collection);
            List<Integer> mine = header.shardIds().stream()
                    .filter(id -> c.shards().hasShard(id) && c.shards().state(id, self) != null).toList();
            if (mine.isEmpty()) {
                throw new BadRequestException("the snapshot holds shards " + header.shardIds() + ", none of which peer "
                        + self + " stores for collection `" + collection + "`");
            }
            for (int shard : mine) {
                requireRecoverable(c, shard);
            }
            URI file = local.file().toUri();
            for (int shard : mine) {
                recover(collection, shard, file, null, priority, snapshotsDir, shard, created);
            }
        } finally {
            deleteIfTemporary(local);
        }
    }

    private void propose(MetadataOperation op) {
        try {
            dataPlane.propose(op);
        } catch (MetadataRejectedException e) {
            LOG.info("peer {}: {} not applied: {}", self, op, e.getMessage());
        } catch (ClusterException e) {
            if (e.kind() == Kind.BAD_REQUEST) {
                LOG.info("peer {}: {} not applied: {}", self, op, e.getMessage());
                return;
            }
            throw e;
        }
    }
}
