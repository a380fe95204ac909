package io.quiver.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.Replicator;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RpcServer;
import io.quiver.cluster.ClusterException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's SOFAJRaft node of the metadata group and its {@link MetadataStateMachine}: starting and stopping them,
 * the problem that keeps them stopped, and their snapshots (on demand and every N entries). {@link #start} and
 * {@link #stop} are called under {@link ClusterNode}'s lifecycle lock only; the Raft node and state machine
 * references are volatile and may be read from any thread.
 */
final class MetadataRaftNode {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataRaftNode.class);

    private final ClusterNodeOptions options;
    private final long peerId;
    private final PeerId serverId;
    private final RaftDirectory raftDirectory;
    private final RpcServer rpcServer;
    private final ExecutorService workers;
    private final PeerSendFailures sendFailures;
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean snapshotByEntriesRunning = new AtomicBoolean();

    private volatile RaftGroupService raftGroup;
    private volatile Node node;
    private volatile MetadataStateMachine stateMachine = new MetadataStateMachine();
    private volatile String localStateProblem;

    MetadataRaftNode(ClusterNodeOptions options, long peerId, PeerId serverId, RaftDirectory raftDirectory,
            RpcServer rpcServer, ExecutorService workers, PeerSendFailures sendFailures) {
        this.options = options;
        this.peerId = peerId;
        this.serverId = serverId;
        this.raftDirectory = raftDirectory;
        this.rpcServer = rpcServer;
        this.workers = workers;
        this.sendFailures = sendFailures;
    }

    /** The running Raft node, or null while it is stopped. */
    Node node() {
        return node;
    }

    MetadataStateMachine stateMachine() {
        return stateMachine;
    }

    /** Why the Raft node stays stopped (damaged local state), or null. */
    String localStateProblem() {
        return localStateProblem;
    }

    void setLocalStateProblem(String problem) {
        this.localStateProblem = problem;
    }

    /** Registers a listener on the current state machine and on every one a later {@link #start} creates. */
    void addListener(MetadataListener listener) {
        listeners.add(listener);
        stateMachine.addListener(listener);
    }

    /**
     * Starts the Raft node; when SOFAJRaft cannot open the local state (e.g. its log no longer connects to a
     * snapshot), records the problem and leaves the node stopped for {@link ClusterNode#recover()}. Returns whether
     * it runs.
     */
    boolean tryStart() {
        try {
            start();
            return true;
        } catch (IOException | RuntimeException e) {
            String problem = localStateProblem != null ? localStateProblem : e.getMessage();
            LOG.error("peer {}: cannot start the metadata Raft node ({}); it stays stopped until POST /cluster/recover", peerId, problem);
            localStateProblem = "cannot start the metadata Raft node: " + problem;
            return false;
        }
    }

    void start() throws IOException {
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
        RaftGroupService group = new RaftGroupService(ClusterNode.GROUP_ID, serverId, nodeOptions, rpcServer, true);
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
                sendFailures.record(peer.getEndpoint(), status.toString());
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

    /** Takes a snapshot of the state machine now (the Raft log behind the previous snapshot is then truncated). */
    CompletableFuture<Void> snapshotNow() {
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

    void stop() {
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

    /** The running Raft node; UNAVAILABLE (naming the local-state problem, if any) while it is stopped. */
    Node requireRunning() {
        Node current = node;
        if (current == null) {
            throw new ClusterException(Kind.UNAVAILABLE, localStateProblem != null
                    ? "consensus is stopped: " + localStateProblem + " (POST /cluster/recover repairs it)" : "consensus is not running");
        }
        return current;
    }

    /** The Raft configuration: the running node's, else the last committed one the state machine applied. */
    Configuration currentConfiguration() {
        Node current = node;
        if (current instanceof NodeImpl impl) {
            Configuration conf = impl.getCurrentConf();
            if (conf != null && !conf.isEmpty()) {
                return conf;
            }
        }
        return stateMachine.configuration();
    }
}
