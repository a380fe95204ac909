package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Int8 scalar quantization (Qdrant's {@code scalar} quantization, type int8): a component {@code x} becomes the signed
 * byte {@code c = clamp(round((x - lo) / scale), 0, 254) - 127} (255 levels; -128 is never used, which lets the
 * integer dot kernel sum two products in 16 bits), so {@code x ≈ u + scale * c} with {@code u = lo + 127 * scale}.
 * Every similarity is computed from the integer dot product of codes plus one 4-byte correction per vector:
 * <ul>
 * <li>EUCLID: {@code |a-b|² ≈ scale² (n(a) + n(b) - 2 Σ a_c b_c)} with the int {@code n(v) = Σ v_c²};</li>
 * <li>DOT, COSINE: {@code a·b ≈ scale² Σ a_c b_c + corr(a) + corr(b)} with the float
 * {@code corr(v) = u * scale * Σ v_c + dim * u² / 2};</li>
 * <li>MANHATTAN: {@code scale Σ |a_c - b_c|} (no correction).</li>
 * </ul>
 * A stored record is {@link #codeLength(int)} code bytes (dimension rounded up to 16, zero-padded, so the kernels need
 * no scalar tail), then the 4-byte correction, padded to {@link #codeStride(int)} (a multiple of 64: every record
 * starts on a cache line and brings its correction along). Immutable and threadsafe.
 */
public final class ScalarQuantizer {

    private static final int SAMPLE_VALUES = 1 << 20;

    private final int dimension;
    private final Distance distance;
    private final float lo;
    private final float scale;
    private final float offset; // u
    private final float inverseScale;

    ScalarQuantizer(int dimension, Distance distance, float lo, float scale) {
        this.dimension = dimension;
        this.distance = distance;
        this.lo = lo;
        this.scale = scale;
        this.offset = lo + 127f * scale;
        this.inverseScale = 1f / scale;
    }

    /**
     * Learns the range from (a sample of) the stored vectors: the central {@code config.quantile()} fraction of all
     * component values.
     */
    public static ScalarQuantizer train(VectorStore vectors, Distance distance, ScalarQuantizationConfig config,
                                        long seed) {
        int n = vectors.size();
        int dim = vectors.dimension();
        long total = (long) n * dim;
        int sampleSize = (int) Math.min(total, SAMPLE_VALUES);
        float[] sample = new float[Math.max(1, sampleSize)];
        SplittableRandom random = new SplittableRandom(seed);
        if (total <= SAMPLE_VALUES) {
            int i = 0;
            for (int ord = 0; ord < n; ord++) {
                MemorySegment v = vectors.vector(ord);
                for (int d = 0; d < dim; d++) {
                    sample[i++] = v.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * d);
                }
            }
        } else {
            for (int i = 0; i < sampleSize; i++) {
                int ord = random.nextInt(n);
                int d = random.nextInt(dim);
                sample[i] = vectors.vector(ord).get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * d);
            }
        }
        if (sampleSize == 0) {
            return new ScalarQuantizer(dim, distance, 0f, 1f);
        }
        Arrays.sort(sample);
        double tail = (1.0 - config.quantile()) / 2.0;
        int loIdx = (int) Math.floor(tail * (sampleSize - 1));
        int hiIdx = (int) Math.ceil((1.0 - tail) * (sampleSize - 1));
        float lo = sample[loIdx];
        float hi = sample[hiIdx];
        float scale = hi > lo ? (hi - lo) / 254f : 1f;
        return new ScalarQuantizer(dim, distance, lo, scale);
    }

    public int dimension() {
        return dimension;
    }

    public float lo() {
        return lo;
    }

    public float scale() {
        return scale;
    }

    /** Code bytes per vector that the kernels read: the dimension rounded up to a multiple of 16 (zero-padded). */
    public static int codeLength(int dimension) {
        return (dimension + 15) & ~15;
    }

    /** Bytes per stored record: codes, the 4-byte correction, padding to a multiple of 64. */
    public static int codeStride(int dimension) {
        return (codeLength(dimension) + 4 + 63) & ~63;
    }

    /** The code of one component, in [-127, 127]: the nearest level, halves rounded up (as {@code quantizeI8}). */
    byte code(float x) {
        float y = Math.min(254f, Math.max(0f, (x - lo) * inverseScale));
        return (byte) ((int) (y + 0.5f) - 127);
    }

    /**
     * Quantizes a heap vector into {@code codes} (at least {@link #codeStride} long; the padding stays zero); returns
     * its correction as raw int bits (see the class comment).
     */
    public int quantize(float[] v, byte[] codes) {
        long[] sums = new long[2];
        VectorKernels.active().quantizeI8(v, lo, inverseScale, codes, sums);
        return correctionBits(sums[0], sums[1]);
    }

    /** Quantizes vector {@code src} (float32 at {@code srcOffset}) into {@code dst}; returns its correction bits. */
    int quantize(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset) {
        long sum = 0;
        long sumSq = 0;
        for (int d = 0; d < dimension; d++) {
            byte c = code(src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, srcOffset + 4L * d));
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + d, c);
            sum += c;
            sumSq += c * c;
        }
        return correctionBits(sum, sumSq);
    }

    private int correctionBits(long codeSum, long codeSumSq) {
        if (distance == Distance.EUCLID) {
            return (int) codeSumSq;
        }
        return Float.floatToRawIntBits(
                (float) ((double) offset * scale * codeSum + dimension * (double) offset * offset / 2.0));
    }

    /** The float value a code stands for. */
    float decode(byte c) {
        return offset + scale * c;
    }

    /** A scorer of a (normalised, for COSINE) query against the codes of {@code codes}. */
    NodeScorer scorer(float[] query, QuantizedVectors codes) {
        byte[] q = new byte[codeLength(dimension)];
        int corr = quantize(query, q);
        return new CodeScorer(this, MemorySegment.ofArray(q), corr, codes);
    }

    /** The code records of all vectors in one segment, {@code codeStride(dim)} bytes each from {@code codesOffset}. */
    record QuantizedVectors(MemorySegment segment, long codesOffset, int dim) {
        int correctionBits(int ord) {
            return segment.get(ValueLayout.JAVA_INT_UNALIGNED,
                    codesOffset + (long) ord * codeStride(dim) + codeLength(dim));
        }
    }

    /** Scores int8 codes against a quantized query with the integer kernels. One instance per query. */
    static final class CodeScorer extends NodeScorer {
        private final Distance distance;
        private final MemorySegment query;
        private final int queryCorrectionBits;
        private final float queryCorrection;
        private final MemorySegment codes;
        private final long codesOffset;
        private final QuantizedVectors vectors;
        private final int dim;
        private final int stride;
        private final int length;
        private final float scale;
        private final float scale2;
        private final KernelSupport kernels = VectorKernels.active();

        CodeScorer(ScalarQuantizer quantizer, MemorySegment query, int queryCorrectionBits, QuantizedVectors vectors) {
            this.distance = quantizer.distance;
            this.query = query;
            this.queryCorrectionBits = queryCorrectionBits;
            this.queryCorrection = Float.intBitsToFloat(queryCorrectionBits);
            this.vectors = vectors;
            this.codes = vectors.segment();
            this.codesOffset = vectors.codesOffset();
            this.dim = vectors.dim();
            this.stride = codeStride(dim);
            this.length = codeLength(dim);
            this.scale = quantizer.scale;
            this.scale2 = quantizer.scale * quantizer.scale;
        }

        private final int[] four = new int[4];
        /** Sink of {@link #touch}'s loads, so that the JIT keeps them. */
        private int touched;

        @Override
        void similarities(int[] ords, int count, float[] out) {
            if (distance == Distance.MANHATTAN) {
                super.similarities(ords, count, out);
                return;
            }
            touch(ords, count);
            int i = 0;
            for (; i + 4 <= count; i += 4) {
                kernels.dotI8Bulk4(query, 0L, codes, codesOffset + (long) ords[i] * stride,
                        codesOffset + (long) ords[i + 1] * stride, codesOffset + (long) ords[i + 2] * stride,
                        codesOffset + (long) ords[i + 3] * stride, length, four);
                for (int j = 0; j < 4; j++) {
                    out[i + j] = fromDot(ords[i + j], four[j]);
                }
            }
            for (; i < count; i++) {
                out[i] = similarity(ords[i]);
            }
        }

        private float fromDot(int ord, int dot) {
            if (distance == Distance.EUCLID) {
                return -scale2 * (queryCorrectionBits + vectors.correctionBits(ord) - 2 * dot);
            }
            return scale2 * dot + Float.intBitsToFloat(vectors.correctionBits(ord)) + queryCorrection;
        }

        /**
         * Puts the cache misses of all records about to be scored in flight at once: Java has no prefetch instruction,
         * so this reads one int of every cache line of the records, line 0 of every record first, then line 1, and
         * so on. The loads do not depend on each other, so the CPU overlaps their latencies; the kernels that follow
         * then find most lines arriving or in cache instead of stalling on each record in turn (a beam-search batch
         * is a handful of random records, too few and too short for the hardware prefetcher). Measured: about 15 %
         * less CPU per query on fashion-mnist (an A/B of the same index in one JVM, BENCHMARKS.md).
         */
        private void touch(int[] ords, int count) {
            int t = 0;
            for (int line = 0; line < stride; line += 64) {
                for (int i = 0; i < count; i++) {
                    t ^= codes.get(ValueLayout.JAVA_INT_UNALIGNED, codesOffset + (long) ords[i] * stride + line);
                }
            }
            touched ^= t;
        }

        @Override
        float similarity(int ord) {
            long off = codesOffset + (long) ord * stride;
            return switch (distance) {
                case EUCLID -> -scale2 * (queryCorrectionBits + vectors.correctionBits(ord)
                        - 2 * kernels.dotI8(query, 0L, codes, off, length));
                case MANHATTAN -> -scale * kernels.manhattanI8(query, 0L, codes, off, dim);
                case COSINE, DOT -> scale2 * kernels.dotI8(query, 0L, codes, off, length)
                        + Float.intBitsToFloat(vectors.correctionBits(ord)) + queryCorrection;
            };
        }
    }
}
