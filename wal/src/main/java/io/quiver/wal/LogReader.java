package io.quiver.wal;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The {@link WalReader} of a {@link Wal}: walks the published segments with its own read-only channel, positioned by
 * each segment's sparse index, verifying each record. Single user; closes its channel on {@link #close()}.
 */
final class LogReader implements WalReader {
    private static final int READ_BUFFER_BYTES = 64 << 10;
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();

    private final WalFlusher source;
    private long nextLsn;
    private Segment segment;
    private FileChannel channel;
    private RecordCursor cursor;
    private long cursorLsn = -1;
    private WalRecord next;
    private boolean closed;

    LogReader(WalFlusher source, long fromLsn) {
        this.source = source;
        this.nextLsn = fromLsn;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed || nextLsn > source.writtenLsn()) {
            return false;
        }
        try {
            if (segment == null || !segment.contains(nextLsn) || cursorLsn != nextLsn) {
                position(nextLsn);
            }
            if (cursor.next(segment.endOffset(), nextLsn) != RecordCursor.RECORD) {
                throw unreadable(nextLsn);
            }
            next = new WalRecord(nextLsn, cursor.type(), body());
            nextLsn++;
            cursorLsn = nextLsn;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public WalRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no record " + nextLsn + " written yet");
        }
        WalRecord record = next;
        next = null;
        return record;
    }

    private void position(long lsn) throws IOException {
        Segment found = find(source.segments(), lsn);
        if (found == null) {
            throw new IllegalStateException("LSN " + lsn + " is not retained by the log (truncated or reset)");
        }
        if (found != segment) {
            closeChannel();
            channel = FileChannel.open(found.path(), StandardOpenOption.READ);
            cursor = new RecordCursor(channel, found.path(), READ_BUFFER_BYTES);
            segment = found;
        }
        int slot = found.slotAtOrBefore(lsn);
        long at = found.lsnOfSlot(slot);
        cursor.seek(found.offsetOfSlot(slot));
        while (at < lsn) {
            if (cursor.next(found.endOffset(), at) != RecordCursor.RECORD) {
                throw unreadable(at);
            }
            at++;
        }
        cursorLsn = lsn;
    }

    private static Segment find(Segment[] segments, long lsn) {
        int low = 0;
        int high = segments.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Segment s = segments[mid];
            if (lsn < s.firstLsn()) {
                high = mid - 1;
            } else if (lsn > s.lastLsn()) {
                low = mid + 1;
            } else {
                return s;
            }
        }
        return null;
    }

    private byte[] body() throws WalCorruptionException {
        byte[] array = cursor.bodyArray();
        int offset = cursor.bodyOffset();
        int length = cursor.bodyLength();
        if ((cursor.flags() & RecordDescriptor.FLAG_LZ4) == 0) {
            return Arrays.copyOfRange(array, offset, offset + length);
        }
        byte[] raw = new byte[cursor.rawLength()];
        try {
            int n = DECOMPRESSOR.decompress(array, offset, length, raw, 0, raw.length);
            if (n != raw.length) {
                throw new WalCorruptionException(segment.path() + ": LSN " + cursor.lsn() + " decompressed to " + n
                        + " bytes, expected " + raw.length);
            }
        } catch (LZ4Exception e) {
            throw new WalCorruptionException(segment.path() + ": LSN " + cursor.lsn()
                    + " has an undecodable lz4 body: " + e.getMessage());
        }
        return raw;
    }

    private WalCorruptionException unreadable(long lsn) {
        return new WalCorruptionException(segment.path() + ": cannot read LSN " + lsn + " at offset "
                + cursor.recordOffset() + ": "
                + (cursor.problem() != null ? cursor.problem() : "the records end before it"));
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        next = null;
        closeChannel();
    }
}
