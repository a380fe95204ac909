package io.quiver.hnsw;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link VectorStore} over one contiguous segment of float32 vectors (vector {@code ord} at byte
 * {@code ord * dim * 4}): either wrapping a caller's segment (e.g. a mapped file) or owning arena memory filled from
 * heap arrays ({@link #copyOf}, in {@link HugePageMemory}). Immutable after construction; threadsafe for reads. {@link #close()} frees owned
 * memory only.
 */
public final class OffHeapVectorStore implements VectorStore, AutoCloseable {

    private final MemorySegment data;
    private final int dimension;
    private final int size;
    private final Arena ownedArenaOrNull;

    private OffHeapVectorStore(MemorySegment data, int dimension, int size, Arena owned) {
        if (data.byteSize() < 4L * dimension * size) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes cannot hold " + size
                    + " vectors of dimension " + dimension);
        }
        this.data = data;
        this.dimension = dimension;
        this.size = size;
        this.ownedArenaOrNull = owned;
    }

    /** Wraps {@code size} vectors laid out back to back in {@code data}; the caller keeps ownership. */
    public static OffHeapVectorStore wrap(MemorySegment data, int dimension, int size) {
        return new OffHeapVectorStore(data, dimension, size, null);
    }

    /** Copies heap vectors off-heap (each normalised to unit length when {@code normalize}, as COSINE requires). */
    public static OffHeapVectorStore copyOf(float[][] vectors, boolean normalize) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        Arena arena = Arena.ofShared();
        MemorySegment seg = HugePageMemory.allocate(Math.max(8, 4L * dim * vectors.length), arena);
        float[] tmp = new float[dim];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i].length != dim) {
                arena.close();
                throw new IllegalArgumentException("vector " + i + " has dimension " + vectors[i].length
                        + ", expected " + dim);
            }
            System.arraycopy(vectors[i], 0, tmp, 0, dim);
            if (normalize) {
                VectorKernels.normalize(tmp);
            }
            MemorySegment.copy(tmp, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * dim * i, dim);
        }
        return new OffHeapVectorStore(seg, dim, vectors.length, arena);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public MemorySegment vector(int ord) {
        return data.asSlice(4L * dimension * ord, 4L * dimension);
    }

    @Override
    public MemorySegment contiguousVectors() {
        return data;
    }

    /** Vector {@code ord} copied to a new heap array (for tests and tools). */
    public float[] toArray(int ord) {
        float[] v = new float[dimension];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * dimension * ord, v, 0, dimension);
        return v;
    }

    @Override
    public void close() {
        if (ownedArenaOrNull != null && ownedArenaOrNull.scope().isAlive()) {
            ownedArenaOrNull.close();
        }
    }
}
