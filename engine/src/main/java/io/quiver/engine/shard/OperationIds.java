package io.quiver.engine.shard;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The operation-id counter of one collection (Qdrant's {@code operation_id}, per collection in Quiver), shared by its
 * shards: a shard's update worker takes the next id just before it appends an operation to its WAL, and that id is
 * the version of every point the operation writes. Ids therefore grow along every shard's WAL, an id is taken only by
 * an operation that reaches a WAL, and a reopened shard raises the counter past every id its checkpoint, segments and
 * WAL hold, so ids never go backwards across restarts. Created by the collection; threadsafe (lock-free).
 */
public final class OperationIds {
    private final AtomicLong last = new AtomicLong();

    /** The id the next operation gets; the caller appends it to its WAL or {@link #giveBack gives it back}. */
    long next() {
        return last.incrementAndGet();
    }

    /**
     * Returns {@code id} after its append was refused, when no other shard took a later id meanwhile (else it stays
     * a gap: ids are never handed out twice).
     */
    void giveBack(long id) {
        last.compareAndSet(id, id - 1);
    }

    /** Makes later ids larger than {@code id} (a shard opened with operations up to it). */
    public void raiseTo(long id) {
        last.accumulateAndGet(id, Math::max);
    }

    /** The last id handed out (0 before the first). */
    public long last() {
        return last.get();
    }
}
