package io.quiver.engine.shard;

import io.quiver.engine.StorageException;
import io.quiver.engine.segment.Segment;
import io.quiver.engine.segment.SegmentSnapshot;
import io.quiver.wal.Wal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Writes one shard's checkpoints: which segments changed is captured between two operations, then they are persisted,
 * {@code shard_state.json} is written and the WAL before it truncated. Threading: {@link #capture} runs on the update
 * worker; {@link #write} on one thread at a time (the shard's flush lock), holding the read lock where it reads
 * segments that writers change.
 */
final class ShardCheckpointWriter {
    /**
     * The content of a checkpoint: its LSN and that operation's id, its segments, the changed ones with their state,
     * the ones merged away.
     */
    record Capture(long lsn, long lastOperationId, List<UUID> segmentIds, List<Segment> toPersist,
            List<SegmentSnapshot> snapshots, List<Segment> removed) {}

    private final int shardId;
    private final Path dir;
    private final ShardSegments segments;
    private final ReentrantReadWriteLock lock;
    private final Wal wal;
    private volatile long flushedLsn;

    ShardCheckpointWriter(int shardId, Path dir, ShardSegments segments, Wal wal, long flushedLsn) {
        this.shardId = shardId;
        this.dir = dir;
        this.segments = segments;
        this.lock = segments.lock();
        this.wal = wal;
        this.flushedLsn = flushedLsn;
    }

    /** The LSN of the last checkpoint written: every operation up to it is in the segments' files. */
    long flushedLsn() {
        return flushedLsn;
    }

    /**
     * What a checkpoint holds, captured on the update worker at {@code appliedLsn}, whose operation id is
     * {@code lastOperationId}.
     */
    Capture capture(long appliedLsn, long lastOperationId) {
        List<UUID> ids = new ArrayList<>();
        List<Segment> changed = new ArrayList<>();
        List<SegmentSnapshot> snaps = new ArrayList<>();
        List<Segment> removed;
        lock.readLock().lock(); // excludes a merge's swap (the worker itself is the only other writer)
        try {
            for (Segment seg : segments.list()) {
                ids.add(seg.id());
                if (seg.needsPersist()) {
                    changed.add(seg);
                    snaps.add(seg.snapshot());
                }
            }
            removed = segments.takeRetired();
        } finally {
            lock.readLock().unlock();
        }
        return new Capture(appliedLsn, lastOperationId, ids, changed, snaps, removed);
    }

    /**
     * Persists the captured segments (vectors fsync, then points.bin, then their payload indexes), writes
     * shard_state.json, deletes the segments merged away before it, then truncates the WAL before it.
     */
    void write(Capture c) {
        for (int i = 0; i < c.toPersist().size(); i++) {
            c.toPersist().get(i).persist(c.snapshots().get(i));
        }
        if (!c.toPersist().isEmpty() && !segments.payloadSchema().isEmpty()) {
            lock.readLock().lock(); // no writer: a segment unchanged since its capture saves indexes matching it
            try {
                for (int i = 0; i < c.toPersist().size(); i++) {
                    c.toPersist().get(i).savePayloadIndexesIfCurrent(c.snapshots().get(i));
                }
            } finally {
                lock.readLock().unlock();
            }
        }
        if (c.lsn() == flushedLsn && c.toPersist().isEmpty() && c.removed().isEmpty()) {
            return;
        }
        ShardStateFile.write(dir, new ShardStateFile.State(c.lsn(), c.segmentIds(), c.lastOperationId()));
        flushedLsn = c.lsn();
        for (Segment gone : c.removed()) {
            gone.deleteFiles(); // merged away before this checkpoint, which no longer lists it
        }
        try {
            wal.truncatePrefix(c.lsn() + 1);
        } catch (IOException e) {
            throw new StorageException("cannot truncate the WAL of shard " + shardId, e);
        }
    }
}
