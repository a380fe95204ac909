package io.quiver.wal;

import java.util.Iterator;

/**
 * A forward cursor over the log's records from a starting LSN, obtained from {@link Wal#reader(long)}. It returns the
 * records written to the segment files (up to {@link Wal#writtenLsn()} as of each {@link #hasNext()}) and never
 * blocks for records not yet written. Each record's CRC is verified; a mismatch throws
 * {@link java.io.UncheckedIOException} wrapping a {@link WalCorruptionException}. Single user: one thread at a time;
 * close it to release its file handles. Concurrent {@code truncateSuffix}/{@code reset} invalidate open readers.
 */
public interface WalReader extends Iterator<WalRecord>, AutoCloseable {
    @Override
    void close();
}
