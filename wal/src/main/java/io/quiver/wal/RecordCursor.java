package io.quiver.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads records one after another from a segment channel through a private buffer, checking length, CRC32C, flags and
 * LSN of each; the current record's fields and body stay valid until the next call. Single user; it does not own the
 * channel.
 */
final class RecordCursor {
    /** {@link #next} found a valid record. */
    static final int RECORD = 1;
    /** {@link #next} reached the end of the records: a zero length field or too little room for a header. */
    static final int END = 0;
    /** {@link #next} found an invalid record; {@link #problem()} says why. */
    static final int CORRUPT = -1;

    private final FileChannel channel;
    private final Path file;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer;
    private long bufferFileOffset;
    private long position;

    private long recordOffset;
    private long lsn;
    private byte type;
    private byte flags;
    private int rawLength;
    private int bodyOffset;
    private int bodyLength;
    private String problem;

    RecordCursor(FileChannel channel, Path file, int bufferBytes) {
        this.channel = channel;
        this.file = file;
        this.buffer = ByteBuffer.allocate(bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.buffer.limit(0);
    }

    void seek(long offset) {
        position = offset;
    }

    /** File offset of the next record to read. */
    long position() {
        return position;
    }

    /**
     * Reads the record at {@link #position()}, which must end at or before {@code limit}.
     *
     * @param expectedLsn the LSN the record must carry
     * @return {@link #RECORD}, {@link #END} or {@link #CORRUPT}
     */
    int next(long limit, long expectedLsn) throws IOException {
        recordOffset = position;
        problem = null;
        if (limit - position < RecordDescriptor.HEADER_LENGTH) {
            return END;
        }
        fill(position, RecordDescriptor.HEADER_LENGTH, limit);
        int base = (int) (position - bufferFileOffset);
        int recordLength = buffer.getInt(base + RecordDescriptor.LENGTH_OFFSET);
        if (recordLength == 0) {
            return END;
        }
        if (recordLength < RecordDescriptor.HEADER_LENGTH || recordLength > limit - position) {
            problem = "record length " + recordLength + " is invalid or does not fit before offset " + limit;
            return CORRUPT;
        }
        int length = recordLength - RecordDescriptor.HEADER_LENGTH;
        fill(position, RecordDescriptor.HEADER_LENGTH + length, limit);
        base = (int) (position - bufferFileOffset);
        int storedCrc = buffer.getInt(base + RecordDescriptor.CRC_OFFSET);
        crc.reset();
        crc.update(buffer.array(), base + RecordDescriptor.LSN_OFFSET,
                RecordDescriptor.CRC_COVERED_HEADER_LENGTH + length);
        int computedCrc = (int) crc.getValue();
        if (storedCrc != computedCrc) {
            problem = "CRC32C mismatch (stored 0x" + Integer.toHexString(storedCrc) + ", computed 0x"
                    + Integer.toHexString(computedCrc) + ", length " + length + ")";
            return CORRUPT;
        }
        lsn = buffer.getLong(base + RecordDescriptor.LSN_OFFSET);
        type = buffer.get(base + RecordDescriptor.TYPE_OFFSET);
        flags = buffer.get(base + RecordDescriptor.FLAGS_OFFSET);
        rawLength = buffer.getInt(base + RecordDescriptor.RAW_LENGTH_OFFSET);
        short reserved = buffer.getShort(base + RecordDescriptor.RESERVED_OFFSET);
        if ((flags & ~RecordDescriptor.KNOWN_FLAGS) != 0 || reserved != 0) {
            problem = "unknown flags 0x" + Integer.toHexString(flags & 0xff) + " or reserved bits " + reserved;
            return CORRUPT;
        }
        boolean compressed = (flags & RecordDescriptor.FLAG_LZ4) != 0;
        if (compressed ? rawLength <= 0 : rawLength != length) {
            problem = "raw length " + rawLength + " inconsistent with stored length " + length;
            return CORRUPT;
        }
        if (lsn != expectedLsn) {
            problem = "LSN " + lsn + " where " + expectedLsn + " was expected";
            return CORRUPT;
        }
        bodyOffset = base + RecordDescriptor.HEADER_LENGTH;
        bodyLength = length;
        position += RecordDescriptor.HEADER_LENGTH + length;
        return RECORD;
    }

    private void fill(long offset, int needed, long limit) throws IOException {
        if (offset >= bufferFileOffset && offset + needed <= bufferFileOffset + buffer.limit()) {
            return;
        }
        if (needed > buffer.capacity()) {
            buffer = ByteBuffer.allocate(Math.max(needed, buffer.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), limit - offset));
        bufferFileOffset = offset;
        while (buffer.position() < needed) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) {
                throw new EOFException(file + ": unexpected end of file at offset " + (offset + buffer.position())
                        + " while reading a record at " + offset);
            }
        }
        buffer.flip();
    }

    long recordOffset() {
        return recordOffset;
    }

    long lsn() {
        return lsn;
    }

    byte type() {
        return type;
    }

    byte flags() {
        return flags;
    }

    int rawLength() {
        return rawLength;
    }

    /** The array holding the current record's stored body, valid until the next call. */
    byte[] bodyArray() {
        return buffer.array();
    }

    int bodyOffset() {
        return bodyOffset;
    }

    int bodyLength() {
        return bodyLength;
    }

    String problem() {
        return problem;
    }
}
