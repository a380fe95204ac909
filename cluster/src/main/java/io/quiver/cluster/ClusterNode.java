package io.quiver.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the metadata Raft group: owns this node's SOFAJRaft node ({@link MetadataRaftNode}), its p2p RPC
 * server (Raft RPCs plus Quiver's {@link ClusterRpc} requests, see {@link ClusterRpcProcessors}) and RPC client
 * ({@link PeerRpcClient}), and is their public facade. Created by {@link #start}, closed by its owner. Threadsafe:
 * every public method may be called from any thread; lifecycle changes (recover, close) are serialized by one lock,
 * under which the Raft node and state machine references are replaced one after the other (not as one atomic step: a
 * reader outside the lock can briefly see the new state machine before the new Raft node).
 */
public final class ClusterNode implements AutoCloseable {
    /** The Raft group id of the metadata group. */
    public static final String GROUP_ID = "quiver_metadata";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterNodeOptions options;
    private final long peerId;
    private final Endpoint endpoint;
    private final RaftDirectory raftDirectory;
    private final RpcServer rpcServer;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lifecycleLock = new Object();
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    private final PeerAddresses addresses;
    private final MetadataRaftNode raft;
    private final ClusterRpcProcessors rpcProcessors;
    private final PeerRpcClient peers;
    private final MetadataProposals proposals;
    private final ClusterStatusJson status;

    private volatile boolean closed;

    private ClusterNode(ClusterNodeOptions options, long peerId) throws IOException {
        this.options = options;
        this.peerId = peerId;
        this.endpoint = new Endpoint(options.p2pHost(), options.p2pPort());
        PeerId serverId = new PeerId(endpoint, 0);
        this.raftDirectory = new RaftDirectory(options.storageDir().resolve("raft"), options.logStorage());
        Files.createDirectories(raftDirectory.root());
        this.rpcServer = RaftRpcServerFactory.createRaftRpcServer(endpoint);
        this.addresses = new PeerAddresses(peerId, endpoint, this::metadata);
        PeerSendFailures sendFailures = new PeerSendFailures(addresses);
        this.raft = new MetadataRaftNode(options, peerId, serverId, raftDirectory, rpcServer, workers, sendFailures);
        this.rpcProcessors = new ClusterRpcProcessors(options, peerId, serverId, raft, raftDirectory, workers);
        rpcProcessors.registerOn(rpcServer);
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
        this.peers = new PeerRpcClient(options, peerId, endpoint, raft, raftDirectory, sendFailures, () -> closed);
        this.proposals = new MetadataProposals(options, peerId, raft, peers);
        this.status = new ClusterStatusJson(options, peerId, serverId, raft, sendFailures, this::leaderPeerId, () -> closed);
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
        Endpoint advertised = PeerAddresses.endpointOf(options.uri());
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
                clusterNode.raft.setLocalStateProblem(problem);
            } else if (clusterNode.raft.tryStart() && options.bootstrapUri() != null) {
                clusterNode.peers.join(PeerAddresses.endpointOf(options.bootstrapUri()));
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
        return raft.stateMachine().metadata();
    }

    /**
     * A linearizable read of the metadata: SOFAJRaft's ReadIndex asks the leader for its commit index and this node
     * waits until it has applied up to it, so the view includes every change committed before the call (also on a
     * follower). Fails with {@code UNAVAILABLE} when no leader confirms in time.
     */
    public CompletableFuture<ClusterMetadata> metadataLinearizable() {
        Node current = raft.requireRunning();
        CompletableFuture<ClusterMetadata> future = new CompletableFuture<>();
        current.readIndex(new byte[0], new ReadIndexClosure() {
            @Override
            public void run(Status status, long index, byte[] requestContext) {
                if (status.isOk()) {
                    future.complete(raft.stateMachine().metadata());
                } else {
                    future.completeExceptionally(new ClusterException(Kind.UNAVAILABLE, "read index failed: " + status));
                }
            }
        });
        return future.orTimeout(options.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Raft index of the last metadata entry applied on this node. */
    public long appliedIndex() {
        return raft.stateMachine().appliedIndex();
    }

    /** Whether this node currently leads the metadata group. */
    public boolean isLeader() {
        Node current = raft.node();
        return current != null && current.isLeader();
    }

    /** The peer id of the current leader as this node knows it, or null. */
    public Long leaderPeerId() {
        Node current = raft.node();
        if (current == null) {
            return null;
        }
        PeerId leader = current.getLeaderId();
        return leader == null || leader.isEmpty() ? null : addresses.peerIdOf(leader.getEndpoint());
    }

    /** Registers a listener for applied changes (see {@link MetadataListener} for its threading rules). */
    public void addListener(MetadataListener listener) {
        raft.addListener(listener);
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
            proposals.commitAndAwait(operation, deadline);
        }, workers);
    }

    /** Takes a snapshot of the state machine now (the Raft log behind the previous snapshot is then truncated). */
    public CompletableFuture<Void> snapshotNow() {
        return raft.snapshotNow();
    }

    /**
     * Replaces this follower's metadata state by a fresh snapshot of the leader: asks the leader to take a snapshot
     * and send it, stops the local Raft node, replaces the local Raft log and snapshots by the received snapshot
     * (keeping term and vote), and restarts the Raft node from it, so that its log starts right after the snapshot.
     * Works also when the local state is damaged (the leader is then found through the bootstrap peer and the peers
     * of the last readable snapshot). Completes with {@code true}; fails with a {@link ClusterException} of kind
     * {@code UNAVAILABLE} when no leader answers. On the leader it changes nothing and completes with {@code true}:
     * Qdrant only enqueues a snapshot request there and answers true on any peer (the leader's state is the source
     * every follower recovers from, so there is nothing to install).
     */
    public CompletableFuture<Boolean> recover() {
        return CompletableFuture.supplyAsync(() -> {
            synchronized (lifecycleLock) {
                if (closed) {
                    throw new ClusterException(Kind.UNAVAILABLE, "cluster node is closed");
                }
                if (isLeader()) {
                    LOG.info("peer {}: recover requested on the metadata leader; nothing to install", peerId);
                    return true;
                }
                long deadline = System.nanoTime() + options.operationTimeout().toNanos();
                ClusterRpc.Response response = peers.callLeader(new ClusterRpc.SnapshotRequest(), deadline, true);
                if (!response.ok) {
                    throw response.toException();
                }
                RaftDirectory.SnapshotImage image = new RaftDirectory.SnapshotImage(response.index, response.meta, response.data);
                try {
                    MetadataSnapshotFile.decode(image.data());
                    RaftDirectory.metaOf(image);
                    raft.stop();
                    raftDirectory.installReplacing(image);
                    raft.setLocalStateProblem(null);
                    raft.start();
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
            ClusterRpc.Response response = peers.callLeader(
                    new ClusterRpc.RemovePeerRequest(PeerAddresses.endpointOf(peer.uri()).toString()), deadline, false);
            if (!response.ok) {
                throw response.toException();
            }
            proposals.commitAndAwait(new MetadataOperation.RemovePeer(removedPeerId, force), deadline);
        }, workers);
    }

    /** {@code GET /cluster} in Qdrant's shape (the {@code result} part). */
    public ObjectNode statusJson() {
        return status.statusJson();
    }

    /**
     * {@code GET /collections/{c}/cluster} in Qdrant's shape (the {@code result} part); {@code localPointsCount}
     * gives the points count of a local shard by shard id. Unknown collection: {@link ClusterException} NOT_FOUND.
     */
    public ObjectNode collectionClusterJson(String collection, ToLongFunction<Integer> localPointsCount) {
        return status.collectionClusterJson(collection, localPointsCount);
    }

    /**
     * Sets the handler of data-plane messages ({@link ClusterRpc.DataRequest}: kind, JSON bytes in, JSON bytes out).
     * It runs on a virtual thread per message and may block. Until it is set, such messages fail UNAVAILABLE.
     */
    public void setDataHandler(java.util.function.BiFunction<String, byte[], byte[]> handler) {
        rpcProcessors.setDataHandler(handler);
    }

    /**
     * Sends a data-plane message to a peer of the metadata and returns its answer bytes; waits at most
     * {@code timeout}. Fails with {@link ClusterException} UNAVAILABLE (unknown peer, unreachable, no handler) or
     * TIMEOUT.
     */
    public byte[] sendData(long targetPeerId, String kind, byte[] body, Duration timeout) {
        return peers.sendData(targetPeerId, kind, body, timeout);
    }

    /** Stops the Raft node and the p2p server. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            raft.stop();
            rpcServer.shutdown();
            peers.close();
            workers.shutdownNow();
            registered.completeExceptionally(new ClusterException(Kind.UNAVAILABLE, "cluster node closed"));
        }
    }

    // ---------------------------------------------------------------- package-private (tests, benchmarks)

    MetadataStateMachine stateMachine() {
        return raft.stateMachine();
    }

    Node raftNode() {
        return raft.node();
    }

    RaftDirectory raftDirectory() {
        return raftDirectory;
    }

    // ---------------------------------------------------------------- registration

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
            if (raft.node() == null) {
                Deadlines.sleep(200);
                continue;
            }
            try {
                long deadline = System.nanoTime() + options.operationTimeout().toNanos();
                proposals.commitAndAwait(new MetadataOperation.AddPeer(peerId, options.uri(), options.nodeType()), deadline);
            } catch (RuntimeException e) {
                LOG.debug("peer {} not registered yet: {}", peerId, e.getMessage());
                Deadlines.sleep(200);
            }
        }
    }
}
