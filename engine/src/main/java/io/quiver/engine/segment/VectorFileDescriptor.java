package io.quiver.engine.segment;

import io.quiver.engine.StorageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Layout of {@code vectors.bin}'s 64-byte header: int magic "QVEC", int format version, int dimension, int reserved,
 * long uuid-msb, long uuid-lsb, then zero padding. Static layout only.
 */
final class VectorFileDescriptor {
    static final int MAGIC = 0x51564543; // "QVEC"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 64;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private VectorFileDescriptor() {}

    static void writeHeader(MemorySegment s, int dim, UUID id) {
        s.set(INT, 0, MAGIC);
        s.set(INT, 4, FORMAT_VERSION);
        s.set(INT, 8, dim);
        s.set(LONG, 16, id.getMostSignificantBits());
        s.set(LONG, 24, id.getLeastSignificantBits());
    }

    static void checkHeader(MemorySegment s, Path file, int dim, UUID id) {
        if (s.get(INT, 0) != MAGIC) {
            throw new StorageException("not a vector file (bad magic): " + file);
        }
        if (s.get(INT, 4) != FORMAT_VERSION) {
            throw new StorageException("unsupported vector file version " + s.get(INT, 4) + ": " + file);
        }
        if (s.get(INT, 8) != dim) {
            throw new StorageException("vector file " + file + " has dimension " + s.get(INT, 8) + ", expected " + dim);
        }
        if (s.get(LONG, 16) != id.getMostSignificantBits() || s.get(LONG, 24) != id.getLeastSignificantBits()) {
            throw new StorageException("vector file " + file + " belongs to another segment");
        }
    }
}
