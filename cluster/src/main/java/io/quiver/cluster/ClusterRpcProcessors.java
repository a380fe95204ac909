package io.quiver.cluster;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import io.quiver.cluster.ClusterException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of Quiver's {@link ClusterRpc} requests on this node's p2p server: proposals, joins and removals
 * answered by the leader (a follower redirects), leader look-ups, snapshots for a recovering follower, and data-plane
 * messages handed to the data handler. Each request is handled on a virtual thread of the node's workers; the data
 * handler is a volatile reference.
 */
final class ClusterRpcProcessors {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRpcProcessors.class);

    private final ClusterNodeOptions options;
    private final long peerId;
    private final PeerId serverId;
    private final MetadataRaftNode raft;
    private final RaftDirectory raftDirectory;
    private final Executor workers;
    private volatile BiFunction<String, byte[], byte[]> dataHandler;

    ClusterRpcProcessors(ClusterNodeOptions options, long peerId, PeerId serverId, MetadataRaftNode raft,
            RaftDirectory raftDirectory, Executor workers) {
        this.options = options;
        this.peerId = peerId;
        this.serverId = serverId;
        this.raft = raft;
        this.raftDirectory = raftDirectory;
        this.workers = workers;
    }

    /** See {@link ClusterNode#setDataHandler}. */
    void setDataHandler(BiFunction<String, byte[], byte[]> handler) {
        this.dataHandler = handler;
    }

    /** Registers one processor per request type on the (not yet started) p2p server. */
    void registerOn(RpcServer rpcServer) {
        register(rpcServer, ClusterRpc.ProposeRequest.class, this::handlePropose);
        register(rpcServer, ClusterRpc.JoinRequest.class, this::handleJoin);
        register(rpcServer, ClusterRpc.RemovePeerRequest.class, this::handleRemovePeer);
        register(rpcServer, ClusterRpc.LeaderRequest.class, (request, reply) -> {
            Node current = raft.node();
            PeerId leader = current == null ? null : current.getLeaderId();
            ClusterRpc.Response response = ClusterRpc.Response.ok();
            response.leader = leader == null || leader.isEmpty() ? null : leader.getEndpoint().toString();
            reply.accept(response);
        });
        register(rpcServer, ClusterRpc.SnapshotRequest.class, this::handleSnapshot);
        register(rpcServer, ClusterRpc.DataRequest.class, (request, reply) -> {
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

    private <T> void register(RpcServer rpcServer, Class<T> type, BiConsumer<T, Consumer<ClusterRpc.Response>> handler) {
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

    /**
     * Null when {@code current} (the Raft node, read once by the caller, which then uses that same reference: a
     * concurrent recover or close may replace or clear the node meanwhile) leads; otherwise the not-leader answer.
     */
    private ClusterRpc.Response notLeaderAnswer(Node current) {
        if (current != null && current.isLeader()) {
            return null;
        }
        PeerId leader = current == null ? null : current.getLeaderId();
        boolean unknown = leader == null || leader.isEmpty() || leader.equals(serverId);
        return ClusterRpc.Response.notLeader(unknown ? null : leader.getEndpoint().toString());
    }

    private void handlePropose(ClusterRpc.ProposeRequest request, Consumer<ClusterRpc.Response> reply) {
        Node current = raft.node();
        ClusterRpc.Response redirect = notLeaderAnswer(current);
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        MetadataOperationCodec.Proposal proposal;
        try {
            proposal = MetadataOperationCodec.decodeProposal(request.operation);
        } catch (IllegalArgumentException e) {
            reply.accept(ClusterRpc.Response.failed(Kind.BAD_REQUEST, e.getMessage()));
            return;
        }
        MetadataStateMachine.ProposalClosure closure = new MetadataStateMachine.ProposalClosure(proposal.operation(),
                proposal.proposalId());
        Task task = new Task();
        task.setData(ByteBuffer.wrap(request.operation));
        task.setDone(closure);
        current.apply(task);
        closure.appliedIndex.whenComplete((index, failure) -> {
            if (failure == null) {
                ClusterRpc.Response response = ClusterRpc.Response.ok();
                response.index = index;
                reply.accept(response);
            } else if (failure instanceof MetadataRejectedException rejected) {
                ClusterRpc.Response response = ClusterRpc.Response.failed(rejected.kind(), rejected.getMessage());
                response.rejected = true;
                reply.accept(response);
            } else if (failure instanceof MetadataStateMachine.RaftStatusException raftStatus
                    && MetadataProposals.retryable(raftStatus.status)) {
                reply.accept(ClusterRpc.Response.notLeader(null));
            } else {
                RuntimeException translated = MetadataProposals.translate(failure);
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
        Node current = raft.node();
        ClusterRpc.Response redirect = notLeaderAnswer(current);
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        PeerId peer = new PeerId(PeerAddresses.parseEndpoint(peerEndpoint), 0);
        List<PeerId> members = current.listPeers();
        if (members.contains(peer) == add) {
            reply.accept(ClusterRpc.Response.ok());
            return;
        }
        Closure done = status -> {
            if (status.isOk()) {
                reply.accept(ClusterRpc.Response.ok());
            } else if (MetadataProposals.retryable(status)) {
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
        Node current = raft.node();
        ClusterRpc.Response redirect = notLeaderAnswer(current);
        if (redirect != null) {
            reply.accept(redirect);
            return;
        }
        long deadline = System.nanoTime() + options.operationTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            CompletableFuture<Status> done = new CompletableFuture<>();
            current.snapshot(done::complete);
            Status status;
            try {
                status = done.get(Deadlines.remainingMillis(deadline), TimeUnit.MILLISECONDS);
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
            Deadlines.pause();
        }
        reply.accept(ClusterRpc.Response.failed(Kind.TIMEOUT, "snapshot not taken in time"));
    }
}
