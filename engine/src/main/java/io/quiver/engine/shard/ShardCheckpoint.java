package io.quiver.engine.shard;

import io.quiver.wal.Wal;
import io.quiver.wal.WalReader;
import io.quiver.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A shard's latest checkpoint as handed to a snapshot writer by {@link Shard#readCheckpoint}: every operation up to
 * {@link #flushedLsn()} is in the files of {@link #segments()}, and none of those files changes or disappears while
 * the reader runs (no other checkpoint can run meanwhile). The WAL records after the checkpoint can be read too.
 *
 * <p>Valid only inside the {@link Reader} call it was given to; used by that one thread.
 */
public final class ShardCheckpoint {
    private final int shardId;
    private final Path shardDir;
    private final long flushedLsn;
    private final List<UUID> segments;
    private final Wal wal;

    /** Reads a checkpoint while it is held stable (a snapshot copies its files). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ShardCheckpoint checkpoint) throws IOException;
    }

    ShardCheckpoint(int shardId, Path shardDir, long flushedLsn, List<UUID> segments, Wal wal) {
        this.shardId = shardId;
        this.shardDir = shardDir;
        this.flushedLsn = flushedLsn;
        this.segments = List.copyOf(segments);
        this.wal = wal;
    }

    public int shardId() {
        return shardId;
    }

    /** The directory of segment {@code id} ({@code <shard>/segments/<uuid>/}). */
    public Path segmentDir(UUID id) {
        return shardDir.resolve("segments").resolve(id.toString());
    }

    public long flushedLsn() {
        return flushedLsn;
    }

    public List<UUID> segments() {
        return segments;
    }

    /**
     * The WAL records written after the checkpoint, up to the last one written when this is called (possibly not
     * yet durable or applied: they are a consistent continuation of the checkpoint).
     */
    public void forEachWalRecordAfterCheckpoint(java.util.function.Consumer<WalRecord> sink) {
        long last = wal.writtenLsn();
        if (last <= flushedLsn) {
            return;
        }
        try (WalReader reader = wal.reader(flushedLsn + 1)) {
            while (reader.hasNext()) {
                WalRecord r = reader.next();
                if (r.lsn() > last) {
                    break;
                }
                sink.accept(r);
            }
        }
    }
}
