package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.Point;
import io.quiver.engine.Record;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.WithPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shard transfers of one node: starting them (on the shard's ordering replica, or on a Listener replica when its
 * shard has no Active one), streaming a replica's points batch by batch under the shard's lock
 * ({@code stream_records}) or handing over to {@link SnapshotShardTransfer} ({@code snapshot}), aborting orphaned
 * ones, and the periodic repair that recovers Dead replicas by transfers. Threadsafe: each transfer streams on one
 * data-plane task; the running set is concurrent.
 */
final class ShardTransfers {
    private static final Logger LOG = LoggerFactory.getLogger(ShardTransfers.class);
    static final int TRANSFER_BATCH = 256;

    private final DataPlane dataPlane;
    private final long self;
    private final Set<String> runningTransfers = ConcurrentHashMap.newKeySet();
    private final SnapshotShardTransfer snapshots;
    /** The last reason each peer with a Dead replica gave for not answering (repair thread only). */
    private final Map<Long, String> unreachable = new java.util.HashMap<>();

    ShardTransfers(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
        this.self = dataPlane.node().peerId();
        this.snapshots = new SnapshotShardTransfer(dataPlane, dataPlane.node().storageDir().resolve("transfers"));
    }

    /** Transfers by snapshot (source and target side). */
    SnapshotShardTransfer bySnapshot() {
        return snapshots;
    }

    /**
     * Starts a transfer of {@code shard} to {@code to}, streamed from this node's replica, which must be the shard's
     * ordering replica ({@code from} is recorded and, without {@code sync}, dropped at the end). Returns once the
     * transfer is in the metadata and the target is empty and Partial; the points stream in the background.
     */
    void start(String collection, int shard, long from, long to, boolean sync) {
        start(collection, shard, from, to, sync, "stream_records");
    }

    /** {@link #start(String, int, long, long, boolean)} by {@code stream_records} or {@code snapshot}. */
    void start(String collection, int shard, long from, long to, boolean sync, String method) {
        boolean bySnapshot = method.equals(SnapshotShardTransfer.METHOD);
        String key = LocalReplicas.name(collection, shard) + "->" + to;
        if (!runningTransfers.add(key)) {
            throw new ClusterException(Kind.BAD_REQUEST, "Shard " + shard + " is already involved in a transfer");
        }
        boolean started = false;
        try {
            ReentrantLock lock = dataPlane.lockOf(collection, shard);
            dataPlane.lock(lock);
            boolean recovery;
            java.util.concurrent.CompletableFuture<java.nio.file.Path> snapshotWritten;
            try {
                CollectionMetadata c = dataPlane.collection(collection);
                if (!isTransferSource(c, shard, from)) {
                    throw new DataPlane.NotOrdererException("peer " + self + " is not the ordering replica of shard " + shard);
                }
                recovery = c.shards().state(shard, to) == ReplicaState.Dead;
                dataPlane.propose(new MetadataOperation.StartTransfer(collection,
                        new ShardTransfer(shard, from, to, sync, bySnapshot ? SnapshotShardTransfer.METHOD
                                : "stream_records", null)));
                try {
                    ObjectNode msg = DataPlane.message(collection, shard);
                    msg.set("config", c.config());
                    // the target starts with the source's payload indexes (a replica keeps its own schema)
                    dataPlane.replicas().find(collection, shard).ifPresent(
                            source -> msg.set("payload_schema", source.info().toJson().get("payload_schema")));
                    dataPlane.call(to, "reset", msg, DataPlane.RPC_TIMEOUT);
                    snapshotWritten = bySnapshot ? snapshots.captureUnderLock(collection, shard, to) : null;
                } catch (RuntimeException e) {
                    abort(collection, shard, from, to, recovery);
                    throw e;
                }
            } finally {
                lock.unlock();
            }
            boolean wasDead = recovery;
            var written = snapshotWritten;
            dataPlane.tasks.execute(() -> {
                try {
                    if (written != null) {
                        snapshots.complete(collection, shard, from, to, wasDead, written);
                    } else {
                        streamPoints(collection, shard, from, to, wasDead);
                    }
                } finally {
                    runningTransfers.remove(key);
                }
            });
            started = true;
        } finally {
            if (!started) {
                runningTransfers.remove(key);
            }
        }
    }

    boolean transferRunning(String collection, int shard, long to) {
        return runningTransfers.contains(LocalReplicas.name(collection, shard) + "->" + to);
    }

