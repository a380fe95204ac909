package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;

/**
 * Read access to float32 vectors by dense ordinal {@code 0..size()-1}; the index reads them in place and never copies
 * them to the heap. Implementations are owned by their caller (the engine's segment, a mapped file, a test array);
 * they must be safe for concurrent reads once handed to an index.
 */
public interface VectorStore {

    /** Number of float components of every vector. */
    int dimension();

    /** Number of vectors; ordinals are {@code 0..size()-1}. */
    int size();

    /** A slice of {@code dimension()*4} bytes holding vector {@code ord}, float32 in native (little-endian) order. */
    MemorySegment vector(int ord);

    /**
     * Optional fast path: one segment holding every vector back to back, vector {@code ord} at byte offset
     * {@code ord * dimension() * 4}, or {@code null} when the vectors are not contiguous. When present the index
     * reads vectors at offsets of this segment and allocates no slice per distance computation.
     */
    default MemorySegment contiguousVectors() {
        return null;
    }
}
