package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.UpdateStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data plane of one node: the peer-to-peer messages that write, read and transfer shard replicas, and the
 * ordering of each shard's writes. A shard's <em>ordering replica</em> is its first Active replica in peer-id order;
 * every write of the shard goes through it, which applies it locally and forwards it, under the shard's lock, to the
 * other Active, Partial and Listener replicas, so every replica applies the shard's writes in the same order (the
 * fsyncs of {@code wait=true} run after the lock, as a durability barrier). A replica that fails is marked Dead
 * through consensus before the write is acknowledged (never the last Active one); replicas refuse forwards from a
 * peer that is not the ordering replica in their view. Shard transfers ({@link ShardTransfers}) take the same lock
 * so that their batches and the shard's writes never interleave. {@link ReplicaWrites} sends, orders and forwards
 * the writes; {@link ReplicaReads} chooses the replicas a read asks. Threadsafe: handlers run on virtual threads;
 * per-shard ordering is a {@link ReentrantLock} per shard.
 */
final class DataPlane {
    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
    static final Duration RPC_TIMEOUT = Duration.ofSeconds(10);
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RETRY_WINDOW = Duration.ofSeconds(15);

    private final ClusterNode node;
    private final LocalReplicas replicas;
    private final long self;
    private final Map<String, ReentrantLock> shardLocks = new ConcurrentHashMap<>();
    /** Messages answered from a replica's content: refused by a replica whose data is lost (see LocalReplicas). */
    private static final Set<String> SERVES_DATA = Set.of("order", "search", "scroll", "count", "retrieve", "info");
    private final java.util.concurrent.atomic.LongAdder localSearches = new java.util.concurrent.atomic.LongAdder();
    final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    private final ShardTransfers transfers;
    private final ReplicaReads reads;
    private final ReplicaWrites writes;

    DataPlane(ClusterNode node, LocalReplicas replicas) {
        this.node = node;
        this.replicas = replicas;
        this.self = node.peerId();
        this.transfers = new ShardTransfers(this);
        this.reads = new ReplicaReads(this);
        this.writes = new ReplicaWrites(this);
    }

    /** The shard transfers this node streams or receives. */
    ShardTransfers transfers() {
        return transfers;
    }

    /** The reads of this node across a collection's shards. */
    ReplicaReads reads() {
        return reads;
    }

    ClusterNode node() {
        return node;
    }

    boolean isClosed() {
        return closed;
    }

    /** Searches this node ran on its own replicas (for any node's request): stays 0 on a Listener node. */
    long localSearchCount() {
        return localSearches.sum();
    }

