package io.quiver.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one log record (little-endian), and the CRC rule. Static layout only; threadsafe.
 *
 * <pre>
 *  offset size field
 *   0     4    length      record length in bytes, header included (so >= 24; 0 marks the end of the records)
 *   4     4    crc         CRC32C over bytes [8, 24) of this header, then the stored body
 *   8     8    lsn         log sequence number
 *  16     1    type        caller-defined type byte
 *  17     1    flags       bit 0: body is lz4-compressed (LZ4 block format); other bits must be 0
 *  18     2    reserved    0
 *  20     4    rawLength   payload length before compression (= length - 24 when not compressed)
 *  24     length - 24 bytes: the body (the payload, or its lz4 block)
 * </pre>
 * Records are packed back to back (no padding) and never span two segments.
 */
final class RecordDescriptor {
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int LSN_OFFSET = 8;
    static final int TYPE_OFFSET = 16;
    static final int FLAGS_OFFSET = 17;
    static final int RESERVED_OFFSET = 18;
    static final int RAW_LENGTH_OFFSET = 20;
    static final int HEADER_LENGTH = 24;
    /** Bytes of the header covered by the CRC: [LSN_OFFSET, HEADER_LENGTH). */
    static final int CRC_COVERED_HEADER_LENGTH = HEADER_LENGTH - LSN_OFFSET;

    static final byte FLAG_LZ4 = 1;
    static final byte KNOWN_FLAGS = FLAG_LZ4;

    private RecordDescriptor() {
    }

    /** Writes the CRC-covered part of a header (lsn, type, flags, reserved, rawLength) into {@code dst} at its position. */
    static void putCoveredHeader(ByteBuffer dst, long lsn, byte type, byte flags, int rawLength) {
        dst.putLong(lsn).put(type).put(flags).putShort((short) 0).putInt(rawLength);
    }

    /**
     * CRC32C of a record: over the covered header fields, then the body. {@code scratch} is a little-endian buffer of at
     * least {@link #CRC_COVERED_HEADER_LENGTH} bytes; both scratch objects belong to the calling thread.
     */
    static int crc(CRC32C crc, ByteBuffer scratch, long lsn, byte type, byte flags, int rawLength,
                   byte[] body, int bodyOffset, int bodyLength) {
        scratch.clear();
        putCoveredHeader(scratch, lsn, type, flags, rawLength);
        crc.reset();
        crc.update(scratch.array(), 0, CRC_COVERED_HEADER_LENGTH);
        crc.update(body, bodyOffset, bodyLength);
        return (int) crc.getValue();
    }

    static ByteBuffer newScratch() {
        return ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    }
}
