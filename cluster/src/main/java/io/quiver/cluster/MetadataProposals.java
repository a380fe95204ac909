package io.quiver.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import io.quiver.cluster.ClusterException.Kind;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The proposing side of metadata changes: applies an operation on the Raft node when this node leads, forwards it to
 * the leader otherwise (retrying through leader changes until the deadline), and waits until this node applied it.
 * Stateless apart from its collaborators; threadsafe, each proposal blocks its calling thread.
 */
final class MetadataProposals {
    private final ClusterNodeOptions options;
    private final long peerId;
    private final MetadataRaftNode raft;
    private final PeerRpcClient peers;

    MetadataProposals(ClusterNodeOptions options, long peerId, MetadataRaftNode raft, PeerRpcClient peers) {
        this.options = options;
        this.peerId = peerId;
        this.raft = raft;
        this.peers = peers;
    }

    /** Commits an operation through the leader and waits until this node applied it, both before {@code deadline}. */
    void commitAndAwait(MetadataOperation operation, long deadline) {
        long index = submit(operation, deadline);
        awaitAppliedLocally(index, deadline);
    }

    /** Commits and applies an operation through the leader; returns its Raft index. */
    private long submit(MetadataOperation operation, long deadline) {
        // one id for every attempt: a retry of a proposal that was committed after all is then not applied twice
        long proposalId = newProposalId();
        byte[] encoded = MetadataOperationCodec.encode(operation, proposalId);
        while (true) {
            Node current = raft.requireRunning();
            if (current.isLeader()) {
                MetadataStateMachine.ProposalClosure closure = new MetadataStateMachine.ProposalClosure(operation, proposalId);
                Task task = new Task();
                task.setData(ByteBuffer.wrap(encoded));
                task.setDone(closure);
                current.apply(task);
                try {
                    return closure.appliedIndex.get(Deadlines.remainingMillis(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof MetadataStateMachine.RaftStatusException raftStatus && retryable(raftStatus.status)) {
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
            ClusterRpc.Response response = peers.callLeader(new ClusterRpc.ProposeRequest(encoded), deadline, false);
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

    /** A random proposal id, never 0 (which means none). */
    static long newProposalId() {
        long id;
        do {
            id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** Whether a Raft failure means "try again, perhaps on another leader" (not the operation's fault). */
    static boolean retryable(Status status) {
        RaftError error = status.getRaftError();
        return error == RaftError.EPERM || error == RaftError.EBUSY || error == RaftError.ELEADERREMOVED
                || error == RaftError.ENEWLEADER;
    }

    /** The exception a failed proposal's cause is reported as. */
    static RuntimeException translate(Throwable cause) {
        if (cause instanceof ClusterException clusterException) {
            return clusterException;
        }
        if (cause instanceof MetadataStateMachine.RaftStatusException raftStatus) {
            return new ClusterException(Kind.UNAVAILABLE, "metadata operation failed: " + raftStatus.status);
        }
        return new ClusterException(Kind.INTERNAL, String.valueOf(cause), cause);
    }

    private void awaitAppliedLocally(long index, long deadline) {
        try {
            raft.stateMachine().awaitApplied(index).get(Deadlines.remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ClusterException(Kind.TIMEOUT, "committed at index " + index + " but not applied on peer " + peerId + " in time");
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }

    private void pauseUntil(long deadline, MetadataOperation operation) {
        if (System.nanoTime() >= deadline) {
            throw new ClusterException(Kind.UNAVAILABLE, "no metadata leader accepted " + operation.getClass().getSimpleName()
                    + " within " + options.operationTimeout());
        }
        Deadlines.pause();
    }
}
