package io.quiver.cluster;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated state machine of the metadata Raft group: owns the current {@link ClusterMetadata} and changes it
 * only in {@link #onApply}, on SOFAJRaft's single FSM thread, in log order. Readers on any thread get the latest
 * published immutable state through {@link #metadata()}. Snapshots are captured on the FSM thread (the state is
 * immutable, so capturing is taking a reference) and written by a separate thread; a failure to apply an entry stops
 * the node through {@code setErrorAndRollback} (rhea's pattern) instead of skipping it.
 */
public final class MetadataStateMachine extends StateMachineAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** Closure of a locally proposed operation: the leader fast path takes the operation from here, undecoded. */
    static final class ProposalClosure implements Closure {
        final MetadataOperation operation;
        final long proposalId;
        final CompletableFuture<Long> appliedIndex = new CompletableFuture<>();
        private long index;
        private MetadataRejectedException rejection;

        /** {@code proposalId}: the id encoded in the task's data (0: none). */
        ProposalClosure(MetadataOperation operation, long proposalId) {
            this.operation = operation;
            this.proposalId = proposalId;
        }

        void applied(long entryIndex, MetadataRejectedException rejectedBy) {
            this.index = entryIndex;
            this.rejection = rejectedBy;
        }

        @Override
        public void run(Status status) {
            if (!status.isOk()) {
                appliedIndex.completeExceptionally(new RaftStatusException(status));
            } else if (rejection != null) {
                appliedIndex.completeExceptionally(rejection);
            } else {
                appliedIndex.complete(index);
            }
        }
    }

    /** A failed Raft status (not leader, busy, shut down ...), kept so the proposer can decide to retry elsewhere. */
    static final class RaftStatusException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Status status;

        RaftStatusException(Status status) {
            super(status.toString());
            this.status = status;
        }
    }

    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "quiver-metadata-snapshot");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong snapshotsSaved = new AtomicLong();
    private final AtomicLong snapshotsLoaded = new AtomicLong();
    private final AtomicLong entriesApplied = new AtomicLong();
    private volatile long entriesSinceSnapshot;

    private volatile ClusterMetadata current = ClusterMetadata.empty();
    /** The proposals applied lately (FSM thread only; replaced when a snapshot is loaded). */
    private AppliedProposals appliedProposals = new AppliedProposals();
    private final AppliedIndex appliedIndex = new AppliedIndex();
    private volatile long term;
    private volatile boolean leader;
    private volatile Configuration configuration = new Configuration();
    private volatile String error;
    private volatile long lastActivityMillis = System.currentTimeMillis();

    /** The latest applied state (immutable). */
    public ClusterMetadata metadata() {
        return current;
    }

    /** Raft index of the last applied metadata entry (or of the loaded snapshot). */
    public long appliedIndex() {
        return appliedIndex.get();
    }

    /** The latest term this node saw through leader changes. */
    public long term() {
        return term;
    }

    /** Whether this node's state machine is currently the leader's. */
    public boolean isLeader() {
        return leader;
    }

    /** The last committed Raft configuration this node applied. */
    public Configuration configuration() {
        return configuration;
    }

    /** The error that stopped this state machine, or null while it works. */
    public String error() {
        return error;
    }

    /** Wall-clock millis of the last apply / snapshot / leader change. */
    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /** Snapshots written by this instance. */
    public long snapshotsSaved() {
        return snapshotsSaved.get();
    }

    /** Snapshots loaded by this instance (at start or installed from the leader). */
    public long snapshotsLoaded() {
        return snapshotsLoaded.get();
    }

    /** Log entries applied (decoded or from the fast path) by this instance, not counting snapshot loads. */
    public long entriesApplied() {
        return entriesApplied.get();
    }

    /** Entries applied since the last snapshot was captured or loaded (read by the entry-count snapshot trigger). */
    public long entriesSinceSnapshot() {
        return entriesSinceSnapshot;
    }

    void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    /** Completes once this state machine has applied index {@code index} (at once when it already has). */
    CompletableFuture<Void> awaitApplied(long index) {
        return appliedIndex.await(index);
    }

    @Override
    public void onApply(Iterator iter) {
        while (iter.hasNext()) {
            ProposalClosure closure = iter.done() instanceof ProposalClosure proposal ? proposal : null;
            long index = iter.getIndex();
            try {
                MetadataOperationCodec.Proposal proposal = closure != null
                        ? new MetadataOperationCodec.Proposal(closure.proposalId, closure.operation)
                        : MetadataOperationCodec.decodeProposal(iter.getData());
                MetadataOperation operation = proposal.operation();
                ClusterMetadata before = current;
                ClusterMetadata after = before;
                MetadataRejectedException rejection = null;
                boolean repeated = proposal.proposalId() != 0 && appliedProposals.contains(proposal.proposalId());
                if (repeated) {
                    // sent again by a proposer that did not learn the first one's outcome: it succeeded once
                    LOG.info("metadata entry {} repeats proposal {} ({}), applied before; not applied again", index,
                            Long.toUnsignedString(proposal.proposalId(), 16), operation.getClass().getSimpleName());
                } else {
                    try {
                        after = before.apply(operation);
                        if (proposal.proposalId() != 0) {
                            appliedProposals.add(proposal.proposalId());
                        }
                    } catch (MetadataRejectedException e) {
                        rejection = e;
                    }
                }
                current = after;
                appliedIndex.publish(index);
                entriesApplied.incrementAndGet();
                entriesSinceSnapshot++;
                lastActivityMillis = System.currentTimeMillis();
                for (MetadataListener listener : repeated ? List.<MetadataListener>of() : listeners) {
                    try {
                        listener.onApplied(index, operation, before, after);
                    } catch (RuntimeException e) {
                        LOG.error("metadata listener failed on index {}", index, e);
                    }
                }
                if (closure != null) {
                    closure.applied(index, rejection);
                    closure.run(Status.OK());
                }
            } catch (Throwable t) {
                LOG.error("cannot apply metadata entry {}: stopping this node", index, t);
                error = "cannot apply metadata entry " + index + ": " + t;
                iter.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "cannot apply metadata entry %d: %s", index, t));
                return;
            }
            iter.next();
        }
        appliedIndex.releaseReached();
    }

    @Override
    public void onSnapshotSave(SnapshotWriter writer, Closure done) {
        ClusterMetadata captured = current;
        long[] capturedProposals = appliedProposals.toArray();
        long capturedIndex = appliedIndex.get();
        entriesSinceSnapshot = 0;
        snapshotWriter.execute(() -> {
            try {
                MetadataSnapshotFile.write(Path.of(writer.getPath(), MetadataSnapshotFile.FILE_NAME), capturedIndex, captured,
                        capturedProposals);
                if (writer.addFile(MetadataSnapshotFile.FILE_NAME)) {
                    snapshotsSaved.incrementAndGet();
                    done.run(Status.OK());
                } else {
                    done.run(new Status(RaftError.EIO, "cannot add %s to snapshot %s", MetadataSnapshotFile.FILE_NAME, writer.getPath()));
                }
            } catch (Exception e) {
                LOG.error("cannot write metadata snapshot in {}", writer.getPath(), e);
                done.run(new Status(RaftError.EIO, "cannot write metadata snapshot: %s", e));
            }
        });
    }

    @Override
    public boolean onSnapshotLoad(SnapshotReader reader) {
        if (reader.getFileMeta(MetadataSnapshotFile.FILE_NAME) == null) {
            LOG.error("snapshot {} has no {}", reader.getPath(), MetadataSnapshotFile.FILE_NAME);
            error = "snapshot " + reader.getPath() + " has no " + MetadataSnapshotFile.FILE_NAME;
            return false;
        }
        try {
            MetadataSnapshotFile.Content content = MetadataSnapshotFile.read(Path.of(reader.getPath(), MetadataSnapshotFile.FILE_NAME));
            long index = reader.load() != null ? reader.load().getLastIncludedIndex() : content.appliedIndex();
            current = content.metadata();
            appliedProposals = AppliedProposals.of(content.appliedProposals());
            appliedIndex.publish(index);
            entriesSinceSnapshot = 0;
            snapshotsLoaded.incrementAndGet();
            lastActivityMillis = System.currentTimeMillis();
            for (MetadataListener listener : listeners) {
                try {
                    listener.onReset(index, content.metadata());
                } catch (RuntimeException e) {
                    LOG.error("metadata listener failed on snapshot load", e);
                }
            }
            appliedIndex.releaseReached();
            return true;
        } catch (Exception e) {
            LOG.error("cannot load metadata snapshot from {}", reader.getPath(), e);
            error = "cannot load metadata snapshot: " + e.getMessage();
            return false;
        }
    }

    @Override
    public void onLeaderStart(long newTerm) {
        term = newTerm;
        leader = true;
        lastActivityMillis = System.currentTimeMillis();
    }

    @Override
    public void onLeaderStop(Status status) {
        leader = false;
        lastActivityMillis = System.currentTimeMillis();
    }

    @Override
    public void onStartFollowing(LeaderChangeContext ctx) {
        term = Math.max(term, ctx.getTerm());
        lastActivityMillis = System.currentTimeMillis();
    }

    @Override
    public void onStopFollowing(LeaderChangeContext ctx) {
        term = Math.max(term, ctx.getTerm());
    }

    @Override
    public void onConfigurationCommitted(Configuration conf) {
        configuration = conf.copy();
    }

    @Override
    public void onError(RaftException e) {
        LOG.error("metadata raft node stopped with an error: {}", e.getStatus());
        error = e.getStatus().getErrorMsg() == null ? e.toString() : e.getStatus().getErrorMsg();
    }

    @Override
    public void onShutdown() {
        snapshotWriter.shutdown();
    }
}
