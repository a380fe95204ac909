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
 * That is the <em>global</em> scaling, Qdrant's: one range for every component of every vector. For EUCLID, DOT and
 * COSINE with the default quantile 1.0 the quantizer scales <em>per vector</em> instead (as LVQ, Aguerrebere et al.
 * 2023): the data's mean vector {@code μ} is subtracted, and each vector gets its own range, so that
 * {@code x ≈ μ + u_x + s_x * c} with the vector's own offset {@code u_x} and step {@code s_x}. A few large components
 * anywhere in the data (unit-normalised images: a maximum component 5.7× the median vector's largest) then no longer
 * coarsen every other vector's grid. Four float terms per record make every similarity again one integer dot product
 * plus a few flops (see {@link PerVectorScorer}):
 * {@code u_x}, {@code s_x}, {@code S_x = s_x Σ c} and, for EUCLID, {@code N_x = s_x² Σ c²}, for DOT and COSINE
 * {@code M_x = μ · (u_x + s_x c)}. MANHATTAN, and an explicit quantile below 1 (which clips the one global range),
 * keep the global scaling.
 * <p>A stored record is {@link #codeLength(int)} code bytes (dimension rounded up to 16, zero-padded, so the kernels
 * need no scalar tail) and {@link #TERMS_BYTES} of terms (global scaling: the 4-byte correction; per vector: the four
 * floats). Records are {@link #codeStride(int, boolean)} apart, a multiple of 64, so every record starts on a cache
 * line (the dot-product kernel may read a record in whole blocks of up to 64 bytes). Where the terms fit in the last
 * line's padding (code length 784: 16 code bytes in the last line) they follow the codes and arrive with them; where
 * they would add a line to every record (code lengths that are multiples of 64, as 128, 768 or 1536: 3 lines instead
 * of 2 at 128 dimensions) they live apart, in a dense table of 16 bytes per record ({@link #termsApart(int)}).
 * Immutable and threadsafe.
 */
public final class ScalarQuantizer {

    private static final int SAMPLE_VALUES = 1 << 20;
    /** Vectors averaged for the per-vector scaling's centre. */
    private static final int CENTRE_SAMPLE = 1 << 16;
    /** Bytes of a record's terms: the global correction (4, the rest zero) or the per-vector terms (16). */
    static final int TERMS_BYTES = 16;

    private final int dimension;
    private final Distance distance;
    private final float lo;
    private final float scale;
    private final float offset; // u
    private final float inverseScale;
    /** Per-vector scaling: the mean vector subtracted before each vector is scaled to its own range; null: global. */
    private final float[] centreOrNull;
    private final double centreSum;
    private final double centreNormSquared;

    ScalarQuantizer(int dimension, Distance distance, float lo, float scale) {
        this.dimension = dimension;
        this.distance = distance;
        this.lo = lo;
        this.scale = scale;
        this.offset = lo + 127f * scale;
        this.inverseScale = 1f / scale;
        this.centreOrNull = null;
        this.centreSum = 0;
        this.centreNormSquared = 0;
    }

    /** A per-vector quantizer around {@code centre} (see the class comment); not for MANHATTAN. */
    ScalarQuantizer(int dimension, Distance distance, float[] centre) {
        if (distance == Distance.MANHATTAN || centre.length != dimension) {
            throw new IllegalArgumentException("per-vector scaling needs EUCLID, DOT or COSINE and a centre of "
                    + dimension + " components");
        }
        this.dimension = dimension;
        this.distance = distance;
        this.lo = 0f;
        this.scale = 1f;
        this.offset = 127f;
        this.inverseScale = 1f;
        this.centreOrNull = centre.clone();
        double sum = 0;
        double normSquared = 0;
        for (float c : centre) {
            sum += c;
            normSquared += (double) c * c;
        }
        this.centreSum = sum;
        this.centreNormSquared = normSquared;
    }

    /** True when every vector has its own range around the data's mean (false: one global range). */
    public boolean perVector() {
        return centreOrNull != null;
    }

    /** The mean vector that per-vector scaling subtracts (a copy); null for the global scaling. */
    float[] centreOrNull() {
        return centreOrNull == null ? null : centreOrNull.clone();
    }

    /**
     * Learns the quantization from (a sample of) the stored vectors: per-vector scaling around their mean for EUCLID,
     * DOT and COSINE at quantile 1.0, otherwise the one range of the central {@code config.quantile()} fraction of all
     * component values.
     */
    public static ScalarQuantizer train(VectorStore vectors, Distance distance, ScalarQuantizationConfig config,
                                        long seed) {
        int n = vectors.size();
        int dim = vectors.dimension();
        if (config.quantile() >= 1.0f && distance != Distance.MANHATTAN && n > 0) {
            return new ScalarQuantizer(dim, distance, meanOfSample(vectors, seed));
        }
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

    /** The mean of all vectors, or of a random sample of {@link #CENTRE_SAMPLE} of them. */
    private static float[] meanOfSample(VectorStore vectors, long seed) {
        int n = vectors.size();
        int dim = vectors.dimension();
        int count = Math.min(n, CENTRE_SAMPLE);
        SplittableRandom random = new SplittableRandom(seed);
        double[] sum = new double[dim];
        for (int i = 0; i < count; i++) {
            MemorySegment v = vectors.vector(count == n ? i : random.nextInt(n));
            for (int d = 0; d < dim; d++) {
                sum[d] += v.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * d);
            }
        }
        float[] mean = new float[dim];
        for (int d = 0; d < dim; d++) {
            mean[d] = (float) (sum[d] / count);
        }
        return mean;
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

    /**
     * Whether records of this dimension keep their terms in a table of their own: exactly when the terms would not
     * fit in the padding of the record's last cache line.
     */
    public static boolean termsApart(int dimension) {
        return inlineStride(dimension) > codesOnlyStride(dimension);
    }

    /**
     * Bytes from one record to the next: the codes padded to a multiple of 64, plus the terms when
     * {@code termsApart} is false (index format 3 and older: always false).
     */
    public static int codeStride(int dimension, boolean termsApart) {
        return termsApart ? codesOnlyStride(dimension) : inlineStride(dimension);
    }

    private static int inlineStride(int dimension) {
        return (codeLength(dimension) + TERMS_BYTES + 63) & ~63;
    }

    private static int codesOnlyStride(int dimension) {
        return (codeLength(dimension) + 63) & ~63;
    }

    /** The code of one component, in [-127, 127]: the nearest level, halves rounded up (as {@code quantizeI8}). */
    byte code(float x) {
        float y = Math.min(254f, Math.max(0f, (x - lo) * inverseScale));
        return (byte) ((int) (y + 0.5f) - 127);
    }

    /**
     * Quantizes a heap vector into {@code codes} (at least {@link #codeLength} long; the padding stays zero); returns
     * its correction as raw int bits (see the class comment).
     */
    public int quantize(float[] v, byte[] codes) {
        long[] sums = new long[2];
        VectorKernels.active().quantizeI8(v, lo, inverseScale, codes, sums);
        return correctionBits(sums[0], sums[1]);
    }

    /**
     * Writes the codes of vector {@code src} (float32 at {@code srcOffset}) at {@code dstOffset} and its terms at
     * {@code termsAt}: the correction (global scaling) or the four per-vector terms.
     */
    void encode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long termsAt) {
        if (centreOrNull == null) {
            dst.set(ValueLayout.JAVA_INT_UNALIGNED, termsAt, quantize(src, srcOffset, dst, dstOffset));
            return;
        }
        float[] x = new float[dimension];
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, srcOffset, x, 0, dimension);
        byte[] codes = new byte[codeLength(dimension)];
        float[] terms = perVectorCodes(x, codes);
        MemorySegment.copy(codes, 0, dst, ValueLayout.JAVA_BYTE, dstOffset, dimension);
        for (int t = 0; t < 4; t++) {
            dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, termsAt + 4L * t, terms[t]);
        }
    }

    /**
     * Per-vector scaling of vector {@code x} (a stored vector or a query): centres it, writes its codes into
     * {@code codes} and returns its terms {@code u, s, S, N|M} (see the class comment).
     */
    private float[] perVectorCodes(float[] x, byte[] codes) {
        float[] w = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            w[d] = x[d] - centreOrNull[d];
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int d = 0; d < dimension; d++) {
            min = Math.min(min, w[d]);
            max = Math.max(max, w[d]);
        }
        float step = max > min ? (max - min) / 254f : 1f;
        long[] sums = new long[2];
        VectorKernels.active().quantizeI8(w, min, 1f / step, codes, sums);
        float u = min + 127f * step;
        float last;
        if (distance == Distance.EUCLID) {
            last = (float) ((double) step * step * sums[1]);
        } else {
            double centreDotCodes = 0;
            for (int d = 0; d < dimension; d++) {
                centreDotCodes += (double) centreOrNull[d] * codes[d];
            }
            last = (float) (u * centreSum + step * centreDotCodes);
        }
        return new float[] {u, step, (float) ((double) step * sums[0]), last};
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
        if (centreOrNull != null) {
            byte[] q = new byte[codeLength(dimension)];
            float[] terms = perVectorCodes(query, q);
            return new PerVectorScorer(this, q, terms, codes);
        }
        byte[] q = new byte[codeLength(dimension)];
        int corr = quantize(query, q);
        return new CodeScorer(this, q, corr, codes);
    }

    /**
     * The code records of all vectors in one segment, {@code stride} bytes each from {@code codesOffset}, and where
     * their terms are: {@code termsBase + ord * termsStride} (right after each record's codes, or in a table of their
     * own; see the class comment).
     */
    record QuantizedVectors(MemorySegment segment, long codesOffset, int dim, int stride, long termsBase,
                            int termsStride) {

        /**
         * The records at {@code codesOffset}, their terms in the table at {@code termsTableOffset} or, when that is 0,
         * after each record's codes.
         */
        static QuantizedVectors at(MemorySegment segment, long codesOffset, long termsTableOffset, int dim) {
            boolean apart = termsTableOffset != 0;
            int stride = codeStride(dim, apart);
            return apart
                    ? new QuantizedVectors(segment, codesOffset, dim, stride, termsTableOffset, TERMS_BYTES)
                    : new QuantizedVectors(segment, codesOffset, dim, stride, codesOffset + codeLength(dim), stride);
        }

        boolean termsApart() {
            return termsStride != stride;
        }

        long record(int ord) {
            return codesOffset + (long) ord * stride;
        }

        long terms(int ord) {
            return termsBase + (long) ord * termsStride;
        }

        int correctionBits(int ord) {
            return segment.get(ValueLayout.JAVA_INT_UNALIGNED, terms(ord));
        }
    }

    /**
     * Scores int8 code records against a quantized query: one integer dot product of codes per record (four records
     * per kernel call, their cache misses put in flight first by {@link #touch}), turned into a similarity by
     * {@link #fromDot}. One instance per query.
     */
    abstract static class Int8DotScorer extends NodeScorer {
        /** The query's codes, and the same codes laid out once for the kernels' dot products. */
        final MemorySegment query;
        final short[] preparedQuery;
        final MemorySegment codes;
        final long codesOffset;
        final int stride;
        final long termsBase;
        final int termsStride;
        /** Whether {@link #touch} must also read the terms table (terms apart from the codes). */
        private final boolean touchTerms;
        final int length;
        final KernelSupport kernels = VectorKernels.active();
        private final int[] four = new int[4];
        /** Sink of {@link #touch}'s loads, so that the JIT keeps them. */
        private int touched;

        Int8DotScorer(byte[] queryCodes, QuantizedVectors vectors) {
            this.query = MemorySegment.ofArray(queryCodes);
            this.codes = vectors.segment();
            this.codesOffset = vectors.codesOffset();
            this.stride = vectors.stride();
            this.termsBase = vectors.termsBase();
            this.termsStride = vectors.termsStride();
            this.touchTerms = vectors.termsApart();
            this.length = codeLength(vectors.dim());
            this.preparedQuery = kernels.prepareDotI8(queryCodes, length);
        }

        /** The similarity of record {@code ord} given the integer dot product of its codes with the query's. */
        abstract float fromDot(int ord, int dot);

        final long record(int ord) {
            return codesOffset + (long) ord * stride;
        }

        /** Where record {@code ord}'s terms start. */
        final long terms(int ord) {
            return termsBase + (long) ord * termsStride;
        }

        @Override
        float similarity(int ord) {
            return fromDot(ord, kernels.dotI8(preparedQuery, codes, record(ord), length));
        }

        @Override
        void similarities(int[] ords, int count, float[] out) {
            touch(ords, count);
            int i = 0;
            for (; i + 4 <= count; i += 4) {
                kernels.dotI8Bulk4(preparedQuery, codes, record(ords[i]), record(ords[i + 1]), record(ords[i + 2]),
                        record(ords[i + 3]), length, four);
                for (int j = 0; j < 4; j++) {
                    out[i + j] = fromDot(ords[i + j], four[j]);
                }
            }
            for (; i < count; i++) {
                out[i] = similarity(ords[i]);
            }
        }

        /**
         * Puts the cache misses of all records about to be scored in flight at once: Java has no prefetch
         * instruction, so this reads one int of every cache line of the records, line 0 of every record first, then
         * line 1, and so on. The loads do not depend on each other, so the CPU overlaps their latencies; the kernels
         * that follow then find most lines arriving or in cache instead of stalling on each record in turn (a
         * beam-search batch is a handful of random records, too few and too short for the hardware prefetcher).
         * Measured: about 15 % less CPU per query on fashion-mnist (an A/B of the same index in one JVM,
         * BENCHMARKS.md).
         */
        private void touch(int[] ords, int count) {
            int t = 0;
            for (int line = 0; line < stride; line += 64) {
                for (int i = 0; i < count; i++) {
                    t ^= codes.get(ValueLayout.JAVA_INT_UNALIGNED, record(ords[i]) + line);
                }
            }
            if (touchTerms) {
                for (int i = 0; i < count; i++) {
                    t ^= codes.get(ValueLayout.JAVA_INT_UNALIGNED, terms(ords[i]));
                }
            }
            touched ^= t;
        }
    }

    /** Scores globally scaled int8 codes (see the class comment). One instance per query. */
    static final class CodeScorer extends Int8DotScorer {
        private final Distance distance;
        private final int queryCorrectionBits;
        private final float queryCorrection;
        private final QuantizedVectors vectors;
        private final int dim;
        private final float scale;
        private final float scale2;

        CodeScorer(ScalarQuantizer quantizer, byte[] query, int queryCorrectionBits, QuantizedVectors vectors) {
            super(query, vectors);
            this.distance = quantizer.distance;
            this.queryCorrectionBits = queryCorrectionBits;
            this.queryCorrection = Float.intBitsToFloat(queryCorrectionBits);
            this.vectors = vectors;
            this.dim = vectors.dim();
            this.scale = quantizer.scale;
            this.scale2 = quantizer.scale * quantizer.scale;
        }

        @Override
        void similarities(int[] ords, int count, float[] out) {
            if (distance == Distance.MANHATTAN) {
                for (int i = 0; i < count; i++) {
                    out[i] = similarity(ords[i]);
                }
                return;
            }
            super.similarities(ords, count, out);
        }

        @Override
        float fromDot(int ord, int dot) {
            if (distance == Distance.EUCLID) {
                return -scale2 * (queryCorrectionBits + vectors.correctionBits(ord) - 2 * dot);
            }
            return scale2 * dot + Float.intBitsToFloat(vectors.correctionBits(ord)) + queryCorrection;
        }

        @Override
        float similarity(int ord) {
            if (distance == Distance.MANHATTAN) {
                return -scale * kernels.manhattanI8(query, 0L, codes, record(ord), dim);
            }
            return super.similarity(ord);
        }
    }

    /**
     * Scores per-vector-scaled int8 codes against a query quantized the same way: one integer dot product of the codes
     * and the two vectors' terms give (for {@code Δu = u_q - u_x})
     * <ul>
     * <li>EUCLID: {@code |q-x|² ≈ dim Δu² + N_q + N_x + 2 Δu (S_q - S_x) - 2 s_q s_x Σ q_c x_c};</li>
     * <li>DOT, COSINE: {@code q·x ≈ dim u_q u_x + u_q S_x + u_x S_q + s_q s_x Σ q_c x_c + M_q + M_x + |μ|²}.</li>
     * </ul>
     * One instance per query.
     */
    static final class PerVectorScorer extends Int8DotScorer {
        private final boolean euclid;
        private final double dim;
        private final double uq;
        private final double sq;
        private final double bigSq;
        private final double lastQ;
        private final double centreNormSquared;

        PerVectorScorer(ScalarQuantizer quantizer, byte[] query, float[] queryTerms, QuantizedVectors vectors) {
            super(query, vectors);
            this.euclid = quantizer.distance == Distance.EUCLID;
            this.dim = vectors.dim();
            this.uq = queryTerms[0];
            this.sq = queryTerms[1];
            this.bigSq = queryTerms[2];
            this.lastQ = queryTerms[3];
            this.centreNormSquared = quantizer.centreNormSquared;
        }

        @Override
        float fromDot(int ord, int dot) {
            long terms = terms(ord);
            double ux = codes.get(ValueLayout.JAVA_FLOAT_UNALIGNED, terms);
            double sx = codes.get(ValueLayout.JAVA_FLOAT_UNALIGNED, terms + 4);
            double bigSx = codes.get(ValueLayout.JAVA_FLOAT_UNALIGNED, terms + 8);
            double lastX = codes.get(ValueLayout.JAVA_FLOAT_UNALIGNED, terms + 12);
            if (euclid) {
                double du = uq - ux;
                return (float) -(dim * du * du + lastQ + lastX + 2 * du * (bigSq - bigSx) - 2 * sq * sx * dot);
            }
            return (float) (dim * uq * ux + uq * bigSx + ux * bigSq + sq * sx * dot + lastQ + lastX
                    + centreNormSquared);
        }
    }
}
