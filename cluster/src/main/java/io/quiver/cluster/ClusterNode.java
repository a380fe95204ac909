package io.quiver.cluster;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.Replicator;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the metadata Raft group: owns this node's SOFAJRaft node, its p2p RPC server (Raft RPCs plus
 * Quiver's {@link ClusterRpc} requests) and its {@link MetadataStateMachine}. Created by {@link #start}, closed by its
 * owner. Threadsafe: every public method may be called from any thread; lifecycle changes (recover, close) are
 * serialized by one lock and the Raft node / state machine references are swapped atomically under it.
 */
public final class ClusterNode implements AutoCloseable {
    /** The Raft group id of the metadata group. */
    public static final String GROUP_ID = "quiver_metadata";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long RETRY_PAUSE_MILLIS = 50;

    private final ClusterNodeOptions options;
    private final long peerId;
    private final Endpoint endpoint;
    private final PeerId serverId;
    private final RaftDirectory raftDirectory;
    private final RpcServer rpcServer;
    private final RpcClient rpcClient;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lifecycleLock = new Object();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, SendFailures> sendFailures = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    private final AtomicBoolean snapshotByEntriesRunning = new AtomicBoolean();

    private volatile RaftGroupService raftGroup;
    private volatile Node node;
    private volatile MetadataStateMachine stateMachine = new MetadataStateMachine();
    private volatile String localStateProblem;
    private volatile boolean closed;
    private volatile java.util.function.BiFunction<String, byte[], byte[]> dataHandler;

    /** Failures of messages to one peer, as Qdrant reports them in {@code message_send_failures}. */
    private static final class SendFailures {
        long count;
        String latestError;
        Instant latestErrorTime;
    }

    private ClusterNode(ClusterNodeOptions options, long peerId) throws IOException {
        this.options = options;
        this.peerId = peerId;
        this.endpoint = new Endpoint(options.p2pHost(), options.p2pPort());
        this.serverId = new PeerId(endpoint, 0);
        this.raftDirectory = new RaftDirectory(options.storageDir().resolve("raft"), options.logStorage());
        Files.createDirectories(raftDirectory.root());
        this.rpcServer = RaftRpcServerFactory.createRaftRpcServer(endpoint);
        registerProcessors();
        boolean started;
        try {
            started = rpcServer.init(null);
        } catch (IllegalStateException e) { // bolt's "Failed to start the Server!", with the socket's reason inside
            throw portInUse(e) ? (IOException) new BindException("the p2p port " + endpoint + " (cluster.p2p.port) is "
                    + "already in use by another process").initCause(e)
                    : new IOException("cannot start the p2p server on " + endpoint + ": " + e.getMessage(), e);
        }
        if (!started) {
            throw new IOException("cannot start the p2p server on " + endpoint);
        }
        this.rpcClient = RpcFactoryHelper.rpcFactory().createRpcClient();
        RpcOptions rpcOptions = new RpcOptions();
        rpcOptions.setRpcConnectTimeoutMs(Math.max(200, options.electionTimeoutMs() / 2));
        rpcClient.init(rpcOptions);
    }

