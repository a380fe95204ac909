package io.quiver.engine.segment;

import io.quiver.engine.StorageException;
import io.quiver.hnsw.VectorStore;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.ReferenceOwner;

/**
 * A segment's float32 vectors in one memory-mapped file ({@code vectors.bin}), mapped through chronicle-bytes as a
 * single chunk and exposed to the index as {@link MemorySegment} slices: nothing is copied to the heap.
 *
 * <p>Layout ({@link VectorFileDescriptor}): a 64-byte header (magic, format version, dimension, segment uuid), then
 * vector {@code ord} at {@code HEADER_BYTES + ord * dim * 4}. The CRC of the first {@code count} vectors is kept in
 * the segment's {@code points.bin} (written at each checkpoint), because this file grows in place.
 *
 * <p>Single writer: the shard's update worker appends and grows the mapping, under the shard's write lock; readers
 * (searches under the read lock, the index builder on sealed segments) see vectors below the published
 * {@link #size()}.
 */
public final class MappedVectorStore implements VectorStore, AutoCloseable {
    private static final ReferenceOwner OWNER = ReferenceOwner.temporary("MappedVectorStore");

    private final Path file;
    private final int dim;
    private final int vectorBytes;
    private MappedFile mapped;
    private MappedBytesStore store;
    private MemorySegment whole;
    private MemorySegment vectors;
    private long capacityVectors;
    private volatile int size;
    private boolean closed;

    private MappedVectorStore(Path file, int dim) {
        this.file = file;
        this.dim = dim;
        this.vectorBytes = dim * Float.BYTES;
    }

    /**
     * The bytes of a vector file that hold its header and first {@code count} vectors: all {@link #open} needs (the
     * rest of the file is preallocated room, which a copy may leave out).
     */
    public static long usedBytes(int dim, int count) {
        return VectorFileDescriptor.HEADER_BYTES + (long) count * dim * Float.BYTES;
    }

    /** Creates a new file with room for {@code capacityVectors} (the mapping grows when needed). */
    public static MappedVectorStore create(Path file, int dim, UUID segmentId, long capacityVectors) {
        MappedVectorStore s = new MappedVectorStore(file, dim);
        s.map(Math.max(16, capacityVectors));
        VectorFileDescriptor.writeHeader(s.whole, dim, segmentId);
        s.size = 0;
        return s;
    }

    /** Maps an existing file holding {@code count} valid vectors and checks its header. */
    public static MappedVectorStore open(Path file, int dim, UUID segmentId, int count, long capacityVectors) {
        if (!file.toFile().isFile()) {
            throw new StorageException("missing vector file " + file);
        }
        MappedVectorStore s = new MappedVectorStore(file, dim);
        long onDisk = (file.toFile().length() - VectorFileDescriptor.HEADER_BYTES) / s.vectorBytes;
        if (onDisk < count) {
            throw new StorageException("vector file " + file + " holds " + onDisk + " vectors, expected " + count);
        }
        s.map(Math.max(Math.max(16, capacityVectors), count));
        VectorFileDescriptor.checkHeader(s.whole, file, dim, segmentId);
        s.size = count;
        return s;
    }

    private void map(long capacity) {
        long bytes = VectorFileDescriptor.HEADER_BYTES + capacity * vectorBytes;
        long rounded = (bytes + 4095) & ~4095L;
        try {
            MappedFile mf = MappedFile.ofSingle(new File(file.toString()), rounded, false);
            MappedBytesStore st = mf.acquireByteStore(OWNER, 0);
            long address = st.addressForRead(0);
            MemorySegment seg = MemorySegment.ofAddress(address).reinterpret(rounded);
            MappedFile oldFile = this.mapped;
            MappedBytesStore oldStore = this.store;
            this.mapped = mf;
            this.store = st;
            this.whole = seg;
            this.vectors = seg.asSlice(VectorFileDescriptor.HEADER_BYTES);
            this.capacityVectors = (rounded - VectorFileDescriptor.HEADER_BYTES) / vectorBytes;
            release(oldFile, oldStore);
        } catch (IOException e) {
            throw new StorageException("cannot map " + file, e);
        }
    }

    /**
     * Gives back a mapping: our reservation of the store, then the file. chronicle-bytes creates a single-mapped file's
     * store with a reservation of its own, which the file returns on release only when the JVM runs with
     * {@code -DmappedFile.retain=true}; so that reservation is returned here too, or the region would stay mapped
     * (and a deleted segment's disk space held) until the process exits.
     */
    private static void release(MappedFile mf, MappedBytesStore st) {
        if (st != null) {
            st.release(OWNER);
        }
        if (mf != null) {
            mf.releaseLast();
        }
        if (st != null && mf != null && st.refCount() > 0) {
            st.release(mf);
        }
    }

    /** Writes vector {@code ord} (must be {@link #size()}) and publishes it. Writer thread only. */
    public void append(int ord, float[] vector) {
        if (ord != size) {
            throw new IllegalStateException("append at " + ord + " but size is " + size);
        }
        if (ord >= capacityVectors) {
            map(Math.max(capacityVectors * 2, ord + 16L));
        }
        MemorySegment.copy(vector, 0, vectors, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) ord * vectorBytes, dim);
        size = ord + 1;
    }

    /** Drops vectors from {@code count} on (replay restarts the appendable segment at its checkpointed count). */
    public void truncateTo(int count) {
        size = count;
    }

    @Override
    public int dimension() {
        return dim;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public MemorySegment vector(int ord) {
        return vectors.asSlice((long) ord * vectorBytes, vectorBytes);
    }

    @Override
    public MemorySegment contiguousVectors() {
        return vectors;
    }

    /** A heap copy of one vector (for with_vector answers). */
    public float[] copyOf(int ord) {
        float[] out = new float[dim];
        MemorySegment.copy(vectors, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) ord * vectorBytes, out, 0, dim);
        return out;
    }

    /** A direct view of {@code n} vectors from {@code ord} (for checksums). */
    public java.nio.ByteBuffer bytesOf(int ord, int n) {
        return vectors.asSlice((long) ord * vectorBytes, (long) n * vectorBytes).asByteBuffer();
    }

    /** CRC32C of the first {@code count} vectors. */
    public long crcOf(int count) {
        CRC32C crc = new CRC32C();
        crc.update(vectors.asSlice(0, (long) count * vectorBytes).asByteBuffer());
        return crc.getValue();
    }

    /** Forces the file's dirty pages to disk (fsync of the file: on Linux it covers pages written through the map). */
    public void force() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(false);
        } catch (IOException e) {
            throw new StorageException("cannot fsync " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Unmaps the file. Idempotent; callers make sure no reader still uses a slice. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release(mapped, store);
            mapped = null;
            store = null;
        }
    }
}
