package io.quiver.cluster;

import com.alipay.remoting.rpc.exception.InvokeServerBusyException;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import io.quiver.cluster.ClusterException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of Quiver's {@link ClusterRpc} requests: owns this node's RpcClient and sends a request to one
 * peer, or to the metadata leader wherever it is (following redirects, and finding it through the peers this node
 * knows when its Raft node is stopped); failed sends are counted in {@link PeerSendFailures}. Threadsafe: each call
 * blocks its calling thread until the answer or its deadline.
 */
final class PeerRpcClient {
    private static final Logger LOG = LoggerFactory.getLogger(PeerRpcClient.class);

    private final ClusterNodeOptions options;
    private final long peerId;
    private final Endpoint endpoint;
    private final MetadataRaftNode raft;
    private final RaftDirectory raftDirectory;
    private final PeerSendFailures sendFailures;
    private final BooleanSupplier closed;
    private final RpcClient rpcClient;

    /** {@code closed} tells whether the node is closing: the retry loops then stop. */
    PeerRpcClient(ClusterNodeOptions options, long peerId, Endpoint endpoint, MetadataRaftNode raft,
            RaftDirectory raftDirectory, PeerSendFailures sendFailures, BooleanSupplier closed) {
        this.options = options;
        this.peerId = peerId;
        this.endpoint = endpoint;
        this.raft = raft;
        this.raftDirectory = raftDirectory;
        this.sendFailures = sendFailures;
        this.closed = closed;
        this.rpcClient = RpcFactoryHelper.rpcFactory().createRpcClient();
        RpcOptions rpcOptions = new RpcOptions();
        rpcOptions.setRpcConnectTimeoutMs(Math.max(200, options.electionTimeoutMs() / 2));
        rpcClient.init(rpcOptions);
    }

    void close() {
        rpcClient.shutdown();
    }

    /**
     * Asks the cluster, through {@code bootstrap} and then its leader, to add this node to the Raft configuration,
     * retrying up to {@link ClusterNodeOptions#joinTimeout()}.
     */
    void join(Endpoint bootstrap) throws IOException {
        long deadline = System.nanoTime() + options.joinTimeout().toNanos();
        Endpoint target = bootstrap;
        String lastError = "no answer";
        while (System.nanoTime() < deadline && !closed.getAsBoolean()) {
            try {
                ClusterRpc.Response response = invoke(target, new ClusterRpc.JoinRequest(endpoint.toString()), deadline);
                if (response.ok) {
                    LOG.info("peer {} ({}) joined the cluster through {}", peerId, endpoint, target);
                    return;
                }
                if (response.notLeader) {
                    target = response.leader != null ? PeerAddresses.parseEndpoint(response.leader) : bootstrap;
                    lastError = "no leader known yet";
                } else {
                    lastError = response.error;
                }
            } catch (RemotingException e) {
                lastError = e.getMessage();
                target = bootstrap;
            }
            Deadlines.pause();
        }
        throw new IOException("cannot join the cluster through " + bootstrap + ": " + lastError);
    }

    /** See {@link ClusterNode#sendData}. */
    byte[] sendData(long targetPeerId, String kind, byte[] body, Duration timeout) {
        PeerInfo peer = raft.stateMachine().metadata().peer(targetPeerId);
        if (peer == null) {
            throw new ClusterException(Kind.UNAVAILABLE, "peer " + targetPeerId + " is not part of the cluster");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ClusterRpc.Response response;
        try {
            response = invoke(PeerAddresses.endpointOf(peer.uri()), new ClusterRpc.DataRequest(kind, body), deadline);
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

    /**
     * Sends a request to the current leader, following redirects and retrying while no leader is known or it cannot
     * be reached, until the deadline. An invocation timeout is not retried (the outcome is unknown).
     */
    ClusterRpc.Response callLeader(Object request, long deadline, boolean searchWhenStopped) {
        Endpoint target = null;
        String lastError = "no leader known";
        while (System.nanoTime() < deadline && !closed.getAsBoolean()) {
            if (target == null) {
                target = knownLeader(searchWhenStopped, deadline);
            }
            if (target == null) {
                Deadlines.pause();
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
                target = response.leader == null ? null : PeerAddresses.parseEndpoint(response.leader);
                lastError = "peer answered it is not the leader";
            } catch (InvokeTimeoutException e) {
                throw new ClusterException(Kind.TIMEOUT, "no answer from the leader " + target + " in time; the outcome is unknown");
            } catch (RemotingException e) {
                lastError = "cannot reach " + target + ": " + e.getMessage();
                target = null;
            }
            Deadlines.pause();
        }
        throw new ClusterException(Kind.UNAVAILABLE, "no metadata leader reachable within " + options.operationTimeout() + " (" + lastError + ")");
    }

    /** The leader endpoint: from the running Raft node, else (when stopped) by asking the peers this node knows. */
    private Endpoint knownLeader(boolean searchWhenStopped, long deadline) {
        Node current = raft.node();
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
                    return PeerAddresses.parseEndpoint(response.leader);
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
            candidates.add(PeerAddresses.endpointOf(options.bootstrapUri()));
        }
        for (PeerInfo peer : raft.stateMachine().metadata().peers().values()) {
            candidates.add(PeerAddresses.endpointOf(peer.uri()));
        }
        candidates.addAll(raft.currentConfiguration().getPeers().stream().map(PeerId::getEndpoint).toList());
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

    /**
     * Sends one request to {@code target} and returns its answer; a failed send is counted and rethrown. A request
     * refused as "server busy" is sent once more on a new connection: Quiver's request executors refuse work only
     * once their node is closed, so the old connection reached a stopped node. (bolt closes a stopping server's
     * connections, but one accepted while the server socket closes outlives it on the shared worker threads; a node
     * restarted on the same port in the same JVM was unreachable through it until the connection idled out.) The
     * refused request was never run, so sending it again is safe.
     */
    private ClusterRpc.Response invoke(Endpoint target, Object request, long deadline) throws RemotingException {
        try {
            return invokeOnce(target, request, deadline);
        } catch (RemotingException e) {
            if (!(e.getCause() instanceof InvokeServerBusyException) || Deadlines.remainingMillis(deadline) <= 0) {
                throw e;
            }
            LOG.info("{} refused a request as busy: closing that connection and sending again", target);
            rpcClient.closeConnection(target);
            return invokeOnce(target, request, deadline);
        }
    }

    private ClusterRpc.Response invokeOnce(Endpoint target, Object request, long deadline) throws RemotingException {
        long timeout = Math.max(1, Deadlines.remainingMillis(deadline));
        try {
            Object answer = rpcClient.invokeSync(target, request, timeout);
            if (answer instanceof ClusterRpc.Response response) {
                return response;
            }
            throw new RemotingException("unexpected answer " + answer);
        } catch (RemotingException e) {
            sendFailures.record(target, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }
}
