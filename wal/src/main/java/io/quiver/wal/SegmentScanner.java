package io.quiver.wal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Validates one segment file when a log is opened: header, then every record's length, CRC32C, flags and LSN, and
 * builds the segment's index. A sealed segment must be intact (any bad record is a {@link WalCorruptionException});
 * the tail segment (and one whose sealing was interrupted) is cut back to its last valid record, the cut is logged,
 * and everything after it is zeroed so that no stale bytes can follow later appends. Used only by {@link Wal#open}, on the opening thread.
 */
final class SegmentScanner {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentScanner.class);
    private static final int READ_BUFFER_BYTES = 1 << 20;

    /**
     * The outcome of a scan.
     *
     * @param segment  the segment, its records indexed and published
     * @param sealed   whether its header says it was sealed
     * @param cut      whether a torn or corrupt record was cut off (only when not checked strictly)
     */
    record Scan(Segment segment, boolean sealed, boolean cut) {
    }

    private SegmentScanner() {
    }

    /**
     * Scans the segment file of {@code firstLsn}. A sealed segment that is not the last one is checked strictly: any
     * bad record, or records not ending exactly at its sealed end, is a {@link WalCorruptionException}. Otherwise (the
     * last segment, or one whose sealing was interrupted) the records are cut back to the last valid one, the cut is
     * logged and everything after it is zeroed.
     */
    static Scan scan(WalDirectory directory, long firstLsn, boolean last) throws IOException {
        Path path = directory.segmentPath(firstLsn);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size < SegmentDescriptor.HEADER_LENGTH) {
                throw new WalCorruptionException(path + ": " + size + " bytes, shorter than the segment header ("
                        + SegmentDescriptor.HEADER_LENGTH + ")");
            }
            ByteBuffer header = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining()) {
                if (channel.read(header, header.position()) < 0) {
                    throw new WalCorruptionException(path + ": cannot read the segment header");
                }
            }
            String problem = SegmentDescriptor.problem(header, firstLsn);
            if (problem != null) {
                throw new WalCorruptionException(path + ": invalid segment header: " + problem);
            }
            long sealedEnd = header.getLong(SegmentDescriptor.SEALED_END_OFFSET);
            boolean sealed = sealedEnd != 0;
            boolean strict = sealed && !last;
            Segment segment = new Segment(firstLsn, path);
            RecordCursor cursor = new RecordCursor(channel, path, READ_BUFFER_BYTES);
            cursor.seek(SegmentDescriptor.HEADER_LENGTH);
            long expected = firstLsn;
            while (true) {
                int status = cursor.next(size, expected);
                if (status == RecordCursor.RECORD) {
                    segment.indexRecord(expected, cursor.recordOffset());
                    expected++;
                    continue;
                }
                if (status == RecordCursor.CORRUPT && strict) {
                    throw new WalCorruptionException(path + ": corrupt record at offset " + cursor.recordOffset()
                            + " (LSN " + expected + " expected): " + cursor.problem()
                            + ". The segment is sealed, so this is not a torn write; refusing to open the log");
                }
                break;
            }
            long end = cursor.recordOffset();
            segment.publish(expected - 1, end);
            if (strict) {
                if (end != sealedEnd) {
                    throw new WalCorruptionException(path + ": the segment was sealed at offset " + sealedEnd
                            + " but its records end at offset " + end + " (after LSN " + (expected - 1)
                            + "); refusing to open the log");
                }
                return new Scan(segment, true, false);
            }
            long cleared = clearAfter(channel, end, size);
            boolean cut = cursor.problem() != null;
            if (cleared > 0 || cut) {
                String reason = cut ? cursor.problem() : "non-zero bytes after the last record";
                LOG.warn("WAL {}: torn tail cut at offset {} after LSN {}: {}; {} non-zero byte(s) cleared",
                        path, end, expected - 1, reason, cleared);
                channel.force(false);
            }
            return new Scan(segment, sealed, cut);
        }
    }

    /** Whether the segment file of {@code firstLsn} starts with an all-zero header (its creation never persisted). */
    static boolean headerIsBlank(WalDirectory directory, long firstLsn) throws IOException {
        Path path = directory.segmentPath(firstLsn);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH);
            while (header.hasRemaining()) {
                if (channel.read(header, header.position()) < 0) {
                    break;
                }
            }
            for (int i = 0; i < header.capacity(); i++) {
                if (header.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Durably rewrites the header of the segment file of {@code firstLsn} with {@code sealedEnd} (0: unsealed). */
    static void rewriteHeader(WalDirectory directory, long firstLsn, long sealedEnd) throws IOException {
        try (FileChannel channel = FileChannel.open(directory.segmentPath(firstLsn), StandardOpenOption.WRITE)) {
            SegmentDescriptor.write(channel, SegmentDescriptor.header(firstLsn, sealedEnd));
            channel.force(false);
        }
    }

    /** Zeroes every non-zero chunk of {@code [from, size)}; returns the number of bytes rewritten. */
    private static long clearAfter(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(READ_BUFFER_BYTES);
        byte[] zeros = new byte[READ_BUFFER_BYTES];
        long cleared = 0;
        long at = from;
        while (at < size) {
            int length = (int) Math.min(READ_BUFFER_BYTES, size - at);
            chunk.clear().limit(length);
            while (chunk.hasRemaining()) {
                if (channel.read(chunk, at + chunk.position()) < 0) {
                    break;
                }
            }
            int read = chunk.position();
            if (Arrays.mismatch(chunk.array(), 0, read, zeros, 0, read) >= 0) {
                WalFlusher.zero(channel, at, at + read);
                cleared += read;
            }
            at += Math.max(read, 1);
        }
        return cleared;
    }
}