    private void streamPoints(String collection, int shard, long from, long to, boolean recovery) {
        ReentrantLock lock = dataPlane.lockOf(collection, shard);
        io.quiver.engine.PointId offset = null;
        long streamed = 0;
        try {
            while (true) {
                dataPlane.lock(lock);
                try {
                    if (!stillRunning(collection, shard, from, to)) {
                        LOG.info("peer {}: transfer of shard {} of `{}` to {} was aborted", self, shard, collection, to);
                        return;
                    }
                    ScrollResult page = dataPlane.localReplica(collection, shard).scroll(
                            new ScrollRequest(offset, TRANSFER_BATCH, null, WithPayload.ALL, true));
                    if (!page.points().isEmpty()) {
                        List<Point> points = new ArrayList<>(page.points().size());
                        for (Record r : page.points()) {
                            points.add(new Point(r.id(), r.vectorOrNull(), r.payloadOrNull()));
                        }
                        ObjectNode msg = DataPlane.message(collection, shard).put("wait", true).put("from", self);
                        msg.set("op", ShardOperation.upsert(points).json());
                        dataPlane.call(to, "apply", msg, DataPlane.RPC_TIMEOUT);
                        streamed += points.size();
                    }
                    offset = page.nextPageOffsetOrNull();
                    if (offset == null) {
                        dataPlane.propose(new MetadataOperation.FinishTransfer(collection, shard, from, to));
                        LOG.info("peer {}: transfer of shard {} of `{}` to {} done ({} points)", self, shard,
                                collection, to, streamed);
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("peer {}: transfer of shard {} of `{}` to {} failed: {}", self, shard, collection, to, e.toString());
            try {
                abort(collection, shard, from, to, recovery);
            } catch (RuntimeException again) {
                LOG.warn("peer {}: cannot abort the transfer: {}", self, again.getMessage());
            }
        }
    }

    boolean stillRunning(String collection, int shard, long from, long to) {
        CollectionMetadata c = dataPlane.node().metadata().collection(collection);
        if (c == null || c.transfers().stream().noneMatch(t -> t.matches(shard, from, to))) {
            return false;
        }
        return isTransferSource(c, shard, from) && !dataPlane.isClosed();
    }

    /**
     * Whether this node streams a transfer of {@code shard} from {@code from}: as the shard's ordering replica (so
     * the stream and the writes it orders do not interleave), or, when the shard has no Active replica left (no write
     * can be ordered), as {@code from} itself holding a Listener replica (an explicit restore from a Listener).
     */
    boolean isTransferSource(CollectionMetadata c, int shard, long from) {
        if (dataPlane.replicas().isLost(c.name(), shard)) {
            return false; // an emptied replica must never be copied over another one
        }
        Long orderer = DataPlane.orderer(c, shard);
        if (orderer != null) {
            return orderer == self;
        }
        return from == self && c.shards().state(shard, self) == ReplicaState.Listener;
    }

    /**
     * Aborts a transfer; a recovery target (Dead before the transfer) goes back to Dead (to be recovered again), a
     * new one is removed. The target is put back only when this abort is the one that ended the transfer: if it was
     * already gone, a client's {@code abort_transfer} or {@code drop_replica} ended it and meant the target to go.
     */
    void abort(String collection, int shard, long from, long to, boolean recovery) {
        try {
            dataPlane.propose(new MetadataOperation.AbortTransfer(collection, shard, from, to));
        } catch (MetadataRejectedException e) {
            return; // no longer there: whoever ended it decided the target's fate
        }
        if (recovery) {
            CollectionMetadata c = dataPlane.node().metadata().collection(collection);
            if (c != null && c.shards().state(shard, to) == null) {
                try {
                    dataPlane.propose(new MetadataOperation.SetReplicaState(collection, shard, to, ReplicaState.Dead, null));
                } catch (MetadataRejectedException e) {
                    LOG.info("peer {}: recovery target {} of shard {} not put back: {}", self, to, shard, e.getMessage());
                }
            }
        }
    }

    /**
     * Aborts the transfers of shards this node orders that no streamer of this node runs (their streamer died or
     * was another, former, ordering replica): a synchronous one's target goes back to Dead (recovered afterwards),
     * a move's target is removed. Safe because this node registers a transfer as running before proposing it.
     */
    private void abortOrphanTransfers(ClusterMetadata metadata) {
        for (CollectionMetadata c : metadata.collections().values()) {
            for (ShardTransfer t : c.transfers()) {
                if (isTransferSource(c, t.shardId(), t.from()) && !transferRunning(c.name(), t.shardId(), t.to())) {
                    LOG.info("peer {}: aborting orphaned transfer of shard {} of `{}` to {}", self, t.shardId(), c.name(), t.to());
                    abort(c.name(), t.shardId(), t.from(), t.to(), t.sync());
                }
            }
        }
    }

    /**
     * Whether {@code peer} answers a ping; a new reason for not answering is logged once (repair thread only).
     */
    private boolean answers(long peer) {
        String reason = dataPlane.unreachableReason(peer);
        String previous = reason == null ? unreachable.remove(peer) : unreachable.put(peer, reason);
        if (reason != null && !reason.equals(previous)) {
            LOG.info("peer {}: peer {} with a Dead replica does not answer: {}", self, peer, reason);
        }
        return reason == null;
    }

    /**
     * One round of repair: for each shard this node orders, start a recovery transfer to every Dead replica whose
     * peer answers (one at a time per target).
     */
    void repairOnce() {
        ClusterMetadata metadata = dataPlane.node().metadata();
        abortOrphanTransfers(metadata);
        metadata = dataPlane.node().metadata();
        for (CollectionMetadata c : metadata.collections().values()) {
            for (int shard : c.shards().shardIds()) {
                Long orderer = DataPlane.orderer(c, shard);
                if (orderer == null || orderer != self || dataPlane.replicas().isLost(c.name(), shard)) {
                    continue;
                }
                for (Map.Entry<Long, ReplicaState> r : c.shards().replicas(shard).entrySet()) {
                    long peer = r.getKey();
                    boolean busy = c.transfers().stream().anyMatch(t -> t.shardId() == shard && (t.to() == peer));
                    if (r.getValue() == ReplicaState.Dead && !busy && !transferRunning(c.name(), shard, peer)
                            && metadata.peer(peer) != null && answers(peer)) {
                        try {
                            LOG.info("peer {}: recovering replica of shard {} of `{}` on peer {}", self, shard, c.name(), peer);
                            start(c.name(), shard, self, peer, true);
                        } catch (RuntimeException e) {
                            LOG.info("peer {}: recovery of shard {} on peer {} not started: {}", self, shard, peer, e.getMessage());
                        }
                    }
                }
            }
        }
    }
}
