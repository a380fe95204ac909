package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.AliasAction;
import io.quiver.engine.Aliases;
import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.Quiver;
import io.quiver.engine.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The collections of a cluster node: creation, config changes and deletion go through consensus; a
 * {@link MetadataListener} keeps this node's shard replicas (engine collections {@code <collection>~<shardId>} in the
 * replica store) in line with the metadata; a repair task (every {@link #REPAIR_INTERVAL}) recovers Dead replicas of
 * the shards this node orders by a shard transfer. It installs itself as the node's data-plane handler. Threadsafe.
 */
public final class ClusterCollectionCatalog implements CollectionCatalog, MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCollectionCatalog.class);
    static final Duration REPAIR_INTERVAL = Duration.ofMillis(500);

    private final ClusterNode node;
    private final long peerId;
    private final LocalReplicas replicas;
    private final DataPlane dataPlane;
    private final ScheduledExecutorService repair;
    private final java.util.Set<Map.Entry<String, Integer>> distrusted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** The last repair round's failure (repair thread only), so that a new kind of failure is logged once at INFO. */
    private String lastRepairFailure;
    private final java.util.concurrent.CompletableFuture<Void> startupCheck;

    /**
     * Opens the catalog of {@code node}: reconciles the replica store with the current metadata, starts serving
     * data-plane messages and the repair task. With {@code distrustLocalReplicas}, once the node is registered, every
     * Active (or Listener) local replica whose shard has another Active replica that answers a ping is marked Dead,
     * so it is brought up to date by a transfer (use it when the node restarts: writes may have gone on without it, or it may hold a write it applied
     * as ordering replica but never replicated).
     */
    public ClusterCollectionCatalog(ClusterNode node, Quiver replicaStore, long peerId, boolean distrustLocalReplicas) {
        if (peerId != node.peerId()) {
            throw new IllegalArgumentException("peer id " + peerId + " is not the node's " + node.peerId());
        }
        this.node = node;
        this.peerId = peerId;
        this.replicas = new LocalReplicas(replicaStore, node.storageDir().resolve(LocalReplicas.REGISTRY_FILE));
        this.dataPlane = new DataPlane(node, replicas);
        node.addListener(this);
        replicas.reconcile(node.metadata(), peerId);
        node.setDataHandler(dataPlane::handle);
        this.repair = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("repair-" + peerId).factory());
        this.startupCheck = distrustLocalReplicas
                ? java.util.concurrent.CompletableFuture.runAsync(this::distrustLocalReplicas, repair)
                : java.util.concurrent.CompletableFuture.completedFuture(null);
        repair.scheduleWithFixedDelay(this::repairOnce, REPAIR_INTERVAL.toMillis(), REPAIR_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** {@code new ClusterCollectionCatalog(node, replicaStore, peerId, true)}: a server (re)start. */
    public ClusterCollectionCatalog(ClusterNode node, Quiver replicaStore, long peerId) {
        this(node, replicaStore, peerId, true);
    }

    // ---------------------------------------------------------------- CollectionCatalog

    @Override
    public void create(String name, CollectionConfig config) {
        // the replicas are engine collections "<name>~<shardId>", which must stay within the engine's 255 characters
        int maxLength = 255 - 1 - Integer.toString(Math.max(0, config.shardNumber() - 1)).length();
        if (name == null || name.isEmpty() || name.length() > maxLength || name.indexOf(LocalReplicas.SEPARATOR) >= 0
                || name.chars().anyMatch(ch -> ch == '/' || ch == '\\' || ch < 32)) {
            throw new ValidationException(List.of("collection_name: value " + name + " invalid, must be 1 to "
                    + maxLength + " characters without /, \\, ~ or control characters"));
        }
        if (node.metadata().collection(name) != null) {
            throw new AlreadyExistsException(name);
        }
        if (node.metadata().aliases().collectionOf(name) != null) {
            throw new BadRequestException("Can't create collection with name " + name
                    + ". Alias with the same name already exists");
        }
        var placement = ShardPlacement.place(committedMetadata(), config.shardNumber(), config.replicationFactor());
        try {
            proposeAndWait(MetadataOperation.CreateCollection.of(name, config.toJson(), placement));
        } catch (ClusterException e) {
            throw typed(e, name);
        }
    }

    /**
     * The metadata as of the leader's commit index, for a placement over every peer that has joined: this node's own
     * view lags by a heartbeat, and a node that just joined may not yet see its own arrival. The local view when no
     * leader confirms in time (the proposal then fails on its own).
     */
    private ClusterMetadata committedMetadata() {
        try {
            return node.metadataLinearizable().get();
        } catch (ExecutionException e) {
            return node.metadata();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return node.metadata();
        }
    }

    /** Qdrant's default: the number of peers in the cluster, Listener peers included ({@code peer_count}). */
    @Override
    public int defaultShardNumber() {
        return Math.max(1, node.metadata().peers().size());
    }

    @Override
    public void update(String name, JsonNode patch) {
        CollectionMetadata c = node.metadata().collection(name);
        if (c == null) {
            throw NotFoundException.collection(name);
        }
        CollectionConfig next = CollectionConfig.fromJson(c.config()).applyUpdate(patch);
        try {
            proposeAndWait(new MetadataOperation.UpdateCollectionConfig(name, mergePatchTo(c.config(), next.toJson())));
        } catch (ClusterException e) {
            throw typed(e, name);
        }
    }

    /**
     * The RFC 7386 merge patch that turns {@code before} into {@code after}: {@code after} plus a null for every key
     * it no longer has (e.g. a vector's quantization_config dropped by "Disabled", which toJson leaves out).
     */
    static ObjectNode mergePatchTo(JsonNode before, ObjectNode after) {
        ObjectNode patch = after.deepCopy();
        before.properties().forEach(e -> {
            JsonNode now = after.get(e.getKey());
            if (now == null) {
                patch.putNull(e.getKey());
            } else if (now instanceof ObjectNode nowObject && e.getValue().isObject()) {
                patch.set(e.getKey(), mergePatchTo(e.getValue(), nowObject));
            }
        });
        return patch;
    }

    @Override
    public boolean delete(String name) {
        if (node.metadata().collection(name) == null) {
            return false;
        }
        try {
            proposeAndWait(new MetadataOperation.DeleteCollection(name));
            return true;
        } catch (ClusterException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(node.metadata().collections().keySet());
    }

    /**
     * The collection's service. When this node's metadata does not have the collection it first catches up with the
     * leader (a ReadIndex read, at most 2 s), so a collection created through another node is found here at once.
     */
    @Override
    public Optional<CollectionService> find(String name) {
        if (node.metadata().collection(name) == null) {
            catchUp();
        }
        return node.metadata().collection(name) == null ? Optional.empty()
                : Optional.of(new ClusterCollectionService(name, dataPlane));
    }

    /**
     * {@link #find} through an alias first; a name this node knows neither as an alias nor as a collection first
     * catches up with the leader (as {@link #find}), so an alias made through another node resolves here at once.
     */
    @Override
    public Optional<CollectionService> resolve(String nameOrAlias) {
        ClusterMetadata metadata = node.metadata();
        if (metadata.aliases().collectionOf(nameOrAlias) == null && metadata.collection(nameOrAlias) == null) {
            catchUp();
            metadata = node.metadata();
        }
        String target = metadata.aliases().collectionOf(nameOrAlias);
        String name = target != null ? target : nameOrAlias;
        return metadata.collection(name) == null ? Optional.empty()
                : Optional.of(new ClusterCollectionService(name, dataPlane));
    }

    /** Waits (at most 2 s) until this node has applied everything committed before now (a ReadIndex read). */
    private void catchUp() {
        try {
            node.metadataLinearizable().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("peer {}: no linearizable metadata read: {}", peerId, e.toString());
        }
    }

    /**
     * Proposes the actions as one {@link MetadataOperation.UpdateAliases}; every node applies it in log order, all or
     * nothing. A rejection is the {@link MetadataRejectedException} with Qdrant's status (404, 409) and text.
     */
    @Override
    public void updateAliases(List<AliasAction> actions) {
        proposeAndWait(new MetadataOperation.UpdateAliases(actions));
    }

    @Override
    public Aliases aliases() {
        return node.metadata().aliases();
    }

    /**
     * Ready once the start-up check of the local replicas has run (replicas that may have missed writes or lost
     * their data are then marked for recovery, so none of them answers as if it were up to date).
     */
    @Override
    public boolean ready() {
        return startupCheck.isDone();
    }

    @Override
    public long localSearchCount() {
        return dataPlane.localSearchCount();
    }

    /** Recovers the shards of a snapshot that this node stores; see {@link ClusterSnapshots#recoverCollection}. */
    @Override
    public void recoverSnapshot(String name, java.net.URI location, String expectedSha256OrNull,
            SnapshotPriority priority, java.nio.file.Path snapshotsDir) {
        try {
            new ClusterSnapshots(dataPlane).recoverCollection(name, location, expectedSha256OrNull, priority,
                    snapshotsDir, this::create, created -> new ClusterCollectionService(created, dataPlane));
        } catch (ClusterException e) {
            throw typed(e, name);
        }
    }

    /** Stops the repair task and the data plane, and closes the replica store (not the node). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.setDataHandler(null);
        repair.shutdownNow();
        dataPlane.close();
        replicas.store().close();
    }

    // ---------------------------------------------------------------- POST /collections/{c}/cluster

    /**
     * Qdrant's cluster operations on a collection: {@code move_shard}, {@code replicate_shard} (both
     * {@code {"shard_id","from_peer_id","to_peer_id","method"?}}; method {@code stream_records} (default) or
     * {@code snapshot}),
     * {@code drop_replica} ({@code {"shard_id","peer_id"}}) and {@code abort_transfer}
     * ({@code {"shard_id","from_peer_id","to_peer_id"}}). A transfer is streamed by the shard's ordering replica and
     * shows in {@code shard_transfers} until it ends; this returns once it has started. Answers {@code true}.
     */
    public boolean clusterOperation(String collection, JsonNode body) {
        CollectionMetadata c = node.metadata().collection(collection);
        if (c == null) {
            throw NotFoundException.collection(collection);
        }
        if (body == null || !body.isObject() || body.size() != 1) {
            throw new BadRequestException("Format error in JSON body: expected one of move_shard, replicate_shard, "
                    + "drop_replica, abort_transfer");
        }
        String op = body.fieldNames().next();
        JsonNode args = body.get(op);
        int shard = requiredInt(args, "shard_id");
        if (!c.shards().hasShard(shard)) {
            throw new BadRequestException("Shard " + shard + " does not exist");
        }
        try {
            switch (op) {
                case "move_shard", "replicate_shard" -> {
                    String method = args.path("method").asText("stream_records");
                    if (!method.equals("stream_records") && !method.equals(SnapshotShardTransfer.METHOD)) {
                        throw new BadRequestException("transfer method " + method + " is not supported "
                                + "(stream_records or snapshot)");
                    }
                    long from = requiredLong(args, "from_peer_id");
                    long to = requiredLong(args, "to_peer_id");
                    ReplicaState source = c.shards().state(shard, from);
                    boolean fromListener = source == ReplicaState.Listener && DataPlane.activeCount(c, shard) == 0;
                    if (source != ReplicaState.Active && !fromListener) {
                        throw new BadRequestException("Shard " + shard + " on peer " + from + " is not active (state "
                                + source + ")" + (source == ReplicaState.Listener ? " (a Listener replica is a transfer source only "
                                        + "when its shard has no Active replica left)" : ""));
                    }
                    if (node.metadata().peer(to) == null) {
                        throw new BadRequestException("Peer " + to + " does not exist");
                    }
                    if (c.shards().state(shard, to) != null && c.shards().state(shard, to) != ReplicaState.Dead) {
                        throw new BadRequestException("Peer " + to + " already has a replica of shard " + shard);
                    }
                    if (fromListener) {
                        ObjectNode msg = DataPlane.message(collection, shard).put("from", from).put("to", to)
                                .put("sync", op.equals("replicate_shard")).put("method", method);
                        dataPlane.call(from, "transfer", msg, DataPlane.RPC_TIMEOUT);
                    } else {
                        startTransferOnOrderer(collection, shard, from, to, op.equals("replicate_shard"), method);
                    }
                }
                case "drop_replica" -> {
                    long peer = requiredLong(args, "peer_id");
                    SortedMap<Long, ReplicaState> replicas = c.shards().replicas(shard);
                    if (replicas.size() > 1 && ClusterMetadata.isLastSourceOfTruth(replicas, peer)) {
                        throw new BadRequestException(ClusterMetadata.lastActiveMessage(shard, peer));
                    }
                    proposeAndWait(new MetadataOperation.DropReplica(collection, shard, peer));
                }
                case "abort_transfer" -> proposeAndWait(new MetadataOperation.AbortTransfer(collection, shard,
                        requiredLong(args, "from_peer_id"), requiredLong(args, "to_peer_id")));
                default -> throw new BadRequestException("Format error in JSON body: unknown cluster operation " + op);
            }
        } catch (ClusterException e) {
            throw typed(e, collection);
        }
        return true;
    }

    private void startTransferOnOrderer(String collection, int shard, long from, long to, boolean sync,
            String method) {
        long deadline = System.nanoTime() + DataPlane.RETRY_WINDOW.toNanos();
        while (true) {
            Long orderer = DataPlane.orderer(dataPlane.collection(collection), shard);
            if (orderer == null) {
                throw new ClusterException(Kind.UNAVAILABLE, "No active replica of shard " + shard);
            }
            try {
                ObjectNode msg = DataPlane.message(collection, shard).put("from", from).put("to", to).put("sync", sync)
                        .put("method", method);
                dataPlane.call(orderer, "transfer", msg, DataPlane.RPC_TIMEOUT);
                return;
            } catch (DataPlane.NotOrdererException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Deadlines.sleep(50);
            } catch (ClusterException e) {
                // retried only while the ordering replica itself does not answer: an orderer that answers and
                // fails (e.g. the target peer is down) would fail the same way again
                if (e.kind() != Kind.UNAVAILABLE || System.nanoTime() > deadline || dataPlane.reachable(orderer)) {
                    throw e;
                }
                Deadlines.sleep(100);
            }
        }
    }

    /**
     * A shard id as Qdrant's serde reads a {@code u32}: an integer in {@code 0..2^32-1}, else a 400 naming the bad
     * value (never truncated or wrapped). Ids above Java's int range are valid u32 values no shard can have.
     */
    static int requiredInt(JsonNode args, String field) {
        JsonNode v = requiredIntegral(args, field, "u32");
        if (!v.canConvertToLong() || v.asLong() < 0 || v.asLong() > 0xFFFF_FFFFL) {
            throw invalidValue(field, v, "u32");
        }
        if (!v.canConvertToInt()) {
            throw new BadRequestException("Shard " + v.asText() + " does not exist");
        }
        return v.asInt();
    }

    /**
     * A peer id: Qdrant's {@code u64}, which Quiver keeps in a Java long, so an integer in {@code 0..2^63-1}; anything
     * else is a 400 naming the value (a larger u64 can name no Quiver peer and is refused rather than wrapped).
     */
    static long requiredLong(JsonNode args, String field) {
        JsonNode v = requiredIntegral(args, field, "u64");
        if (!v.canConvertToLong() || v.asLong() < 0) {
            throw invalidValue(field, v, "a peer id in 0.." + Long.MAX_VALUE);
        }
        return v.asLong();
    }

    private static JsonNode requiredIntegral(JsonNode args, String field, String expected) {
        JsonNode v = args == null ? null : args.get(field);
        if (v == null || v.isNull()) {
            throw new BadRequestException("Format error in JSON body: missing field `" + field + "`");
        }
        if (!v.isIntegralNumber()) {
            String type = v.isNumber() ? "floating point `" + v.asText() + "`" : v.getNodeType().name().toLowerCase()
                    + " " + v;
            throw new BadRequestException("Format error in JSON body: " + field + ": invalid type: " + type
                    + ", expected " + expected);
        }
        return v;
    }

    private static BadRequestException invalidValue(String field, JsonNode v, String expected) {
        return new BadRequestException("Format error in JSON body: " + field + ": invalid value: integer `" + v.asText()
                + "`, expected " + expected);
    }

    /** A cluster failure as the engine's typed exception where a client sees one (404, 400, 409). */
    private static RuntimeException typed(ClusterException e, String collection) {
        return switch (e.kind()) {
            case NOT_FOUND -> new NotFoundException(e.getMessage());
            case BAD_REQUEST, NOT_ALLOWED -> new BadRequestException(e.getMessage());
            case CONFLICT -> new AlreadyExistsException(collection);
            default -> e;
        };
    }

    private void proposeAndWait(MetadataOperation operation) {
        try {
            node.propose(operation).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        } catch (TimeoutException e) {
            throw new ClusterException(Kind.TIMEOUT, "consensus did not apply the operation in time");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClusterException ce) {
                throw ce;
            }
            throw new ClusterException(Kind.INTERNAL, String.valueOf(e.getCause()));
        }
    }

    // ---------------------------------------------------------------- metadata listener and repair

    @Override
    public void onApplied(long index, MetadataOperation op, ClusterMetadata before, ClusterMetadata after) {
        if (closed) {
            return;
        }
        switch (op) {
            case MetadataOperation.AddPeer p -> {
                return;
            }
            case MetadataOperation.UpdateAliases a -> {
                return; // no replica changes
            }
            default -> {
            }
        }
        try {
            replicas.reconcile(after, peerId);
        } catch (RuntimeException e) {
            LOG.error("peer {}: cannot bring the local replicas in line with entry {}: {}", peerId, index, e.toString());
        }
    }

    @Override
    public void onReset(long index, ClusterMetadata state) {
        if (closed) {
            return;
        }
        try {
            replicas.reconcile(state, peerId);
        } catch (RuntimeException e) {
            LOG.error("peer {}: cannot bring the local replicas in line with snapshot {}: {}", peerId, index, e.toString());
        }
    }

    private void repairOnce() {
        if (closed) {
            return;
        }
        try {
            reinstateDistrusted();
            followNodeType();
            dataPlane.transfers().repairOnce();
            lastRepairFailure = null;
        } catch (ClusterException e) {
            // expected while there is no leader or a peer is away: each new kind is told once, repeats stay at DEBUG
            String failure = e.toString();
            if (!failure.equals(lastRepairFailure)) {
                LOG.info("peer {}: repair round failed: {}", peerId, failure);
            } else {
                LOG.debug("peer {}: repair round failed: {}", peerId, failure);
            }
            lastRepairFailure = failure;
        } catch (Throwable e) {
            // never let the periodic task die (a scheduled task that throws is not run again)
            LOG.warn("peer {}: repair round failed", peerId, e);
        }
    }

    /**
     * When nodes restarting at the same time have all marked their replicas of a shard Dead, none is left to recover
     * from; every one of them held each acknowledged write, so they become Active again.
     */
    private void reinstateDistrusted() {
        ClusterMetadata metadata = node.metadata();
        for (Map.Entry<String, Integer> key : distrusted) {
            CollectionMetadata c = metadata.collection(key.getKey());
            if (c == null || !c.shards().hasShard(key.getValue()) || c.shards().state(key.getValue(), peerId) != ReplicaState.Dead) {
                distrusted.remove(key);
            } else if (DataPlane.activeCount(c, key.getValue()) == 0) {
                LOG.info("peer {}: no active replica of shard {} of `{}` left; reinstating ours", peerId, key.getValue(), c.name());
                dataPlane.propose(new MetadataOperation.SetReplicaState(c.name(), key.getValue(), peerId, ReplicaState.Active,
                        ReplicaState.Dead));
                distrusted.remove(key);
            }
        }
    }

    /**
     * Qdrant's Listener node rule: on a Listener node, an Active replica that is not its shard's last Active one
     * becomes Listener; on a Normal node, a Listener replica (which may have missed writes: its failures are
     * ignored) becomes Dead and is recovered by a transfer to Active.
     */
    private void followNodeType() {
        ClusterMetadata metadata = node.metadata();
        PeerInfo me = metadata.peer(peerId);
        if (me == null) {
            return;
        }
        for (CollectionMetadata c : metadata.collections().values()) {
            for (Map.Entry<Integer, java.util.SortedMap<Long, ReplicaState>> shard : c.shards().asMap().entrySet()) {
                ReplicaState state = shard.getValue().get(peerId);
                if (me.nodeType() == NodeType.Listener && state == ReplicaState.Active
                        && DataPlane.activeCount(c, shard.getKey()) > 1) {
                    dataPlane.propose(new MetadataOperation.SetReplicaState(c.name(), shard.getKey(), peerId,
                            ReplicaState.Listener, ReplicaState.Active));
                } else if (me.nodeType() == NodeType.Normal && state == ReplicaState.Listener) {
                    dataPlane.propose(new MetadataOperation.SetReplicaState(c.name(), shard.getKey(), peerId,
                            ReplicaState.Dead, ReplicaState.Listener));
                }
            }
        }
    }

    private void distrustLocalReplicas() {
        try {
            node.ready().get(60, TimeUnit.SECONDS);
            ClusterMetadata metadata = node.metadataLinearizable().get(30, TimeUnit.SECONDS);
            for (CollectionMetadata c : metadata.collections().values()) {
                for (Map.Entry<Integer, java.util.SortedMap<Long, ReplicaState>> shard : c.shards().asMap().entrySet()) {
                    ReplicaState state = shard.getValue().get(peerId);
                    if (replicas.isLost(c.name(), shard.getKey())) {
                        markLost(c.name(), shard.getKey(), state);
                        continue;
                    }
                    if (!replicas.presentAtOpen(c.name(), shard.getKey())) {
                        continue; // created since this node opened: it missed no write without being marked Dead
                    }
                    // only when another Active replica answers: it will be the source of the transfer
                    boolean otherActiveUp = shard.getValue().entrySet().stream().anyMatch(r -> r.getKey() != peerId
                            && r.getValue() == ReplicaState.Active && dataPlane.reachable(r.getKey()));
                    if ((state == ReplicaState.Active || state == ReplicaState.Listener) && otherActiveUp) {
                        try {
                            if (state == ReplicaState.Active) {
                                distrusted.add(Map.entry(c.name(), shard.getKey()));
                            }
                            dataPlane.propose(new MetadataOperation.SetReplicaState(c.name(), shard.getKey(), peerId,
                                    ReplicaState.Dead, state));
                        } catch (ClusterException e) {
                            LOG.info("peer {}: replica of shard {} of `{}` not marked for recovery: {}", peerId,
                                    shard.getKey(), c.name(), e.getMessage());
                        }
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("peer {}: cannot check the local replicas after start: {}", peerId, e.toString());
        }
    }

    /**
     * A replica whose data vanished while the node was down is marked Dead whatever the other replicas' states, even
     * when it was its shard's last Active one: an empty replica must never answer for the data it lost. It comes
     * back by a transfer from an Active replica (automatic) or, when none is left, by an explicit
     * {@code replicate_shard} from a Listener replica or a snapshot recovery.
     */
    private void markLost(String collection, int shard, ReplicaState state) {
        if (state == null || state == ReplicaState.Dead) {
            return;
        }
        LOG.warn("peer {}: replica of shard {} of `{}` lost its data; marking it Dead", peerId, shard, collection);
        try {
            dataPlane.propose(new MetadataOperation.SetReplicaState(collection, shard, peerId, ReplicaState.Dead, state));
        } catch (ClusterException e) {
            LOG.warn("peer {}: cannot mark the lost replica of shard {} of `{}` Dead: {}", peerId, shard, collection,
                    e.getMessage());
        }
    }

    /** The data plane (tests). */
    DataPlane dataPlane() {
        return dataPlane;
    }
}
