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
     * only shard), then applies {@code priority}. Writes this node orders for the shard wait meanwhile.
     */
    void recoverShard(String collection, int shard, URI location, String expectedSha256OrNull,
            SnapshotPriority priority, Path snapshotsDir, int archiveShardId) {
        CollectionMetadata c = dataPlane.collection(collection);
        requireShard(c, shard);
        if (c.shards().state(shard, self) == null) {
            throw new BadRequestException("Peer " + self + " holds no replica of shard " + shard + " of collection `"
                    + collection + "`");
        }
        Collection replica = dataPlane.localReplica(collection, shard);
        dataPlane.underShardLock(collection, shard, () -> {
            replica.recoverShardSnapshot(0, location, expectedSha256OrNull, snapshotsDir, archiveShardId);
            return null;
        });
        dataPlane.replicas().recovered(collection, shard);
        LOG.info("peer {}: replica of shard {} of `{}` recovered from {} (priority {})", self, shard, collection,
                location, priority);
        applyPriority(collection, shard, priority);
    }

    /**
     * Recovers every shard of a cluster collection snapshot that this node holds a replica of, creating the
     * collection (through {@code create}, with the snapshot's config) when it does not exist.
     */
    void recoverCollection(String collection, URI location, String expectedSha256OrNull, SnapshotPriority priority,
            Path snapshotsDir, BiConsumer<String, CollectionConfig> create) {
        SnapshotSource.Local local = SnapshotSource.fetch(location, snapshotsDir.resolve(".downloads"));
        try {
            SnapshotStore.checkSha256(local.file(), expectedSha256OrNull);
            SnapshotArchive.Header header = SnapshotArchive.readHeader(local.file());
            if (!header.configJson().has("config")) {
                throw new BadRequestException("the snapshot's config.json is not a Quiver collection config");
            }
            CollectionConfig snapshotConfig = CollectionConfig.fromJson(header.configJson().get("config"));
            CollectionMetadata existing = dataPlane.node().metadata().collection(collection);
            if (existing == null) {
                create.accept(collection, snapshotConfig);
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
            URI file = local.file().toUri();
            for (int shard : mine) {
                recoverShard(collection, shard, file, null, priority, snapshotsDir, shard);
            }
        } finally {
            if (local.temporary()) {
                try {
                    Files.deleteIfExists(local.file());
                } catch (IOException e) {
                    LOG.warn("cannot delete the downloaded snapshot {}", local.file(), e);
                }
            }
        }
    }

    /** Brings the replica states in line with the recovery's priority (see {@link SnapshotPriority}). */
    private void applyPriority(String collection, int shard, SnapshotPriority priority) {
        if (priority == SnapshotPriority.NO_SYNC) {
            return;
        }
        CollectionMetadata c = dataPlane.collection(collection);
        ReplicaState mine = c.shards().state(shard, self);
        boolean otherActive = c.shards().replicas(shard).entrySet().stream()
                .anyMatch(r -> r.getKey() != self && r.getValue() == ReplicaState.Active);
        if (priority == SnapshotPriority.REPLICA && otherActive) {
            // the other replicas are the truth: ours is brought back in line by a transfer from them
            if (mine == ReplicaState.Active || mine == ReplicaState.Listener) {
                propose(new MetadataOperation.SetReplicaState(collection, shard, self, ReplicaState.Dead, mine));
            }
            return;
        }
        if (mine != ReplicaState.Active) {
            propose(new MetadataOperation.SetReplicaState(collection, shard, self, ReplicaState.Active, mine));
        }
        if (priority == SnapshotPriority.SNAPSHOT) {
            // the snapshot is the truth: every other readable replica is overwritten by a transfer from ours
            for (Map.Entry<Long, ReplicaState> r : c.shards().replicas(shard).entrySet()) {
                if (r.getKey() != self
                        && (r.getValue() == ReplicaState.Active || r.getValue() == ReplicaState.Listener)) {
                    propose(new MetadataOperation.SetReplicaState(collection, shard, r.getKey(), ReplicaState.Dead,
                            r.getValue()));
                }
            }
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
