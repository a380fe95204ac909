package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public entry point of the distance kernels: static methods that delegate to the Vector API implementation when
 * the {@code jdk.incubator.vector} module is readable, else (with one logged warning) to the plain-loop twin. Callers
 * never see the Vector API. Cosine is the dot product of unit vectors (vectors are normalised at insert, as in Qdrant):
 * use {@link #normalize}. Stateless and threadsafe.
 */
public final class VectorKernels {

    private static final Logger LOG = LoggerFactory.getLogger(VectorKernels.class);

    private VectorKernels() {
    }

    /** Lazily initialised holder, so that class initialisation of callers cannot deadlock on the provider lookup. */
    private static final class Holder {
        static final KernelSupport ACTIVE = lookup();
        static final KernelSupport SCALAR = new ScalarKernelSupport();
    }

    private static KernelSupport lookup() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warn("jdk.incubator.vector is not available: distance kernels fall back to scalar loops "
                    + "(start the JVM with --add-modules jdk.incubator.vector)");
            return new ScalarKernelSupport();
        }
        try {
            KernelSupport panama = (KernelSupport) Class.forName("io.quiver.hnsw.PanamaKernelSupport")
                    .getDeclaredConstructor().newInstance();
            LOG.debug("distance kernels: Vector API");
            return panama;
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("Vector API kernels unavailable ({}): distance kernels fall back to scalar loops", e.toString());
            return new ScalarKernelSupport();
        }
    }

    /** The implementation in use (Vector API or scalar fallback). */
    public static KernelSupport active() {
        return Holder.ACTIVE;
    }

    /** The plain-loop reference implementation. */
    public static KernelSupport scalar() {
        return Holder.SCALAR;
    }

    /** True when the kernels in use are the Vector API ones. */
    public static boolean isVectorized() {
        return Holder.ACTIVE.name().equals("panama");
    }

    public static float dot(float[] a, float[] b) {
        checkLengths(a.length, b.length);
        return Holder.ACTIVE.dot(a, b);
    }

    /** Cosine similarity of unit vectors, i.e. their dot product. */
    public static float cosine(float[] unitA, float[] unitB) {
        return dot(unitA, unitB);
    }

    public static float squareDistance(float[] a, float[] b) {
        checkLengths(a.length, b.length);
        return Holder.ACTIVE.squareDistance(a, b);
    }

    public static float manhattan(float[] a, float[] b) {
        checkLengths(a.length, b.length);
        return Holder.ACTIVE.manhattan(a, b);
    }

    public static float dot(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.dot(a, aOffset, b, bOffset, dim);
    }

    public static float cosine(MemorySegment unitA, long aOffset, MemorySegment unitB, long bOffset, int dim) {
        return Holder.ACTIVE.dot(unitA, aOffset, unitB, bOffset, dim);
    }

    public static float squareDistance(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.squareDistance(a, aOffset, b, bOffset, dim);
    }

    public static float manhattan(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.manhattan(a, aOffset, b, bOffset, dim);
    }

    public static int dotI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.dotI8(a, aOffset, b, bOffset, dim);
    }

    public static int squareDistanceI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.squareDistanceI8(a, aOffset, b, bOffset, dim);
    }

    public static int manhattanI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        return Holder.ACTIVE.manhattanI8(a, aOffset, b, bOffset, dim);
    }

    /**
     * Scales {@code v} in place to unit length (a zero vector stays zero); returns it. The squared norm is summed in
     * double over four independent chains: a single chain waits out the add latency on every component, and every
     * cosine query pays for this sum.
     */
    public static float[] normalize(float[] v) {
        double n0 = 0;
        double n1 = 0;
        double n2 = 0;
        double n3 = 0;
        int i = 0;
        for (; i + 4 <= v.length; i += 4) {
            n0 += (double) v[i] * v[i];
            n1 += (double) v[i + 1] * v[i + 1];
            n2 += (double) v[i + 2] * v[i + 2];
            n3 += (double) v[i + 3] * v[i + 3];
        }
        for (; i < v.length; i++) {
            n0 += (double) v[i] * v[i];
        }
        double n = (n0 + n1) + (n2 + n3);
        if (n > 0) {
            float inv = (float) (1.0 / Math.sqrt(n));
            for (int d = 0; d < v.length; d++) {
                v[d] *= inv;
            }
        }
        return v;
    }

    private static void checkLengths(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("vector lengths differ: " + a + " vs " + b);
        }
    }
}
