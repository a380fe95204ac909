package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;

/**
 * The distance kernels, in two implementations picked by {@link VectorKernels}: {@code PanamaKernelSupport}
 * (jdk.incubator.vector) and its scalar twin {@code ScalarKernelSupport}. Float vectors are float32 little-endian when
 * in a {@link MemorySegment}; int8 codes are signed bytes. Implementations are stateless and threadsafe.
 */
public interface KernelSupport {

    /** A short name for logs and benchmarks ("panama" or "scalar"). */
    String name();

    float dot(float[] a, float[] b);

    float squareDistance(float[] a, float[] b);

    float manhattan(float[] a, float[] b);

    float dot(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    float squareDistance(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    float manhattan(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    /** Heap query against a vector in a segment: the search hot path. */
    float dot(float[] a, MemorySegment b, long bOffset);

    float squareDistance(float[] a, MemorySegment b, long bOffset);

    float manhattan(float[] a, MemorySegment b, long bOffset);

    /**
     * Dot products of one heap query with four vectors of one segment (at byte offsets {@code o0..o3}), written to
     * {@code out[0..3]}. Streaming four vectors at once keeps more memory loads in flight than four separate calls.
     */
    void dotBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out);

    /** Squared distances of one heap query to four vectors of one segment; see {@link #dotBulk4}. */
    void squareDistanceBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out);

    /**
     * A query's int8 codes ({@code codes[0..dim)}, in [-127, 127]) laid out for {@link #dotI8(short[], MemorySegment,
     * long, int)}: opaque to callers, read only by the implementation that prepared it. Made once per query.
     */
    short[] prepareDotI8(byte[] codes, int dim);

    /**
     * Sum of products of a prepared query with the {@code dim} int8 codes at {@code offset} of {@code v}. May read up
     * to {@code roundUp(dim, 64)} bytes from {@code offset} (code records are padded to a multiple of 64 bytes); the
     * bytes past {@code dim} do not count.
     */
    int dotI8(short[] prepared, MemorySegment v, long offset, int dim);

    /** {@link #dotI8(short[], MemorySegment, long, int)} of one prepared query with four records, into {@code out[0..3]}. */
    void dotI8Bulk4(short[] prepared, MemorySegment v, long o0, long o1, long o2, long o3, int dim, int[] out);

    /**
     * Int8 scalar quantization of {@code src} into {@code dst[0..src.length)}: the code of {@code x} is
     * {@code (int) (clamp((x - lo) * inverseScale, 0, 254) + 0.5f) - 127} (see {@link ScalarQuantizer}). Writes the
     * sum of the codes to {@code sums[0]} and the sum of their squares to {@code sums[1]}. Both implementations give
     * identical codes.
     */
    void quantizeI8(float[] src, float lo, float inverseScale, byte[] dst, long[] sums);

    /** Sum of products of two int8 code vectors; codes must lie in [-127, 127] (-128 is not a valid code). */
    int dotI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    /** Sum of squared differences of two int8 code vectors. */
    int squareDistanceI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    /** Sum of absolute differences of two int8 code vectors. */
    int manhattanI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim);

    /**
     * One query component's terms against {@code n} values (a product-quantization query table, one bucket component
     * over its 256 centroids): {@code acc[accOffset + i] += term(q, x[xOffset + i])} for {@code i < n}, with the term
     * {@code q * x} for COSINE and DOT, {@code -(q - x)²} for EUCLID, {@code -|q - x|} for MANHATTAN.
     */
    void accumulateTerms(Distance distance, float q, float[] x, int xOffset, float[] acc, int accOffset, int n);
}
