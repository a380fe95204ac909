package io.quiver.wal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The bounded hand-off between appenders and the flusher, indexed by LSN (a Disruptor-style sequenced ring): an
 * appender claims the next LSN with one CAS on {@link #claimed} (only while {@code lsn - consumed < capacity}),
 * fills its {@link PendingAppend} and publishes it into slot {@code lsn & mask}; the flusher takes slots strictly in
 * LSN order, so LSN order and write order agree without a lock. The claim counter carries a {@link #GATE} bit that
 * maintenance steps and close set to stop new claims. Many producers, single consumer: the flusher.
 */
final class AppendRing {
    /** Set in {@link #claimed} while claims are stopped (truncation, reset, close). */
    static final long GATE = 1L << 62;

    private final AtomicReferenceArray<PendingAppend> slots;
    private final int mask;
    /** The next LSN to assign, possibly with {@link #GATE} set. */
    private final AtomicLong claimed;
    /** The next LSN the flusher will take; everything below it has left the ring. */
    private final AtomicLong consumed;

    AppendRing(int capacityRecords, long nextLsn) {
        int capacity = Integer.highestOneBit(Math.max(2, capacityRecords) - 1) << 1;
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.claimed = new AtomicLong(nextLsn);
        this.consumed = new AtomicLong(nextLsn);
    }

    int capacity() {
        return mask + 1;
    }

    /** The next LSN to assign (without the gate bit). */
    long nextLsn() {
        return claimed.get() & ~GATE;
    }

    /** The next LSN the flusher will take. */
    long consumed() {
        return consumed.get();
    }

    /** Whether records are claimed but not yet taken by the flusher. */
    boolean hasPending() {
        return consumed.get() < nextLsn();
    }

    /**
     * Claims the next LSN, or returns a negative code: {@link #GATED} or {@link #FULL}. Retries internally on CAS
     * contention only.
     */
    long tryClaim() {
        while (true) {
            long current = claimed.get();
            if ((current & GATE) != 0) {
                return GATED;
            }
            if (current - consumed.get() >= capacity()) {
                return FULL;
            }
            if (claimed.compareAndSet(current, current + 1)) {
                return current;
            }
        }
    }

    /**
     * Claims exactly {@code lsn} if it is the next LSN, or returns a negative code: {@link #GATED}, {@link #FULL} or
     * {@link #OTHER_LSN_NEXT}.
     */
    long tryClaimExactly(long lsn) {
        while (true) {
            long current = claimed.get();
            if ((current & GATE) != 0) {
                return GATED;
            }
            if (current != lsn) {
                return OTHER_LSN_NEXT;
            }
            if (current - consumed.get() >= capacity()) {
                return FULL;
            }
            if (claimed.compareAndSet(current, current + 1)) {
                return current;
            }
        }
    }

    static final long GATED = -2;
    static final long FULL = -3;
    static final long OTHER_LSN_NEXT = -4;

    /** Publishes a claimed record (its {@code lsn} is set). */
    void publish(PendingAppend append) {
        slots.setRelease((int) (append.lsn & mask), append);
    }

    /** Flusher: the record with LSN {@link #consumed()} if it is published, else null. Does not take it. */
    PendingAppend peekNext() {
        long next = consumed.get();
        PendingAppend append = slots.getAcquire((int) (next & mask));
        return append != null && append.lsn == next ? append : null;
    }

    /** Flusher: takes the record returned by {@link #peekNext()}, freeing its slot. */
    void take(PendingAppend append) {
        slots.setPlain((int) (append.lsn & mask), null);
        consumed.lazySet(append.lsn + 1);
    }

    /** Stops new claims; returns the next LSN at that moment. The caller must hold the maintenance lock. */
    long closeGate() {
        while (true) {
            long current = claimed.get();
            if ((current & GATE) != 0) {
                throw new IllegalStateException("claims already gated");
            }
            if (claimed.compareAndSet(current, current | GATE)) {
                return current;
            }
        }
    }

    /** Resumes claims from {@code nextLsn}; the flusher must already have consumed everything (see {@link #restartAt}). */
    void openGate(long nextLsn) {
        claimed.set(nextLsn);
    }

    /** Flusher, while gated and drained: the next record it will take is {@code nextLsn}. */
    void restartAt(long nextLsn) {
        consumed.set(nextLsn);
    }
}
