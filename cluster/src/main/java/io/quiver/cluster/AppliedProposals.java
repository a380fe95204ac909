package io.quiver.cluster;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The ids of the last {@link #CAPACITY} metadata proposals the state machine applied successfully, oldest first, so
 * that a proposal sent again (its proposer retried after a leader crash or a lost answer, not knowing it had been
 * committed) is recognised and not applied twice. Every replica builds the same set from the same log, and snapshots
 * carry it. Owned by the state machine: mutated only on SOFAJRaft's FSM thread; {@link #toArray} copies it there for
 * a snapshot written elsewhere.
 */
final class AppliedProposals {
    /** Retries come within seconds; this many applied proposals cover far more than that. */
    static final int CAPACITY = 4096;

    private final LinkedHashSet<Long> ids = new LinkedHashSet<>();

    static AppliedProposals of(long[] oldestFirst) {
        AppliedProposals proposals = new AppliedProposals();
        for (long id : oldestFirst) {
            proposals.add(id);
        }
        return proposals;
    }

    boolean contains(long proposalId) {
        return ids.contains(proposalId);
    }

    /** Records an applied proposal, forgetting the oldest beyond {@link #CAPACITY}. */
    void add(long proposalId) {
        if (ids.add(proposalId) && ids.size() > CAPACITY) {
            Iterator<Long> oldest = ids.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    long[] toArray() {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