    private static boolean portInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the node: loads (or creates) the peer id, checks the local Raft state, starts the p2p server and the
     * Raft node, and, with a bootstrap URI, asks the cluster to add this node to the Raft configuration (retrying up
     * to {@link ClusterNodeOptions#joinTimeout()}). Registration of this peer in the metadata ({@code AddPeer}) then
     * goes on in the background; {@link #ready()} completes when it is done. When the local state is damaged the
     * Raft node is not started: {@link #statusJson()} reports the problem and {@link #recover()} repairs it.
     *
     * @throws IOException when the storage or the port cannot be used (a {@link BindException} when another process
     *                     holds the p2p port), or joining fails
     * @throws IllegalArgumentException when {@code uri} does not name {@code p2pHost:p2pPort}
     */
    public static ClusterNode start(ClusterNodeOptions options) throws IOException {
        Endpoint advertised = endpointOf(options.uri());
        if (!advertised.equals(new Endpoint(options.p2pHost(), options.p2pPort()))) {
            throw new IllegalArgumentException("the uri " + options.uri() + " must name this node's p2p host and port "
                    + options.p2pHost() + ":" + options.p2pPort() + " (peers reach the Raft node there)");
        }
        long peerId = PeerIdFile.loadOrCreate(options.storageDir());
        ClusterNode clusterNode = new ClusterNode(options, peerId);
        try {
            String problem = clusterNode.raftDirectory.verify();
            if (problem == null) {
                problem = clusterNode.raftDirectory.verifyLogContinuity();
            }
            if (problem != null) {
                LOG.error("peer {}: {}; the Raft node stays stopped until POST /cluster/recover", peerId, problem);
                clusterNode.localStateProblem = problem;
            } else if (clusterNode.tryStartRaft() && options.bootstrapUri() != null) {
                clusterNode.join(endpointOf(options.bootstrapUri()));
            }
            clusterNode.workers.execute(clusterNode::registerSelf);
            return clusterNode;
        } catch (IOException | RuntimeException e) {
            clusterNode.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- public API

    /** The node type this node was started with ({@code storage.node_type}). */
    NodeType nodeType() {
        return options.nodeType();
    }

    /** The node's storage directory (its peer id, Raft directory and the replica registry live there). */
    java.nio.file.Path storageDir() {
        return options.storageDir();
    }

    /** This node's stable peer id. */
    public long peerId() {
        return peerId;
    }

    /** This node's URI as recorded in the metadata. */
    public String uri() {
        return options.uri();
    }

    /** The p2p endpoint {@code host:port}. */
    public String endpoint() {
        return endpoint.toString();
    }

    /** Completes once this peer is registered (with its current uri and node type) in the replicated metadata. */
    public CompletableFuture<Void> ready() {
        return registered.copy();
    }

    /** The latest metadata applied on this node (an immutable, consistent view). */
    public ClusterMetadata metadata() {
        return stateMachine.metadata();
    }

    /**
     * A linearizable read of the metadata: SOFAJRaft's ReadIndex asks the leader for its commit index and this node
     * waits until it has applied up to it, so the view includes every change committed before the call (also on a
     * follower). Fails with {@code UNAVAILABLE} when no leader confirms in time.
     */
    public CompletableFuture<ClusterMetadata> metadataLinearizable() {
        Node current = requireRunning();
        CompletableFuture<ClusterMetadata> future = new CompletableFuture<>();
        current.readIndex(new byte[0], new ReadIndexClosure() {
            @Override
            public void run(Status status, long index, byte[] requestContext) {
                if (status.isOk()) {
                    future.complete(stateMachine.metadata());
                } else {
                    future.completeExceptionally(new ClusterException(Kind.UNAVAILABLE, "read index failed: " + status));
                }
            }
        });
        return future.orTimeout(options.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Raft index of the last metadata entry applied on this node. */
    public long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    /** Whether this node currently leads the metadata group. */
    public boolean isLeader() {
        Node current = node;
        return current != null && current.isLeader();
    }

    /** The peer id of the current leader as this node knows it, or null. */
    public Long leaderPeerId() {
        Node current = node;
        if (current == null) {
            return null;
        }
        PeerId leader = current.getLeaderId();
        return leader == null || leader.isEmpty() ? null : peerIdOf(leader.getEndpoint());
    }

    /** Registers a listener for applied changes (see {@link MetadataListener} for its threading rules). */
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
        stateMachine.addListener(listener);
    }

    /**
     * Proposes a metadata change. Forwarded to the leader when this node follows. The future completes after the
     * change is committed and applied on this node too (so {@link #metadata()} shows it), or fails with a {@link
     * MetadataRejectedException} (invalid against the current state, e.g. the collection exists) or a {@link
     * ClusterException} (no leader within {@link ClusterNodeOptions#operationTimeout()}: UNAVAILABLE / TIMEOUT).
     */
    public CompletableFuture<Void> propose(MetadataOperation operation) {
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + options.operationTimeout().toNanos();
            long index = submit(operation, deadline);
            awaitAppliedLocally(index, deadline);
        }, workers);
    }

    /** Takes a snapshot of the state machine now (the Raft log behind the previous snapshot is then truncated). */
    public CompletableFuture<Void> snapshotNow() {
        Node current = requireRunning();
        CompletableFuture<Void> future = new CompletableFuture<>();
        current.snapshot(status -> {
            if (status.isOk()) {
                future.complete(null);
            } else {
                future.completeExceptionally(new ClusterException(Kind.INTERNAL, "snapshot failed: " + status));
            }
        });
        return future;
    }

    /**
     * Replaces this follower's metadata state by a fresh snapshot of the leader: asks the leader to take a snapshot
     * and send it, stops the local Raft node, replaces the local Raft log and snapshots by the received snapshot
     * (keeping term and vote), and restarts the Raft node from it, so that its log starts right after the snapshot.
     * Works also when the local state is damaged (the leader is then found through the bootstrap peer and the peers
     * of the last readable snapshot). Completes with {@code true}; fails with a {@link ClusterException} of kind
     * {@code NOT_ALLOWED} on the leader, {@code UNAVAILABLE} when no leader answers.
     */
    public CompletableFuture<Boolean> recover() {
        return CompletableFuture.supplyAsync(() -> {
            synchronized (lifecycleLock) {
                if (closed) {
                    throw new ClusterException(Kind.UNAVAILABLE, "cluster node is closed");
                }
                if (isLeader()) {
                    throw new ClusterException(Kind.NOT_ALLOWED, "peer " + peerId + " is the leader of the metadata group; "
                            + "recover only runs on a follower (it installs the leader's snapshot)");
                }
                long deadline = System.nanoTime() + options.operationTimeout().toNanos();
                ClusterRpc.Response response = callLeader(new ClusterRpc.SnapshotRequest(), deadline, true);
                if (!response.ok) {
                    throw response.toException();
                }
                RaftDirectory.SnapshotImage image = new RaftDirectory.SnapshotImage(response.index, response.meta, response.data);
                try {
                    MetadataSnapshotFile.decode(image.data());
                    RaftDirectory.metaOf(image);
                    stopRaft();
                    raftDirectory.installReplacing(image);
                    localStateProblem = null;
                    startRaft();
                } catch (IOException e) {
                    throw new ClusterException(Kind.INTERNAL, "cannot install the leader's snapshot: " + e.getMessage(), e);
                }
                LOG.info("peer {} recovered from the leader's snapshot at index {}", peerId, image.index());
                return true;
            }
        }, workers);
    }

    /**
     * Removes a peer from the cluster: from the Raft configuration, then from the metadata. Without {@code force} it
     * fails ({@code BAD_REQUEST}, "Cannot remove peer N as there are shards on it") while the peer holds replicas;
     * with it, its replicas and transfers are dropped from the metadata. Unknown peer: {@code NOT_FOUND}.
     */
    public CompletableFuture<Void> removePeer(long removedPeerId, boolean force) {
        return CompletableFuture.runAsync(() -> {
            ClusterMetadata metadata = metadata();
            PeerInfo peer = metadata.peer(removedPeerId);
            if (peer == null) {
                throw new ClusterException(Kind.NOT_FOUND, "Peer " + removedPeerId + " is not part of the cluster");
            }
            if (!force && metadata.peerHoldsReplicas(removedPeerId)) {
                throw new ClusterException(Kind.BAD_REQUEST, "Cannot remove peer " + removedPeerId + " as there are shards on it");
            }
            long deadline = System.nanoTime() + options.operationTimeout().toNanos();
            ClusterRpc.Response response = callLeader(new ClusterRpc.RemovePeerRequest(endpointOf(peer.uri()).toString()), deadline, false);
            if (!response.ok) {
                throw response.toException();
            }
            long index = submit(new MetadataOperation.RemovePeer(removedPeerId, force), deadline);
            awaitAppliedLocally(index, deadline);
        }, workers);
    }

    /** {@code GET /cluster} in Qdrant's shape (the {@code result} part). */
    public ObjectNode statusJson() {
        ClusterMetadata metadata = metadata();
        MetadataStateMachine fsm = stateMachine;
        Node current = node;
        ObjectNode root = JSON.objectNode();
        root.put("status", "enabled");
        root.put("peer_id", peerId);
        root.put("node_type", options.nodeType().name());
        ObjectNode peers = root.putObject("peers");
        metadata.peers().forEach((id, peer) -> peers.putObject(Long.toString(id)).put("uri", peer.uri())
                .put("node_type", peer.nodeType().name()));
        if (!metadata.peers().containsKey(peerId)) {
            peers.putObject(Long.toString(peerId)).put("uri", options.uri())
                    .put("node_type", options.nodeType().name());
        }
        ObjectNode raft = root.putObject("raft_info");
        raft.put("term", fsm.term());
        long commit = current == null ? fsm.appliedIndex() : current.getLastCommittedIndex();
        long applied = current == null ? fsm.appliedIndex() : current.getLastAppliedLogIndex();
        raft.put("commit", commit);
        raft.put("pending_operations", Math.max(0, commit - applied));
        Long leader = leaderPeerId();
        if (leader == null) {
            raft.putNull("leader");
        } else {
            raft.put("leader", leader);
        }
        String role = roleOf(current);
        if (role == null) {
            raft.putNull("role");
        } else {
            raft.put("role", role);
        }
        raft.put("is_voter", currentConfiguration().getPeers().contains(serverId));
        ObjectNode thread = root.putObject("consensus_thread_status");
        String error = localStateProblem != null ? localStateProblem : fsm.error();
        if (error != null) {
            thread.put("consensus_thread_status", "stopped_with_err").put("err", error);
        } else if (current == null || closed) {
            thread.put("consensus_thread_status", "stopped");
        } else {
            thread.put("consensus_thread_status", "working").put("last_update", Instant.ofEpochMilli(fsm.lastActivityMillis()).toString());
        }
        ObjectNode failures = root.putObject("message_send_failures");
        sendFailures.forEach((uri, f) -> {
            synchronized (f) {
                ObjectNode node = failures.putObject(uri).put("count", f.count);
                node.put("latest_error", f.latestError);
                node.put("latest_error_timestamp", f.latestErrorTime == null ? null : f.latestErrorTime.toString());
            }
        });
        return root;
    }

    /**
     * {@code GET /collections/{c}/cluster} in Qdrant's shape (the {@code result} part); {@code localPointsCount}
     * gives the points count of a local shard by shard id. Unknown collection: {@link ClusterException} NOT_FOUND.
     */
    public ObjectNode collectionClusterJson(String collection, ToLongFunction<Integer> localPointsCount) {
        CollectionMetadata c = metadata().collection(collection);
        if (c == null) {
            throw new ClusterException(Kind.NOT_FOUND, "Collection `" + collection + "` doesn't exist!");
        }
        ObjectNode root = JSON.objectNode();
        root.put("peer_id", peerId);
        root.put("shard_count", c.shards().shardCount());
        ArrayNode local = root.putArray("local_shards");
        ArrayNode remote = root.putArray("remote_shards");
        c.shards().asMap().forEach((shard, replicas) -> replicas.forEach((peer, state) -> {
            if (peer == peerId) {
                local.addObject().put("shard_id", shard).put("points_count", localPointsCount.applyAsLong(shard)).put("state", state.name());
            } else {
                remote.addObject().put("shard_id", shard).put("peer_id", peer).put("state", state.name());
            }
        }));
        ArrayNode transfers = root.putArray("shard_transfers");
        c.transfers().forEach(t -> transfers.add(ClusterMetadata.transferJson(t)));
        return root;
    }

    /**
     * Sets the handler of data-plane messages ({@link ClusterRpc.DataRequest}: kind, JSON bytes in, JSON bytes out).
     * It runs on a virtual thread per message and may block. Until it is set, such messages fail UNAVAILABLE.
     */
    public void setDataHandler(java.util.function.BiFunction<String, byte[], byte[]> handler) {
        this.dataHandler = handler;
    }

    /**
     * Sends a data-plane message to a peer of the metadata and returns its answer bytes; waits at most
     * {@code timeout}. Fails with {@link ClusterException} UNAVAILABLE (unknown peer, unreachable, no handler) or
     * TIMEOUT.
     */
    public byte[] sendData(long targetPeerId, String kind, byte[] body, Duration timeout) {
        PeerInfo peer = metadata().peer(targetPeerId);
        if (peer == null) {
            throw new ClusterException(Kind.UNAVAILABLE, "peer " + targetPeerId + " is not part of the cluster");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ClusterRpc.Response response;
        try {
            response = invoke(endpointOf(peer.uri()), new ClusterRpc.DataRequest(kind, body), deadline);
        } catch (InvokeTimeoutException e) {
            throw new ClusterException(Kind.TIMEOUT, "peer " + targetPeerId + " did not answer " + kind + " in time");
        } catch (RemotingException e) {
            throw new ClusterException(Kind.UNAVAILABLE, "peer " + targetPeerId + " unreachable: " + e.getMessage());
        }
        if (!response.ok) {
            throw response.toException();
        }
        return response.data;
    }

    /** Stops the Raft node and the p2p server. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            stopRaft();
            rpcServer.shutdown();
            if (rpcClient != null) {
                rpcClient.shutdown();
            }
            workers.shutdownNow();
            registered.completeExceptionally(new ClusterException(Kind.UNAVAILABLE, "cluster node closed"));
        }
    }

    // ---------------------------------------------------------------- package-private (tests, benchmarks)

    MetadataStateMachine stateMachine() {
        return stateMachine;
    }

    Node raftNode() {
        return node;
    }

    RaftDirectory raftDirectory() {
        return raftDirectory;
    }

    // ---------------------------------------------------------------- Raft node lifecycle

    /**
     * Starts the Raft node; when SOFAJRaft cannot open the local state (e.g. its log no longer connects to a
     * snapshot), records the problem and leaves the node stopped for {@link #recover()}. Returns whether it runs.
     */
    private boolean tryStartRaft() {
        try {
            startRaft();
            return true;
        } catch (IOException | RuntimeException e) {
            String problem = localStateProblem != null ? localStateProblem : e.getMessage();
            LOG.error("peer {}: cannot start the metadata Raft node ({}); it stays stopped until POST /cluster/recover", peerId, problem);
            localStateProblem = "cannot start the metadata Raft node: " + problem;
            return false;
        }
    }

    private void startRaft() throws IOException {
        MetadataStateMachine fsm = new MetadataStateMachine();
        listeners.forEach(fsm::addListener);
        if (options.snapshotEveryEntries() > 0) {
            fsm.addListener((index, operation, before, after) -> snapshotIfEnoughEntries(fsm));
        }
        NodeOptions nodeOptions = new NodeOptions();
        nodeOptions.setElectionTimeoutMs(options.electionTimeoutMs());
        nodeOptions.setSnapshotIntervalSecs(options.snapshotIntervalSecs());
        nodeOptions.setFsm(fsm);
        nodeOptions.setServiceFactory(new QuiverRaftServiceFactory(options.logStorage()));
        RaftOptions raftOptions = new RaftOptions();
        // SOFAJRaft adds a random 0..maxElectionDelay to the election timeout; half of it keeps fail-over near 1.5x.
        raftOptions.setMaxElectionDelayMs(Math.max(50, options.electionTimeoutMs() / 2));
        raftOptions.setEnableLogEntryChecksum(true);
        // Followers learn the commit index from the next AppendEntries; a proposal forwarded by a follower waits for it
        // (read-your-writes), so heartbeats every ~25 ms (instead of election timeout / 10) bound that wait.
        raftOptions.setElectionHeartbeatFactor(Math.max(10, options.electionTimeoutMs() / 25));
        nodeOptions.setRaftOptions(raftOptions);
        Files.createDirectories(raftDirectory.root());
        nodeOptions.setLogUri(raftDirectory.logDir().toString());
        nodeOptions.setRaftMetaUri(raftDirectory.metaDir().toString());
        nodeOptions.setSnapshotUri(raftDirectory.snapshotDir().toString());
        nodeOptions.setSharedElectionTimer(true);
        nodeOptions.setSharedVoteTimer(true);
        nodeOptions.setSharedStepDownTimer(true);
        nodeOptions.setSharedSnapshotTimer(true);
        nodeOptions.setSharedTimerPool(true);
        if (options.bootstrapUri() == null) {
            // Only read by SOFAJRaft when the log and snapshots are empty: a fresh first node forms a cluster of one.
            nodeOptions.setInitialConf(new Configuration(List.of(serverId)));
        }
        RaftGroupService group = new RaftGroupService(GROUP_ID, serverId, nodeOptions, rpcServer, true);
        Node started;
        try {
            started = group.start(false);
        } catch (IllegalStateException e) {
            started = null;
        }
        if (started == null) {
            group.shutdown();
            localStateProblem = fsm.error() != null ? fsm.error() : "the Raft node did not start (see the log)";
            throw new IOException("cannot start the metadata Raft node: " + localStateProblem);
        }
        started.addReplicatorStateListener(new Replicator.ReplicatorStateListener() {
            @Override
            public void onCreated(PeerId peer) {
            }

            @Override
            public void onError(PeerId peer, Status status) {
                recordSendFailure(peer.getEndpoint(), status.toString());
            }

            @Override
            public void onDestroyed(PeerId peer) {
            }
        });
        this.stateMachine = fsm;
        this.raftGroup = group;
        this.node = started;
    }

    /**
     * Called on the FSM thread after each entry, and when such a snapshot completes: starts a snapshot (off the FSM
     * thread) once N entries were applied since the last one.
     */
    private void snapshotIfEnoughEntries(MetadataStateMachine fsm) {
        if (fsm.entriesSinceSnapshot() < options.snapshotEveryEntries() || !snapshotByEntriesRunning.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.execute(() -> {
                Node current = node;
                if (current == null) {
                    snapshotByEntriesRunning.set(false);
                    return;
                }
                current.snapshot(status -> {
                    snapshotByEntriesRunning.set(false);
                    if (!status.isOk()) {
                        LOG.warn("peer {}: snapshot after {} entries failed: {}", peerId, options.snapshotEveryEntries(), status);
                    } else {
                        // entries applied while this one ran may already call for the next: do not wait for another
                        snapshotIfEnoughEntries(fsm);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            snapshotByEntriesRunning.set(false);
        }
    }

    private void stopRaft() {
        RaftGroupService group = raftGroup;
        raftGroup = null;
        node = null;
        if (group != null) {
            // Bounded: a Raft node stuck on a failed disk must not hang close() (or recover) forever.
            Thread stopper = Thread.ofVirtual().name("quiver-raft-stop").start(() -> {
                group.shutdown();
                try {
                    group.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                if (!stopper.join(Duration.ofSeconds(30))) {
                    LOG.error("peer {}: the metadata Raft node did not stop within 30 s; abandoning it", peerId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Node requireRunning() {
        Node current = node;
        if (current == null) {
            throw new ClusterException(Kind.UNAVAILABLE, localStateProblem != null
                    ? "consensus is stopped: " + localStateProblem + " (POST /cluster/recover repairs it)" : "consensus is not running");
        }
        return current;
    }

    private Configuration currentConfiguration() {
        Node current = node;
        if (current instanceof NodeImpl impl) {
            Configuration conf = impl.getCurrentConf();
            if (conf != null && !conf.isEmpty()) {
                return conf;
            }
        }
        return stateMachine.configuration();
    }

    private static String roleOf(Node current) {
        if (current == null) {
            return null;
        }
        State state = current.getNodeState();
        return switch (state) {
            case STATE_LEADER, STATE_TRANSFERRING -> "Leader";
            case STATE_CANDIDATE -> "Candidate";
            case STATE_FOLLOWER -> "Follower";
            default -> null;
        };
    }

    // ---------------------------------------------------------------- joining and registration

    private void join(Endpoint bootstrap) throws IOException {
        long deadline = System.nanoTime() + options.joinTimeout().toNanos();
        Endpoint target = bootstrap;
        String lastError = "no answer";
        while (System.nanoTime() < deadline && !closed) {
            try {
                ClusterRpc.Response response = invoke(target, new ClusterRpc.JoinRequest(endpoint.toString()), deadline);
                if (response.ok) {
                    LOG.info("peer {} ({}) joined the cluster through {}", peerId, endpoint, target);
                    return;
                }
                if (response.notLeader) {
                    target = response.leader != null ? parseEndpoint(response.leader) : bootstrap;
                    lastError = "no leader known yet";
                } else {
                    lastError = response.error;
                }
            } catch (RemotingException e) {
                lastError = e.getMessage();
                target = bootstrap;
            }
            pause();
        }
        throw new IOException("cannot join the cluster through " + bootstrap + ": " + lastError);
    }

    private void registerSelf() {
        try {
            registerSelfUntilDone();
        } catch (ClusterException e) {
            if (!closed) {
                LOG.warn("peer {}: registration stopped: {}", peerId, e.getMessage());
            }
        }
    }

    private void registerSelfUntilDone() {
        while (!closed && !registered.isDone()) {
            PeerInfo self = metadata().peer(peerId);
            if (self != null && self.uri().equals(options.uri()) && self.nodeType() == options.nodeType()) {
                registered.complete(null);
                return;
            }
            if (node == null) {
                sleep(200);
                continue;
            }
            try {
                long deadline = System.nanoTime() + options.operationTimeout().toNanos();
                long index = submit(new MetadataOperation.AddPeer(peerId, options.uri(), options.nodeType()), deadline);
                awaitAppliedLocally(index, deadline);
            } catch (RuntimeException e) {
                LOG.debug("peer {} not registered yet: {}", peerId, e.getMessage());
                sleep(200);
            }
        }
    }

    // ---------------------------------------------------------------- proposals

    /** Commits and applies an operation through the leader; returns its Raft index. */
    private long submit(MetadataOperation operation, long deadline) {
        byte[] encoded = MetadataOperationCodec.encode(operation);
        while (true) {
            Node current = requireRunning();
            if (current.isLeader()) {
                MetadataStateMachine.ProposalClosure closure = new MetadataStateMachine.ProposalClosure(operation);
                Task task = new Task();
                task.setData(ByteBuffer.wrap(encoded));
                task.setDone(closure);
                current.apply(task);
                try {
                    return closure.appliedIndex.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof MetadataStateMachine.RaftStatusException raft && retryable(raft.status)) {
                        pauseUntil(deadline, operation);
                        continue;
                    }
                    throw translate(e.getCause());
                } catch (TimeoutException e) {
                    throw new ClusterException(Kind.TIMEOUT, "metadata operation not applied within " + options.operationTimeout()
                            + "; its outcome is unknown");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
                }
            }
            ClusterRpc.Response response = callLeader(new ClusterRpc.ProposeRequest(encoded), deadline, false);
            if (response.ok) {
                return response.index;
            }
            ClusterException failure = response.toException();
            if (response.rejected) {
                throw new MetadataRejectedException(failure.kind(), failure.getMessage());
            }
            throw failure;
        }
    }

    private static boolean retryable(Status status) {
        RaftError error = status.getRaftError();
        return error == RaftError.EPERM || error == RaftError.EBUSY || error == RaftError.ELEADERREMOVED
                || error == RaftError.ENEWLEADER;
    }

    private static RuntimeException translate(Throwable cause) {
        if (cause instanceof ClusterException clusterException) {
            return clusterException;
        }
        if (cause instanceof MetadataStateMachine.RaftStatusException raft) {
            return new ClusterException(Kind.UNAVAILABLE, "metadata operation failed: " + raft.status);
        }
        return new ClusterException(Kind.INTERNAL, String.valueOf(cause), cause);
    }

    private void awaitAppliedLocally(long index, long deadline) {
        try {
            stateMachine.awaitApplied(index).get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ClusterException(Kind.TIMEOUT, "committed at index " + index + " but not applied on peer " + peerId + " in time");
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }

    /**
     * Sends a request to the current leader, following redirects and retrying while no leader is known or it cannot
     * be reached, until the deadline. An invocation timeout is not retried (the outcome is unknown).
     */
    private ClusterRpc.Response callLeader(Object request, long deadline, boolean searchWhenStopped) {
        Endpoint target = null;
        String lastError = "no leader known";
        while (System.nanoTime() < deadline && !closed) {
            if (target == null) {
                target = knownLeader(searchWhenStopped, deadline);
            }
            if (target == null) {
                pause();
                continue;
            }
            if (request instanceof ClusterRpc.SnapshotRequest && target.equals(endpoint)) {
                throw new ClusterException(Kind.NOT_ALLOWED, "peer " + peerId + " is the leader of the metadata group; "
                        + "recover only runs on a follower (it installs the leader's snapshot)");
            }
            try {
                ClusterRpc.Response response = invoke(target, request, deadline);
                if (!response.notLeader) {
                    return response;
                }
                target = response.leader == null ? null : parseEndpoint(response.leader);
                lastError = "peer answered it is not the leader";
            } catch (InvokeTimeoutException e) {
                throw new ClusterException(Kind.TIMEOUT, "no answer from the leader " + target + " in time; the outcome is unknown");
            } catch (RemotingException e) {
                lastError = "cannot reach " + target + ": " + e.getMessage();
                target = null;
            }
            pause();
        }
        throw new ClusterException(Kind.UNAVAILABLE, "no metadata leader reachable within " + options.operationTimeout() + " (" + lastError + ")");
    }

    /** The leader endpoint: from the running Raft node, else (when stopped) by asking the peers this node knows. */
    private Endpoint knownLeader(boolean searchWhenStopped, long deadline) {
        Node current = node;
        if (current != null) {
            PeerId leader = current.getLeaderId();
            if (leader != null && !leader.isEmpty()) {
                return leader.getEndpoint();
            }
            if (!searchWhenStopped) {
                return null;
            }
        }
        for (Endpoint candidate : leaderCandidates()) {
            if (candidate.equals(endpoint)) {
                continue;
            }
            try {
                ClusterRpc.Response response = invoke(candidate, new ClusterRpc.LeaderRequest(), Math.min(deadline,
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.electionTimeoutMs())));
                if (response.leader != null) {
                    return parseEndpoint(response.leader);
                }
            } catch (RemotingException e) {
                LOG.debug("peer {} does not answer: {}", candidate, e.getMessage());
            }
        }
        return null;
    }

    private List<Endpoint> leaderCandidates() {
        Set<Endpoint> candidates = new LinkedHashSet<>();
        if (options.bootstrapUri() != null) {
            candidates.add(endpointOf(options.bootstrapUri()));
        }
        for (PeerInfo peer : metadata().peers().values()) {
            candidates.add(endpointOf(peer.uri()));
        }
        candidates.addAll(currentConfiguration().getPeers().stream().map(PeerId::getEndpoint).toList());
        try {
            Path latest = raftDirectory.latestSnapshot();
            if (latest != null) {
                byte[] meta = Files.readAllBytes(latest.resolve(RaftDirectory.SNAPSHOT_META_FILE));
                var snapshotMeta = RaftDirectory.metaOf(new RaftDirectory.SnapshotImage(0, meta, new byte[0]));
                snapshotMeta.getPeersList().forEach(p -> {
                    PeerId parsed = PeerId.parsePeer(p);
                    if (parsed != null) {
                        candidates.add(parsed.getEndpoint());
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no peers readable from the local snapshot: {}", e.getMessage());
        }
        return new ArrayList<>(candidates);
    }

    private ClusterRpc.Response invoke(Endpoint target, Object request, long deadline) throws RemotingException {
        long timeout = Math.max(1, remainingMillis(deadline));
        try {
            Object answer = rpcClient.invokeSync(target, request, timeout);
            if (answer instanceof ClusterRpc.Response response) {
                return response;
            }
            throw new RemotingException("unexpected answer " + answer);
        } catch (RemotingException e) {
            recordSendFailure(target, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }

    private void recordSendFailure(Endpoint target, String error) {
        String uri = uriOf(target);
        SendFailures failures = sendFailures.computeIfAbsent(uri, u -> new SendFailures());
        synchronized (failures) {
            failures.count++;
            failures.latestError = error;
            failures.latestErrorTime = Instant.now();
        }
    }

    // ---------------------------------------------------------------- RPC processors (run on virtual threads)

    private void registerProcessors() {
        register(ClusterRpc.ProposeRequest.class, this::handlePropose);
        register(ClusterRpc.JoinRequest.class, this::handleJoin);
        register(ClusterRpc.RemovePeerRequest.class, this::handleRemovePeer);
        register(ClusterRpc.LeaderRequest.class, (request, reply) -> {
            Node current = node;
            PeerId leader = current == null ? null : current.getLeaderId();
            ClusterRpc.Response response = ClusterRpc.Response.ok();
            response.leader = leader == null || leader.isEmpty() ? null : leader.getEndpoint().toString();
            reply.accept(response);
        });
        register(ClusterRpc.SnapshotRequest.class, this::handleSnapshot);
        register(ClusterRpc.DataRequest.class, (request, reply) -> {
            var handler = dataHandler;
            if (handler == null) {
                reply.accept(ClusterRpc.Response.failed(Kind.UNAVAILABLE, "peer " + peerId + " serves no data yet"));
                return;
            }
            ClusterRpc.Response response = ClusterRpc.Response.ok();
            response.data = handler.apply(request.kind, request.body);
            reply.accept(response);
        });
    }

    private <T> void register(Class<T> type, BiConsumer<T, Consumer<ClusterRpc.Response>> handler) {
        rpcServer.registerProcessor(new RpcProcessor<T>() {
            @Override
            public void handleRequest(RpcContext context, T request) {
                try {
                    handler.accept(request, context::sendResponse);
                } catch (ClusterException e) {
                    context.sendResponse(ClusterRpc.Response.failed(e.kind(), e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.error("cluster RPC {} failed", type.getSimpleName(), e);
                    context.sendResponse(ClusterRpc.Response.failed(Kind.INTERNAL, e.toString()));
                }
            }

            @Override
            public String interest() {
                return type.getName();
            }

            @Override
            public Executor executor() {
                return workers;
            }
        });
    }

    /** Null when this node leads; otherwise the not-leader answer to send. */
    private ClusterRpc.Response notLeaderAnswer() {
        Node current = node;
        if (current != null && current.isLeader()) {
            return null;
        }
        PeerId leader = current == null ? null : current.getLeaderId();
        return ClusterRpc.Response.notLeader(leader == null || leader.isEmpty() || leader.equals(serverId) ? null : leader.getEndpoint().toString());
    }

    private void handlePropose(ClusterRpc.ProposeRequest request, Consumer<ClusterRpc.Response> reply) {
        ClusterRpc.Response redirect = notLeaderAnswer();
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        MetadataOperation operation;
        try {
            operation = MetadataOperationCodec.decode(request.operation);
        } catch (IllegalArgumentException e) {
            reply.accept(ClusterRpc.Response.failed(Kind.BAD_REQUEST, e.getMessage()));
            return;
        }
        MetadataStateMachine.ProposalClosure closure = new MetadataStateMachine.ProposalClosure(operation);
        Task task = new Task();
        task.setData(ByteBuffer.wrap(request.operation));
        task.setDone(closure);
        node.apply(task);
        closure.appliedIndex.whenComplete((index, failure) -> {
            if (failure == null) {
                ClusterRpc.Response response = ClusterRpc.Response.ok();
                response.index = index;
                reply.accept(response);
            } else if (failure instanceof MetadataRejectedException rejected) {
                ClusterRpc.Response response = ClusterRpc.Response.failed(rejected.kind(), rejected.getMessage());
                response.rejected = true;
                reply.accept(response);
            } else if (failure instanceof MetadataStateMachine.RaftStatusException raft && retryable(raft.status)) {
                reply.accept(ClusterRpc.Response.notLeader(null));
            } else {
                RuntimeException translated = translate(failure);
                reply.accept(ClusterRpc.Response.failed(translated instanceof ClusterException c ? c.kind() : Kind.INTERNAL,
                        translated.getMessage()));
            }
        });
    }

    private void handleJoin(ClusterRpc.JoinRequest request, Consumer<ClusterRpc.Response> reply) {
        changeConfiguration(request.endpoint, true, reply);
    }

    private void handleRemovePeer(ClusterRpc.RemovePeerRequest request, Consumer<ClusterRpc.Response> reply) {
        changeConfiguration(request.endpoint, false, reply);
    }

    private void changeConfiguration(String peerEndpoint, boolean add, Consumer<ClusterRpc.Response> reply) {
        ClusterRpc.Response redirect = notLeaderAnswer();
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        PeerId peer = new PeerId(parseEndpoint(peerEndpoint), 0);
        Node current = node;
        List<PeerId> members = current.listPeers();
        if (members.contains(peer) == add) {
            reply.accept(ClusterRpc.Response.ok());
            return;
        }
        Closure done = status -> {
            if (status.isOk()) {
                reply.accept(ClusterRpc.Response.ok());
            } else if (retryable(status)) {
                reply.accept(ClusterRpc.Response.notLeader(null));
            } else {
                reply.accept(ClusterRpc.Response.failed(Kind.UNAVAILABLE, "configuration change failed: " + status));
            }
        };
        if (add) {
            current.addPeer(peer, done);
        } else {
            current.removePeer(peer, done);
        }
    }

    private void handleSnapshot(ClusterRpc.SnapshotRequest request, Consumer<ClusterRpc.Response> reply) {
        ClusterRpc.Response redirect = notLeaderAnswer();
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        long deadline = System.nanoTime() + options.operationTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            CompletableFuture<Status> done = new CompletableFuture<>();
            node.snapshot(done::complete);
            Status status;
            try {
                status = done.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                reply.accept(ClusterRpc.Response.failed(Kind.TIMEOUT, "snapshot not taken in time"));
                return;
            }
            if (!status.isOk() && status.getRaftError() != RaftError.EBUSY) {
                reply.accept(ClusterRpc.Response.failed(Kind.INTERNAL, "snapshot failed: " + status));
                return;
            }
            if (status.isOk()) {
                try {
                    RaftDirectory.SnapshotImage image = raftDirectory.readLatest();
                    if (image != null) {
                        ClusterRpc.Response response = ClusterRpc.Response.ok();
                        response.index = image.index();
                        response.meta = image.meta();
                        response.data = image.data();
                        reply.accept(response);
                        return;
                    }
                } catch (IOException e) {
                    LOG.debug("snapshot changed while reading it, retrying: {}", e.getMessage());
                }
            }
            pause();
        }
        reply.accept(ClusterRpc.Response.failed(Kind.TIMEOUT, "snapshot not taken in time"));
    }

    // ---------------------------------------------------------------- addresses

    /** The p2p endpoint of a peer URI such as {@code http://127.0.0.1:6335/}. */
    static Endpoint endpointOf(String uri) {
        URI parsed = URI.create(uri.trim());
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new IllegalArgumentException("peer URI needs a host and a port: " + uri);
        }
        return new Endpoint(parsed.getHost(), parsed.getPort());
    }

    private static Endpoint parseEndpoint(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new Endpoint(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private Long peerIdOf(Endpoint peerEndpoint) {
        if (peerEndpoint.equals(endpoint)) {
            return peerId;
        }
        for (PeerInfo peer : metadata().peers().values()) {
            try {
                if (endpointOf(peer.uri()).equals(peerEndpoint)) {
                    return peer.id();
                }
            } catch (IllegalArgumentException e) {
                LOG.debug("peer {} has an unusable uri {}", peer.id(), peer.uri());
            }
        }
        return null;
    }

    private String uriOf(Endpoint peerEndpoint) {
        Long id = peerIdOf(peerEndpoint);
        PeerInfo peer = id == null ? null : metadata().peer(id);
        return peer != null ? peer.uri() : "http://" + peerEndpoint;
    }

    // ---------------------------------------------------------------- waiting

    private static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private void pauseUntil(long deadline, MetadataOperation operation) {
        if (System.nanoTime() >= deadline) {
            throw new ClusterException(Kind.UNAVAILABLE, "no metadata leader accepted " + operation.getClass().getSimpleName()
                    + " within " + options.operationTimeout());
        }
        pause();
    }

    private static void pause() {
        sleep(RETRY_PAUSE_MILLIS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }
}