    /** Runs {@code work} under the shard's write-ordering lock (no write of the shard is ordered meanwhile here). */
    <T> T underShardLock(String collection, int shard, java.util.function.Supplier<T> work) {
        ReentrantLock lock = lockOf(collection, shard);
        lock(lock);
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    LocalReplicas replicas() {
        return replicas;
    }

    void close() {
        closed = true;
        tasks.shutdownNow();
        try {
            tasks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- metadata helpers

    /**
     * The collection's metadata; when this node does not know it (it may lag the node that created it by a
     * heartbeat), after one catch-up read. NotFound otherwise.
     */
    CollectionMetadata collection(String name) {
        CollectionMetadata c = node.metadata().collection(name);
        if (c == null) {
            catchUp();
            c = node.metadata().collection(name);
        }
        if (c == null) {
            throw NotFoundException.collection(name);
        }
        return c;
    }

    /** The ordering replica of a shard: its first Active replica in peer-id order. */
    static Long orderer(CollectionMetadata c, int shard) {
        for (Map.Entry<Long, ReplicaState> r : c.shards().replicas(shard).entrySet()) {
            if (r.getValue() == ReplicaState.Active) {
                return r.getKey();
            }
        }
        return null;
    }

    static long activeCount(CollectionMetadata c, int shard) {
        return c.shards().replicas(shard).values().stream().filter(s -> s == ReplicaState.Active).count();
    }

    ReentrantLock lockOf(String collection, int shard) {
        return shardLocks.computeIfAbsent(LocalReplicas.name(collection, shard), k -> new ReentrantLock());
    }

    /** Takes a shard lock, waiting at most {@link #LOCK_TIMEOUT} (then TIMEOUT). */
    void lock(ReentrantLock lock) {
        try {
            if (!lock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ClusterException(Kind.TIMEOUT, "shard busy for " + LOCK_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }

    /**
     * This peer's replica of a shard. When the metadata places it here but this node has not applied that entry yet
     * (it lags the proposer by a heartbeat), catch up with a linearizable read first.
     */
    Collection localReplica(String collection, int shard) {
        Optional<Collection> found = replicas.find(collection, shard);
        if (found.isPresent()) {
            return found.get();
        }
        ClusterMetadata metadata;
        try {
            metadata = node.metadataLinearizable().get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new ClusterException(Kind.UNAVAILABLE, "cannot read the cluster metadata: " + e);
        }
        CollectionMetadata c = metadata.collection(collection);
        if (c == null || !c.shards().hasShard(shard) || c.shards().state(shard, self) == null) {
            throw new ClusterException(Kind.UNAVAILABLE, "peer " + self + " holds no replica of shard " + shard
                    + " of `" + collection + "`");
        }
        return replicas.ensure(collection, shard, CollectionConfig.fromJson(c.config()));
    }

    // ---------------------------------------------------------------- messaging

    /** Sends a message to a peer (or handles it here when the peer is this node) and returns the checked answer. */
    JsonNode call(long peer, String kind, ObjectNode body, Duration timeout) {
        if (peer == self) {
            return DataCodec.checked(handleJson(kind, body));
        }
        return DataCodec.checked(DataCodec.parse(node.sendData(peer, kind, DataCodec.bytes(body), timeout)));
    }

    /** The {@link ClusterNode#setDataHandler} entry point. */
    byte[] handle(String kind, byte[] body) {
        return DataCodec.bytes(handleJson(kind, DataCodec.parse(body)));
    }

    private ObjectNode handleJson(String kind, JsonNode body) {
        try {
            if (closed) {
                throw new ClusterException(Kind.UNAVAILABLE, "peer " + self + " is shutting down");
            }
            ObjectNode answer = DataCodec.JSON.objectNode();
            String collection = body.path("c").asText();
            int shard = body.path("shard").asInt();
            if (SERVES_DATA.contains(kind)) {
                requireNotLost(collection, shard);
            }
            switch (kind) {
                case "ping" -> answer.put("ok", true);
                case "order" -> {
                    UpdateResult r = writes.orderedWrite(collection, shard,
                            new ShardOperation((ObjectNode) body.get("op")), body.get("wait").asBoolean());
                    answer.put("operation_id", r.operationId()).put("completed", r.status() == UpdateStatus.COMPLETED);
                }
                case "apply" -> {
                    requireOrderer(collection, shard, body.get("from").asLong());
                    UpdateResult r = new ShardOperation((ObjectNode) body.get("op")).apply(localReplica(collection, shard),
                            body.get("wait").asBoolean(), true);
                    answer.put("operation_id", r.operationId());
                }
                case "sync" -> {
                    localReplica(collection, shard).upsert(List.of(), true);
                    answer.put("ok", true);
                }
                case "reset" -> {
                    Collection fresh = replicas.reset(collection, shard, CollectionConfig.fromJson(body.get("config")));
                    DataCodec.forEachPayloadIndex(body.get("payload_schema"),
                            (field, schema) -> fresh.createPayloadIndex(field, schema, true));
                    answer.put("ok", true);
                }
                case "search" -> {
                    localSearches.increment();
                    answer.set("hits", DataCodec.scoredJson(
                            localReplica(collection, shard).search(DataCodec.search(body.get("req")))));
                }
                case "scroll" -> {
                    ScrollResult r = localReplica(collection, shard).scroll(DataCodec.scroll(body.get("req")));
                    answer.set("points", DataCodec.recordsJson(r.points()));
                    if (r.nextPageOffsetOrNull() != null) {
                        answer.set("next", r.nextPageOffsetOrNull().toJson());
                    }
                }
                case "ordered" -> answer.set("pairs", DataCodec.orderedIdsJson(io.quiver.engine.OrderedScroll.topPairs(
                        localReplica(collection, shard), DataCodec.orderBy(body.get("order_by")),
                        DataCodec.filter(body.get("filter")), body.get("limit").asInt())));
                case "draw" -> {
                    List<io.quiver.engine.PointId> drawn = io.quiver.engine.RandomSample.drawLive(localReplica(collection, shard),
                            body.get("n").asInt(), java.util.concurrent.ThreadLocalRandom.current());
                    if (drawn != null) {
                        answer.set("ids", DataCodec.idsJson(drawn));
                    }
                }
                case "count" -> answer.put("count",
                        localReplica(collection, shard).count(DataCodec.filter(body.get("filter"))));
                case "retrieve" -> answer.set("points", DataCodec.recordsJson(localReplica(collection, shard).retrieve(
                        DataCodec.ids(body.get("ids")), DataCodec.withPayload(body.get("wp")), body.get("wv").asBoolean())));
                case "info" -> answer.set("info", localReplica(collection, shard).info().toJson());
                case "transfer" -> {
                    transfers.start(collection, shard, body.get("from").asLong(), body.get("to").asLong(),
                            body.get("sync").asBoolean(), body.path("method").asText("stream_records"));
                    answer.put("ok", true);
                }
                case "snapshot-chunk" -> {
                    transfers.bySnapshot().receiveChunk(collection, shard, body.get("from").asLong(), body);
                    answer.put("ok", true);
                }
                case "snapshot-recover" -> {
                    transfers.bySnapshot().recover(collection, shard, body.get("from").asLong(),
                            body.get("sha256").asText());
                    answer.put("ok", true);
                }
                default -> throw new ClusterException(Kind.BAD_REQUEST, "unknown data-plane message " + kind);
            }
            return answer;
        } catch (RuntimeException e) {
            if (!(e instanceof ClusterException) && !ShardOperation.isClientError(e)) {
                LOG.warn("peer {}: data-plane {} failed", self, kind, e);
            }
            return DataCodec.errorJson(e);
        } catch (java.io.IOException e) {
            LOG.warn("peer {}: data-plane {} failed", self, kind, e);
            return DataCodec.errorJson(new ClusterException(Kind.INTERNAL, e.toString()));
        }
    }

    /**
     * Fences a forwarded write: it is applied only when its sender is the shard's ordering replica in this node's
     * view (after catching up with the metadata once when the views differ), or, while the shard has no Active
     * replica, the Listener replica that streams a transfer to this node. A stale orderer's write is refused.
     */
    private void requireOrderer(String collection, int shard, long sender) {
        for (int attempt = 0; attempt < 2; attempt++) {
            CollectionMetadata c = node.metadata().collection(collection);
            Long orderer = c == null || !c.shards().hasShard(shard) ? null : orderer(c, shard);
            if (orderer != null && orderer == sender) {
                return;
            }
            if (c != null && orderer == null && c.transfers().stream().anyMatch(t -> t.matches(shard, sender, self))
                    && c.shards().state(shard, sender) == ReplicaState.Listener) {
                return; // a restore streamed from a Listener replica while the shard has no Active one
            }
            if (attempt == 0) {
                catchUp();
            }
        }
        throw new NotOrdererException("peer " + sender + " is not the ordering replica of shard " + shard
                + " of `" + collection + "` in the view of peer " + self);
    }

    /** A replica whose data was lost (see {@link LocalReplicas#isLost}) neither answers reads nor orders writes. */
    void requireNotLost(String collection, int shard) {
        if (replicas.isLost(collection, shard)) {
            throw new ClusterException(Kind.UNAVAILABLE, "the replica of shard " + shard + " of `" + collection
                    + "` on peer " + self + " lost its data and awaits recovery");
        }
    }

    static ObjectNode message(String collection, int shard) {
        return DataCodec.JSON.objectNode().put("c", collection).put("shard", shard);
    }

    // ---------------------------------------------------------------- writes

    /** A write from a client: see {@link ReplicaWrites#write}. */
    UpdateResult write(String collection, ShardOperation operation, boolean wait) {
        return writes.write(collection, operation, wait);
    }

    /** A write applied by fewer Active replicas than write_consistency_factor (not retried: 503 at once). */
    static final class WriteConsistencyException extends ClusterException {
        WriteConsistencyException(String message) {
            super(Kind.UNAVAILABLE, message);
        }
    }

    /** Raised by a peer that receives a write for a shard it does not order (any more). */
    static final class NotOrdererException extends ClusterException {
        NotOrdererException(String message) {
            super(Kind.UNAVAILABLE, message);
        }
    }

    void propose(MetadataOperation operation) {
        try {
            node.propose(operation).get(RPC_TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        } catch (TimeoutException e) {
            throw new ClusterException(Kind.TIMEOUT, "consensus did not apply " + operation + " in time");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterException ce) {
                throw ce;
            }
            throw new ClusterException(Kind.INTERNAL, String.valueOf(e.getCause()));
        }
    }

    boolean reachable(long peer) {
        return unreachableReason(peer) == null;
    }

    /** Why {@code peer} does not answer a ping within a second, or null when it does. */
    String unreachableReason(long peer) {
        try {
            call(peer, "ping", DataCodec.JSON.objectNode(), Duration.ofMillis(1000));
            return null;
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    void catchUp() {
        try {
            node.metadataLinearizable().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            Deadlines.sleep(50);
        }
    }

    static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ClusterException(Kind.INTERNAL, String.valueOf(e.getCause()));
        }
    }
}
