package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.cluster.DataPlane.NotOrdererException;
import io.quiver.cluster.DataPlane.WriteConsistencyException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.UpdateStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writes of one node: a client's write split by shard and sent to each shard's ordering replica, and, on that
 * replica, the write applied locally and forwarded to the others under the shard's lock, a replica that missed it
 * marked Dead (the ordering rules are in {@link DataPlane}). Stateless apart from the data plane it uses; threadsafe
 * (a write's shards are written in parallel on the data plane's tasks).
 */
final class ReplicaWrites {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaWrites.class);

    private final DataPlane dataPlane;
    private final long self;

    ReplicaWrites(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
        this.self = dataPlane.node().peerId();
    }

    /**
     * A write from a client: split by shard, each part sent to its shard's ordering replica (in parallel), retried
     * within {@link DataPlane#RETRY_WINDOW} while the ordering replica changes or is unreachable (an unreachable one
     * is marked Dead when another Active replica can take over).
     */
    UpdateResult write(String collection, ShardOperation operation, boolean wait) {
        CollectionMetadata c = dataPlane.collection(collection);
        Map<Integer, ShardOperation> parts = operation.splitByShard(c.shards().shardCount());
        List<Future<Long>> futures = new ArrayList<>();
        for (Map.Entry<Integer, ShardOperation> part : parts.entrySet()) {
            futures.add(dataPlane.tasks.submit(() -> writeShard(collection, part.getKey(), part.getValue(), wait)));
        }
        long operationId = 0;
        for (Future<Long> f : futures) {
            operationId = Math.max(operationId, DataPlane.await(f));
        }
        return new UpdateResult(operationId, wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    private long writeShard(String collection, int shard, ShardOperation part, boolean wait) {
        long deadline = System.nanoTime() + DataPlane.RETRY_WINDOW.toNanos();
        ClusterException last = null;
        while (System.nanoTime() < deadline && !dataPlane.isClosed()) {
            CollectionMetadata c = dataPlane.collection(collection);
            Long orderer = DataPlane.orderer(c, shard);
            if (orderer == null) {
                last = new ClusterException(Kind.UNAVAILABLE,
                        "No active replica of shard " + shard + " of `" + collection + "`");
                Deadlines.sleep(100);
                continue;
            }
            try {
                if (orderer == self) {
                    return orderedWrite(collection, shard, part, wait).operationId();
                }
                ObjectNode msg = DataPlane.message(collection, shard).put("wait", wait);
                msg.set("op", part.json());
                return dataPlane.call(orderer, "order", msg, DataPlane.RPC_TIMEOUT).get("operation_id").asLong();
            } catch (NotOrdererException e) {
                last = e;
                dataPlane.catchUp();
            } catch (WriteConsistencyException e) {
                throw e;
            } catch (ClusterException e) {
                last = e;
                if (e.kind() == Kind.UNAVAILABLE || e.kind() == Kind.TIMEOUT) {
                    String unreachable = orderer == self ? null : dataPlane.unreachableReason(orderer);
                    if (unreachable != null) {
                        LOG.warn("peer {}: ordering replica of shard {} of `{}` on peer {} failed a write ({}) and does "
                                + "not answer ({})", self, shard, collection, orderer, e.getMessage(), unreachable);
                        markDead(collection, shard, orderer, ReplicaState.Active);
                    } else {
                        dataPlane.catchUp();
                    }
                    Deadlines.sleep(50);
                } else {
                    throw e;
                }
            }
        }
        throw last != null ? last : new ClusterException(Kind.UNAVAILABLE, "node closed");
    }

    /**
     * Orders, applies and replicates one shard's write; runs on the shard's ordering replica. Under the shard's lock
     * the write is applied locally and on the other replicas without waiting for fsyncs (so the order is fixed);
     * with {@code wait}, a durability barrier (an empty fsynced upsert, which makes every earlier record of that
     * replica's WAL durable) then runs on each replica outside the lock, so concurrent writers share fsyncs.
     */
    UpdateResult orderedWrite(String collection, int shard, ShardOperation operation, boolean wait) {
        ReentrantLock lock = dataPlane.lockOf(collection, shard);
        CollectionMetadata c;
        Collection replica;
        UpdateResult local;
        Map<Long, ReplicaState> applied;
        dataPlane.lock(lock);
        try {
            c = dataPlane.collection(collection);
            Long orderer = DataPlane.orderer(c, shard);
            if (orderer == null || orderer != self) {
                throw new NotOrdererException("peer " + self + " is not the ordering replica of shard " + shard);
            }
            dataPlane.requireNotLost(collection, shard);
            replica = dataPlane.localReplica(collection, shard);
            if (operation.cannotFailOnValidInput()) {
                // upserts (validated by the service) and deletes fail on no replica: forward while applying locally
                Forwarded forwarded = forward(c, shard, operation);
                try {
                    local = operation.apply(replica, false, false);
                } finally {
                    applied = collect(c, shard, forwarded);
                }
            } else {
                local = operation.apply(replica, false, false);
                applied = collect(c, shard, forward(c, shard, operation));
            }
        } finally {
            lock.unlock();
        }
        if (wait) {
            applied = makeDurable(c, shard, replica, applied);
        }
        int acks = 1 + (int) applied.values().stream().filter(state -> state == ReplicaState.Active).count();
        int required = Math.min(CollectionConfig.fromJson(c.config()).writeConsistencyFactor(),
                c.shards().replicas(shard).size());
        if (acks < required) {
            throw new WriteConsistencyException("Write consistency factor " + required
                    + " not reached: " + acks + " replica(s) of shard " + shard + " acknowledged");
        }
        return new UpdateResult(local.operationId(), wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /**
     * The durability barrier of {@link #orderedWrite}: here and on every replica that applied the write, except a
     * Listener replica, which acknowledges once the write is in its WAL whatever the client's {@code wait}.
     */
    private Map<Long, ReplicaState> makeDurable(CollectionMetadata c, int shard, Collection replica,
            Map<Long, ReplicaState> applied) {
        Map<Long, Future<JsonNode>> sent = new java.util.LinkedHashMap<>();
        Map<Long, ReplicaState> barrier = new java.util.LinkedHashMap<>();
        Map<Long, ReplicaState> listeners = new java.util.LinkedHashMap<>();
        ObjectNode msg = DataPlane.message(c.name(), shard);
        applied.forEach((peer, state) -> {
            if (state == ReplicaState.Listener) {
                listeners.put(peer, state);
            } else {
                barrier.put(peer, state);
                sent.put(peer, dataPlane.tasks.submit(() -> dataPlane.call(peer, "sync", msg, DataPlane.RPC_TIMEOUT)));
            }
        });
        replica.upsert(List.of(), true);
        Map<Long, ReplicaState> durable = new java.util.LinkedHashMap<>(collect(c, shard, new Forwarded(sent, barrier)));
        durable.putAll(listeners);
        return durable;
    }

    /**
     * Forwards a write to the shard's other replicas (Active, Partial, Listener) in parallel, without waiting for
     * their fsyncs; {@link #collect} waits for the answers.
     */
    private record Forwarded(Map<Long, Future<JsonNode>> sent, Map<Long, ReplicaState> states) {
    }

    private Forwarded forward(CollectionMetadata c, int shard, ShardOperation operation) {
        Map<Long, Future<JsonNode>> sent = new java.util.LinkedHashMap<>();
        Map<Long, ReplicaState> states = new java.util.HashMap<>();
        ObjectNode msg = DataPlane.message(c.name(), shard).put("wait", false).put("from", self);
        msg.set("op", operation.json());
        c.shards().replicas(shard).forEach((peer, state) -> {
            SnapshotShardTransfer.Queue queued = state == ReplicaState.Partial
                    ? dataPlane.transfers().bySnapshot().queueFor(c.name(), shard, peer) : null;
            if (queued != null) {
                queued.add(operation); // a snapshot transfer's target gets it after the snapshot
            } else if (peer != self && (state == ReplicaState.Active || state == ReplicaState.Partial
                    || state == ReplicaState.Listener)) {
                states.put(peer, state);
                sent.put(peer,
                        dataPlane.tasks.submit(() -> dataPlane.call(peer, "apply", msg, DataPlane.RPC_TIMEOUT)));
            }
        });
        return new Forwarded(sent, states);
    }

    /**
     * Waits for the answers of forwarded messages: returns the replicas that succeeded (with their state); an Active
     * one that failed is marked Dead, a Partial one has its transfer aborted, a Listener's failure is ignored.
     */
    private Map<Long, ReplicaState> collect(CollectionMetadata c, int shard, Forwarded forwarded) {
        Map<Long, Future<JsonNode>> sent = forwarded.sent();
        Map<Long, ReplicaState> states = forwarded.states();
        NotOrdererException staleOrderer = null;
        Map<Long, ReplicaState> succeeded = new java.util.LinkedHashMap<>();
        for (Map.Entry<Long, Future<JsonNode>> e : sent.entrySet()) {
            long peer = e.getKey();
            ReplicaState state = states.get(peer);
            try {
                e.getValue().get(DataPlane.RPC_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
                succeeded.put(peer, state);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
            } catch (ExecutionException | TimeoutException x) {
                if (dataPlane.isClosed()) {
                    throw new ClusterException(Kind.UNAVAILABLE, "peer " + self + " is shutting down");
                }
                if (x.getCause() instanceof NotOrdererException stale) {
                    // this node was replaced as the shard's orderer (it is Dead or no longer first Active): the
                    // write is not acknowledged, the client retries through the new orderer, and this replica is
                    // brought back by a transfer
                    staleOrderer = stale;
                    continue;
                }
                LOG.warn("peer {}: replica of shard {} of `{}` on peer {} missed a write: {}", self, shard, c.name(),
                        peer, x.getCause() == null ? x : x.getCause().getMessage());
                if (state == ReplicaState.Partial) {
                    abortTransfersTo(c.name(), shard, peer);
                } else if (state == ReplicaState.Listener) {
                    // failures of a Listener neither count nor mark it Dead (Qdrant's rule); a later
                    // SetReplicaState to Active goes through Dead and a transfer (see ClusterCollectionCatalog)
                    continue;
                } else {
                    CollectionMetadata now = dataPlane.node().metadata().collection(c.name());
                    Long orderer = now == null ? null : DataPlane.orderer(now, shard);
                    if (orderer == null || orderer != self) {
                        staleOrderer = new NotOrdererException("peer " + self + " was replaced as the ordering replica "
                                + "of shard " + shard + " during a write");
                        continue;
                    }
                    markDead(c.name(), shard, peer, state);
                }
            }
        }
        if (staleOrderer != null) {
            throw staleOrderer;
        }
        return succeeded;
    }

    /**
     * Marks a replica Dead through consensus (expecting {@code expected}), unless it is the shard's last Active
     * replica. Fails when consensus cannot be reached, so a write is never acknowledged while a replica that missed
     * it still counts as Active.
     */
    void markDead(String collection, int shard, long peer, ReplicaState expected) {
        CollectionMetadata c = dataPlane.node().metadata().collection(collection);
        if (c == null || c.shards().state(shard, peer) != expected) {
            return;
        }
        if (expected == ReplicaState.Active && DataPlane.activeCount(c, shard) <= 1) {
            throw new ClusterException(Kind.UNAVAILABLE, "the last active replica of shard " + shard + " (peer " + peer
                    + ") is unreachable");
        }
        LOG.warn("peer {}: marking replica of shard {} of `{}` on peer {} Dead", self, shard, collection, peer);
        try {
            dataPlane.propose(
                    new MetadataOperation.SetReplicaState(collection, shard, peer, ReplicaState.Dead, expected));
        } catch (MetadataRejectedException e) {
            // the state changed meanwhile (someone else marked it): fine
        }
    }

    private void abortTransfersTo(String collection, int shard, long peer) {
        CollectionMetadata c = dataPlane.node().metadata().collection(collection);
        if (c == null) {
            return;
        }
        for (ShardTransfer t : c.transfers()) {
            if (t.shardId() == shard && t.to() == peer) {
                try {
                    dataPlane.propose(new MetadataOperation.AbortTransfer(collection, shard, t.from(), t.to()));
                } catch (MetadataRejectedException e) {
                    // already finished or aborted
                }
            }
        }
    }
}
