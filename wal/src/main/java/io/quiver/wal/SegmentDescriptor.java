package io.quiver.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of a segment file's header (little-endian) and of segment file names. Static layout only; threadsafe.
 *
 * <pre>
 *  offset size field
 *   0     4    magic          0x4C415751 ("QWAL" read as bytes)
 *   4     4    formatVersion  1
 *   8     8    firstLsn       LSN of the segment's first record (also its file name, 20 digits + ".wal")
 *  16     4    headerLength   32
 *  20     8    sealedEnd      0 while the segment is (or may become again) the active one; once the segment and
 *                             its successor's creation are durable, the offset just past its last record
 *  28     4    crc            CRC32C of bytes [0, 28)
 *  32          records (see {@link RecordDescriptor}), then zero-filled preallocated space
 * </pre>
 * A sealed segment ({@code sealedEnd != 0}) must be intact up to exactly {@code sealedEnd}. A segment that is not the
 * last one and has {@code sealedEnd == 0} was being sealed when the log stopped: nothing after it was ever reported
 * durable, so a torn record there cuts the log (see {@link SegmentScanner}).
 */
final class SegmentDescriptor {
    static final int MAGIC = 0x4C415751;
    static final int FORMAT_VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int FIRST_LSN_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 16;
    static final int SEALED_END_OFFSET = 20;
    static final int CRC_OFFSET = 28;
    static final int HEADER_LENGTH = 32;

    static final String SUFFIX = ".wal";
    static final int NAME_DIGITS = 20;

    private SegmentDescriptor() {
    }

    static String fileName(long firstLsn) {
        String digits = Long.toString(firstLsn);
        return "0".repeat(NAME_DIGITS - digits.length()) + digits + SUFFIX;
    }

    /** The first LSN a segment file name stands for, or -1 when the name is not a segment's. */
    static long parseFileName(String name) {
        if (name.length() != NAME_DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < NAME_DIGITS; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, NAME_DIGITS, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A complete header for a segment starting at {@code firstLsn}, positioned at 0. */
    static ByteBuffer header(long firstLsn) {
        return header(firstLsn, 0);
    }

    /** A complete header for a segment starting at {@code firstLsn}, sealed at {@code sealedEnd} (0: not sealed). */
    static ByteBuffer header(long firstLsn, long sealedEnd) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_OFFSET, MAGIC)
                .putInt(VERSION_OFFSET, FORMAT_VERSION)
                .putLong(FIRST_LSN_OFFSET, firstLsn)
                .putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH)
                .putLong(SEALED_END_OFFSET, sealedEnd);
        header.putInt(CRC_OFFSET, crc(header));
        return header;
    }

    /** Writes {@code header} at offset 0 of {@code channel} (does not force). */
    static void write(java.nio.channels.FileChannel channel, ByteBuffer header) throws java.io.IOException {
        header.rewind();
        long at = 0;
        while (header.hasRemaining()) {
            at += channel.write(header, at);
        }
    }

    static int crc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), header.arrayOffset(), CRC_OFFSET);
        return (int) crc.getValue();
    }

    /** Why {@code header} (a little-endian heap buffer of {@link #HEADER_LENGTH} bytes) is not valid, or null if it is. */
    static String problem(ByteBuffer header, long expectedFirstLsn) {
        int magic = header.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic) + " (expected 0x" + Integer.toHexString(MAGIC) + ")";
        }
        int stored = header.getInt(CRC_OFFSET);
        int computed = crc(header);
        if (stored != computed) {
            return "header CRC mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                    + Integer.toHexString(computed) + ")";
        }
        int version = header.getInt(VERSION_OFFSET);
        if (version != FORMAT_VERSION) {
            return "unsupported format version " + version + " (this build reads version " + FORMAT_VERSION + ")";
        }
        if (header.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH) {
            return "unexpected header length " + header.getInt(HEADER_LENGTH_OFFSET);
        }
        long sealedEnd = header.getLong(SEALED_END_OFFSET);
        if (sealedEnd != 0 && sealedEnd < HEADER_LENGTH) {
            return "invalid sealed end " + sealedEnd;
        }
        long firstLsn = header.getLong(FIRST_LSN_OFFSET);
        if (firstLsn != expectedFirstLsn) {
            return "header first LSN " + firstLsn + " does not match the file name (" + expectedFirstLsn + ")";
        }
        return null;
    }
}
