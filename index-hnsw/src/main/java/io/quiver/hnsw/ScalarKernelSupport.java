package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain-loop kernels: the reference the Panama kernels are tested against, and the fallback when the
 * jdk.incubator.vector module is absent. Stateless and threadsafe.
 */
final class ScalarKernelSupport implements KernelSupport {

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    @Override
    public float manhattan(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s;
    }

    @Override
    public float dot(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s += a.get(FLOAT, aOffset + 4L * i) * b.get(FLOAT, bOffset + 4L * i);
        }
        return s;
    }

    @Override
    public float squareDistance(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            float d = a.get(FLOAT, aOffset + 4L * i) - b.get(FLOAT, bOffset + 4L * i);
            s += d * d;
        }
        return s;
    }

    @Override
    public float manhattan(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s += Math.abs(a.get(FLOAT, aOffset + 4L * i) - b.get(FLOAT, bOffset + 4L * i));
        }
        return s;
    }

    @Override
    public float dot(float[] a, MemorySegment b, long bOffset) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b.get(FLOAT, bOffset + 4L * i);
        }
        return s;
    }

    @Override
    public float squareDistance(float[] a, MemorySegment b, long bOffset) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b.get(FLOAT, bOffset + 4L * i);
            s += d * d;
        }
        return s;
    }

    @Override
    public float manhattan(float[] a, MemorySegment b, long bOffset) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b.get(FLOAT, bOffset + 4L * i));
        }
        return s;
    }

    @Override
    public int dotI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        int s = 0;
        for (int i = 0; i < dim; i++) {
            s += a.get(ValueLayout.JAVA_BYTE, aOffset + i) * b.get(ValueLayout.JAVA_BYTE, bOffset + i);
        }
        return s;
    }

    @Override
    public int squareDistanceI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        int s = 0;
        for (int i = 0; i < dim; i++) {
            int d = a.get(ValueLayout.JAVA_BYTE, aOffset + i) - b.get(ValueLayout.JAVA_BYTE, bOffset + i);
            s += d * d;
        }
        return s;
    }

    @Override
    public int manhattanI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int dim) {
        int s = 0;
        for (int i = 0; i < dim; i++) {
            s += Math.abs(a.get(ValueLayout.JAVA_BYTE, aOffset + i) - b.get(ValueLayout.JAVA_BYTE, bOffset + i));
        }
        return s;
    }

    @Override
    public void dotBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out) {
        out[0] = dot(q, v, o0);
        out[1] = dot(q, v, o1);
        out[2] = dot(q, v, o2);
        out[3] = dot(q, v, o3);
    }

    @Override
    public void squareDistanceBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out) {
        out[0] = squareDistance(q, v, o0);
        out[1] = squareDistance(q, v, o1);
        out[2] = squareDistance(q, v, o2);
        out[3] = squareDistance(q, v, o3);
    }

    /** The prepared query of the scalar kernels: the codes widened to shorts. */
    @Override
    public short[] prepareDotI8(byte[] codes, int dim) {
        short[] prepared = new short[dim];
        for (int i = 0; i < dim; i++) {
            prepared[i] = codes[i];
        }
        return prepared;
    }

    @Override
    public int dotI8(short[] prepared, MemorySegment v, long offset, int dim) {
        int s = 0;
        for (int i = 0; i < dim; i++) {
            s += prepared[i] * v.get(ValueLayout.JAVA_BYTE, offset + i);
        }
        return s;
    }

    @Override
    public void dotI8Bulk4(short[] prepared, MemorySegment v, long o0, long o1, long o2, long o3, int dim,
                           int[] out) {
        out[0] = dotI8(prepared, v, o0, dim);
        out[1] = dotI8(prepared, v, o1, dim);
        out[2] = dotI8(prepared, v, o2, dim);
        out[3] = dotI8(prepared, v, o3, dim);
    }

    @Override
    public void quantizeI8(float[] src, float lo, float inverseScale, byte[] dst, long[] sums) {
        long sum = 0;
        long sumSq = 0;
        for (int d = 0; d < src.length; d++) {
            float y = Math.min(254f, Math.max(0f, (src[d] - lo) * inverseScale));
            int c = (int) (y + 0.5f) - 127;
            dst[d] = (byte) c;
            sum += c;
            sumSq += c * c;
        }
        sums[0] = sum;
        sums[1] = sumSq;
    }

    @Override
    public void accumulateTerms(Distance distance, float q, float[] x, int xOffset, float[] acc, int accOffset,
                                int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            acc[accOffset + i] += switch (distance) {
                case COSINE, DOT -> q * v;
                case EUCLID -> -(q - v) * (q - v);
                case MANHATTAN -> -Math.abs(q - v);
            };
        }
    }
}
