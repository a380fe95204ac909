package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on jdk.incubator.vector at {@link FloatVector#SPECIES_PREFERRED}. Each float kernel runs a main loop with
 * two independent accumulators (unrolled twice, so that consecutive fused multiply-adds do not wait on each other's
 * latency), then one vector step, then a scalar tail for the last {@code dim % lanes} components. Only loaded by
 * {@link VectorKernels} when the incubator module is present. Stateless and threadsafe.
 */
final class PanamaKernelSupport implements KernelSupport {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    /** Int lanes as wide as the float lanes; the int8 kernels widen {@code IL} bytes at a time to ints. */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int IL = I.length();
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(IL * 8));
    /** Full-width bytes for the int8 dot product, and ints of the same width for its accumulator. */
    private static final VectorSpecies<Byte> BP = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> BP_INTS = BP.withLanes(int.class);
    /**
     * Blocks of the prepared-query int8 dot product: full-width bytes, but never more than 64 (a record's stride is a
     * multiple of 64, so whole blocks never run past it), with shorts and ints of the same width.
     */
    private static final VectorSpecies<Byte> BQ = BP.vectorBitSize() > 512 ? ByteVector.SPECIES_512 : BP;
    private static final VectorSpecies<Short> BQ_SHORTS = BQ.withLanes(short.class);
    private static final VectorSpecies<Integer> BQ_INTS = BQ.withLanes(int.class);
    /** Sets bit 7 of every short: flips the sign bit of each short's low byte. */
    private static final ShortVector LOW_BYTE_SIGN = ShortVector.broadcast(BQ_SHORTS, (short) 0x80);
    /** 0x8000 in the even short lanes (the low halves of int lanes), 0 in the odd ones. */
    private static final ShortVector EVEN_LANE_BIAS = ShortVector.fromArray(BQ_SHORTS, evenLaneBias(), 0);
    /** 16-byte chunks after the full-width loop of the int8 dot product. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> B16_INTS = B16.withLanes(int.class);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes as wide as the float lanes: float lanes are loaded from segments as bytes (see {@link #floats}). */
    private static final VectorSpecies<Byte> FLOAT_BYTES = F.withLanes(byte.class);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return "panama";
    }

    // ---------------------------------------------------------------- float[] x float[]

    @Override
    public float dot(float[] a, float[] b) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                acc1 = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, i), acc1);
                acc2 = FloatVector.fromArray(F, a, i + FL).fma(FloatVector.fromArray(F, b, i + FL), acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s = Math.fma(a[i], b[i], s);
        }
        return s;
    }

    @Override
    public float squareDistance(float[] a, float[] b) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                FloatVector d1 = FloatVector.fromArray(F, a, i).sub(FloatVector.fromArray(F, b, i));
                FloatVector d2 = FloatVector.fromArray(F, a, i + FL).sub(FloatVector.fromArray(F, b, i + FL));
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float d = a[i] - b[i];
            s = Math.fma(d, d, s);
        }
        return s;
    }

    @Override
    public float manhattan(float[] a, float[] b) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                acc1 = acc1.add(FloatVector.fromArray(F, a, i).sub(FloatVector.fromArray(F, b, i)).abs());
                acc2 = acc2.add(FloatVector.fromArray(F, a, i + FL).sub(FloatVector.fromArray(F, b, i + FL)).abs());
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s;
    }

    /**
     * {@code FL} floats at byte offset {@code at} of {@code segment}, loaded as bytes and reinterpreted (free). The
     * JIT compiles {@code FloatVector.fromMemorySegment} against the segment classes that every caller in the JVM has
     * passed it: once another library's float kernels (Lucene's, in the ANN harness) have passed it mapped and heap
     * segments, kernels compiled after that stop inlining the load, and a float search costs 1.6-2.3x as much
     * (BENCHMARKS.md). {@code ByteVector}'s load shares its profile with this class's own byte kernels only, until
     * another library loads bytes from other segment classes: that slows these loads the same way (measured there
     * too), and {@code -XX:TypeProfileLevel=222} removed the effect in that measurement.
     */
    private static FloatVector floats(MemorySegment segment, long at) {
        return ByteVector.fromMemorySegment(FLOAT_BYTES, segment, at, LE).reinterpretAsFloats();
    }

    // ---------------------------------------------------------------- segment x segment

    @Override
    public float dot(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = 4L * i;
                acc1 = floats(a, aOffset + o)
                        .fma(floats(b, bOffset + o), acc1);
                acc2 = floats(a, aOffset + o + 4L * FL)
                        .fma(floats(b, bOffset + o + 4L * FL), acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s = Math.fma(a.get(FLOAT, aOffset + 4L * i), b.get(FLOAT, bOffset + 4L * i), s);
        }
        return s;
    }

    @Override
    public float squareDistance(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = 4L * i;
                FloatVector d1 = floats(a, aOffset + o)
                        .sub(floats(b, bOffset + o));
                FloatVector d2 = floats(a, aOffset + o + 4L * FL)
                        .sub(floats(b, bOffset + o + 4L * FL));
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float d = a.get(FLOAT, aOffset + 4L * i) - b.get(FLOAT, bOffset + 4L * i);
            s = Math.fma(d, d, s);
        }
        return s;
    }

    @Override
    public float manhattan(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = 4L * i;
                acc1 = acc1.add(floats(a, aOffset + o)
                        .sub(floats(b, bOffset + o)).abs());
                acc2 = acc2.add(floats(a, aOffset + o + 4L * FL)
                        .sub(floats(b, bOffset + o + 4L * FL)).abs());
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(a.get(FLOAT, aOffset + 4L * i) - b.get(FLOAT, bOffset + 4L * i));
        }
        return s;
    }

    // ---------------------------------------------------------------- float[] x segment

    @Override
    public float dot(float[] a, MemorySegment b, long bOffset) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = bOffset + 4L * i;
                acc1 = FloatVector.fromArray(F, a, i).fma(floats(b, o), acc1);
                acc2 = FloatVector.fromArray(F, a, i + FL)
                        .fma(floats(b, o + 4L * FL), acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s = Math.fma(a[i], b.get(FLOAT, bOffset + 4L * i), s);
        }
        return s;
    }

    @Override
    public float squareDistance(float[] a, MemorySegment b, long bOffset) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = bOffset + 4L * i;
                FloatVector d1 = FloatVector.fromArray(F, a, i).sub(floats(b, o));
                FloatVector d2 = FloatVector.fromArray(F, a, i + FL)
                        .sub(floats(b, o + 4L * FL));
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float d = a[i] - b.get(FLOAT, bOffset + 4L * i);
            s = Math.fma(d, d, s);
        }
        return s;
    }

    @Override
    public float manhattan(float[] a, MemorySegment b, long bOffset) {
        int n = a.length;
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            int bound = n - (n % (2 * FL));
            for (; i < bound; i += 2 * FL) {
                long o = bOffset + 4L * i;
                acc1 = acc1.add(FloatVector.fromArray(F, a, i).sub(floats(b, o)).abs());
                acc2 = acc2.add(FloatVector.fromArray(F, a, i + FL)
                        .sub(floats(b, o + 4L * FL)).abs());
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(a[i] - b.get(FLOAT, bOffset + 4L * i));
        }
        return s;
    }

    // ---------------------------------------------------------------- bulk: one query, four vectors

    @Override
    public void dotBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out) {
        int n = q.length;
        int i = 0;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        if (n >= FL) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            FloatVector acc3 = FloatVector.zero(F);
            int bound = F.loopBound(n);
            for (; i < bound; i += FL) {
                FloatVector qv = FloatVector.fromArray(F, q, i);
                long o = 4L * i;
                acc0 = qv.fma(floats(v, o0 + o), acc0);
                acc1 = qv.fma(floats(v, o1 + o), acc1);
                acc2 = qv.fma(floats(v, o2 + o), acc2);
                acc3 = qv.fma(floats(v, o3 + o), acc3);
            }
            s0 = acc0.reduceLanes(VectorOperators.ADD);
            s1 = acc1.reduceLanes(VectorOperators.ADD);
            s2 = acc2.reduceLanes(VectorOperators.ADD);
            s3 = acc3.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            long o = 4L * i;
            s0 = Math.fma(q[i], v.get(FLOAT, o0 + o), s0);
            s1 = Math.fma(q[i], v.get(FLOAT, o1 + o), s1);
            s2 = Math.fma(q[i], v.get(FLOAT, o2 + o), s2);
            s3 = Math.fma(q[i], v.get(FLOAT, o3 + o), s3);
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    @Override
    public void squareDistanceBulk4(float[] q, MemorySegment v, long o0, long o1, long o2, long o3, float[] out) {
        int n = q.length;
        int i = 0;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        if (n >= FL) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            FloatVector acc3 = FloatVector.zero(F);
            int bound = F.loopBound(n);
            for (; i < bound; i += FL) {
                FloatVector qv = FloatVector.fromArray(F, q, i);
                long o = 4L * i;
                FloatVector d0 = qv.sub(floats(v, o0 + o));
                FloatVector d1 = qv.sub(floats(v, o1 + o));
                FloatVector d2 = qv.sub(floats(v, o2 + o));
                FloatVector d3 = qv.sub(floats(v, o3 + o));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            s0 = acc0.reduceLanes(VectorOperators.ADD);
            s1 = acc1.reduceLanes(VectorOperators.ADD);
            s2 = acc2.reduceLanes(VectorOperators.ADD);
            s3 = acc3.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            long o = 4L * i;
            float d0 = q[i] - v.get(FLOAT, o0 + o);
            float d1 = q[i] - v.get(FLOAT, o1 + o);
            float d2 = q[i] - v.get(FLOAT, o2 + o);
            float d3 = q[i] - v.get(FLOAT, o3 + o);
            s0 = Math.fma(d0, d0, s0);
            s1 = Math.fma(d1, d1, s1);
            s2 = Math.fma(d2, d2, s2);
            s3 = Math.fma(d3, d3, s3);
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /**
     * The query of {@link #dotI8(short[], MemorySegment, long, int)}, per block of {@code W = BQ.length()} code bytes
     * (zero beyond {@code dim}): {@code W/2} shorts {@code a} = the block's even-position codes, {@code W/2} shorts
     * {@code y = b - 256 a} with {@code b} the odd-position codes, and {@code W/2} shorts {@code k = -128 a}, plus
     * {@code 32768} in even lanes (all modulo 2^16). See {@link #dotI8(short[], MemorySegment, long, int)} for why.
     */
    @Override
    public short[] prepareDotI8(byte[] codes, int dim) {
        int w = BQ.length();
        int half = w / 2;
        int blocks = (dim + w - 1) / w;
        short[] prepared = new short[blocks * 3 * half];
        for (int block = 0; block < blocks; block++) {
            int at = block * 3 * half;
            // the last block reads only the codes below dim; its other lanes load as zero
            ShortVector pair = ByteVector.fromArray(BQ, codes, block * w, BQ.indexInRange(block * w, dim))
                    .reinterpretAsShorts();
            ShortVector even = pair.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
            ShortVector odd = pair.lanewise(VectorOperators.ASHR, 8);
            even.intoArray(prepared, at);
            odd.sub(even.lanewise(VectorOperators.LSHL, 8)).intoArray(prepared, at + half);
            EVEN_LANE_BIAS.sub(even.lanewise(VectorOperators.LSHL, 7)).intoArray(prepared, at + 2 * half);
        }
        return prepared;
    }

    private static short[] evenLaneBias() {
        short[] bias = new short[BQ_SHORTS.length()];
        for (int j = 0; j < bias.length; j += 2) {
            bias[j] = (short) 0x8000;
        }
        return bias;
    }

    /**
     * Int8 dot product of a prepared query with the codes at {@code offset}, in 16-bit lanes without shifts to
     * sign-extend the stored codes. A short lane {@code v} of the stored bytes holds {@code 256 h + (l mod 256)} for its
     * codes {@code l} (low byte) and {@code h} (high byte). Flipping the low byte's sign bit makes it {@code 256 h + l +
     * 128} exactly, and {@code v >> 8 = h}, so modulo 2^16
     * {@code a (v ^ 0x80) + y (v >> 8) + k = a l + b h + 32768 [even lane]}: the {@code 256 a h} terms cancel, the
     * 16-bit products wrap harmlessly, and {@code a l + b h} (at most 2 * 127² in magnitude) is exact. Two adjacent
     * short lanes read as one int are then {@code P = 65536 s_odd + (s_even + 32768)}: {@code P >> 16} is
     * {@code s_odd}, and {@code Σ P - 65536 Σ s_odd} is {@code Σ s_even} plus the known bias. Per block and record
     * that is 9 vector ops instead of the 11 of splitting the record's bytes by shifts and each 16-bit sum into two
     * ints, no per-block work on the query, and no 16-byte tail loop.
     * <p>Reads whole blocks of {@code BQ.length()} (at most 64) bytes from {@code offset}: up to
     * {@code roundUp(dim, 64)} bytes, which code records (strides of a multiple of 64) always hold. Bytes past
     * {@code dim} meet zero query lanes and do not count; codes must lie in [-127, 127].
     */
    @Override
    public int dotI8(short[] prepared, MemorySegment v, long offset, int dim) {
        int half = BQ_SHORTS.length();
        int blocks = prepared.length / (3 * half);
        IntVector sums = IntVector.zero(BQ_INTS);
        IntVector odd = IntVector.zero(BQ_INTS);
        long at = offset;
        for (int k = 0; k < prepared.length; k += 3 * half, at += BQ.length()) {
            ShortVector a = ShortVector.fromArray(BQ_SHORTS, prepared, k);
            ShortVector y = ShortVector.fromArray(BQ_SHORTS, prepared, k + half);
            ShortVector bias = ShortVector.fromArray(BQ_SHORTS, prepared, k + 2 * half);
            ShortVector x = ByteVector.fromMemorySegment(BQ, v, at, LE).reinterpretAsShorts();
            IntVector p = a.mul(x.lanewise(VectorOperators.XOR, LOW_BYTE_SIGN))
                    .add(y.mul(x.lanewise(VectorOperators.ASHR, 8))).add(bias).reinterpretAsInts();
            sums = sums.add(p);
            odd = odd.add(p.lanewise(VectorOperators.ASHR, 16));
        }
        int oddSum = odd.reduceLanes(VectorOperators.ADD);
        return sums.reduceLanes(VectorOperators.ADD) - 65535 * oddSum - 0x8000 * blocks * BQ_INTS.length();
    }

    /**
     * {@link #dotI8(short[], MemorySegment, long, int)} against four records at once (their loads in flight
     * together, the query's blocks loaded once for all four).
     */
    @Override
    public void dotI8Bulk4(short[] prepared, MemorySegment v, long o0, long o1, long o2, long o3, int dim,
                           int[] out) {
        int half = BQ_SHORTS.length();
        int blocks = prepared.length / (3 * half);
        IntVector sums0 = IntVector.zero(BQ_INTS);
        IntVector sums1 = IntVector.zero(BQ_INTS);
        IntVector sums2 = IntVector.zero(BQ_INTS);
        IntVector sums3 = IntVector.zero(BQ_INTS);
        IntVector odd0 = IntVector.zero(BQ_INTS);
        IntVector odd1 = IntVector.zero(BQ_INTS);
        IntVector odd2 = IntVector.zero(BQ_INTS);
        IntVector odd3 = IntVector.zero(BQ_INTS);
        long at = 0;
        for (int k = 0; k < prepared.length; k += 3 * half, at += BQ.length()) {
            ShortVector a = ShortVector.fromArray(BQ_SHORTS, prepared, k);
            ShortVector y = ShortVector.fromArray(BQ_SHORTS, prepared, k + half);
            ShortVector bias = ShortVector.fromArray(BQ_SHORTS, prepared, k + 2 * half);
            // written out four times on purpose: a helper method would not be inlined once its compiled code
            // grows, and vectors crossing a call are boxed
            ShortVector x0 = ByteVector.fromMemorySegment(BQ, v, o0 + at, LE).reinterpretAsShorts();
            ShortVector x1 = ByteVector.fromMemorySegment(BQ, v, o1 + at, LE).reinterpretAsShorts();
            ShortVector x2 = ByteVector.fromMemorySegment(BQ, v, o2 + at, LE).reinterpretAsShorts();
            ShortVector x3 = ByteVector.fromMemorySegment(BQ, v, o3 + at, LE).reinterpretAsShorts();
            IntVector p0 = a.mul(x0.lanewise(VectorOperators.XOR, LOW_BYTE_SIGN))
                    .add(y.mul(x0.lanewise(VectorOperators.ASHR, 8))).add(bias).reinterpretAsInts();
            IntVector p1 = a.mul(x1.lanewise(VectorOperators.XOR, LOW_BYTE_SIGN))
                    .add(y.mul(x1.lanewise(VectorOperators.ASHR, 8))).add(bias).reinterpretAsInts();
            IntVector p2 = a.mul(x2.lanewise(VectorOperators.XOR, LOW_BYTE_SIGN))
                    .add(y.mul(x2.lanewise(VectorOperators.ASHR, 8))).add(bias).reinterpretAsInts();
            IntVector p3 = a.mul(x3.lanewise(VectorOperators.XOR, LOW_BYTE_SIGN))
                    .add(y.mul(x3.lanewise(VectorOperators.ASHR, 8))).add(bias).reinterpretAsInts();
            sums0 = sums0.add(p0);
            sums1 = sums1.add(p1);
            sums2 = sums2.add(p2);
            sums3 = sums3.add(p3);
            odd0 = odd0.add(p0.lanewise(VectorOperators.ASHR, 16));
            odd1 = odd1.add(p1.lanewise(VectorOperators.ASHR, 16));
            odd2 = odd2.add(p2.lanewise(VectorOperators.ASHR, 16));
            odd3 = odd3.add(p3.lanewise(VectorOperators.ASHR, 16));
        }
        int bias = 0x8000 * blocks * BQ_INTS.length();
        // inline, not a helper taking vectors: vectors crossing a call that is not inlined are boxed
        out[0] = sums0.reduceLanes(VectorOperators.ADD) - 65535 * odd0.reduceLanes(VectorOperators.ADD) - bias;
        out[1] = sums1.reduceLanes(VectorOperators.ADD) - 65535 * odd1.reduceLanes(VectorOperators.ADD) - bias;
        out[2] = sums2.reduceLanes(VectorOperators.ADD) - 65535 * odd2.reduceLanes(VectorOperators.ADD) - bias;
        out[3] = sums3.reduceLanes(VectorOperators.ADD) - 65535 * odd3.reduceLanes(VectorOperators.ADD) - bias;
    }

    // ---------------------------------------------------------------- int8 codes

    /**
     * The query's quantization, {@code FL} components at a time: scale, clamp in float, round half up by adding 0.5
     * and truncating ({@code F2I}, Java's cast), then narrow the ints to bytes. Clamping before rounding makes the
     * truncation equal the scalar twin's for every input, negative ones included.
     */
    @Override
    public void quantizeI8(float[] src, float lo, float inverseScale, byte[] dst, long[] sums) {
        int n = src.length;
        int i = 0;
        long sum = 0;
        long sumSq = 0;
        if (n >= FL) {
            IntVector accSum = IntVector.zero(I);
            IntVector accSq = IntVector.zero(I);
            int bound = F.loopBound(n);
            for (; i < bound; i += FL) {
                FloatVector y = FloatVector.fromArray(F, src, i).sub(lo).mul(inverseScale).max(0f).min(254f).add(0.5f);
                IntVector c = ((IntVector) y.convertShape(VectorOperators.F2I, I, 0)).sub(127);
                ((ByteVector) c.convertShape(VectorOperators.I2B, B, 0)).intoArray(dst, i);
                accSum = accSum.add(c);
                accSq = accSq.add(c.mul(c));
            }
            sum = accSum.reduceLanesToLong(VectorOperators.ADD);
            sumSq = accSq.reduceLanesToLong(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float y = Math.min(254f, Math.max(0f, (src[i] - lo) * inverseScale));
            int c = (int) (y + 0.5f) - 127;
            dst[i] = (byte) c;
            sum += c;
            sumSq += c * c;
        }
        sums[0] = sum;
        sums[1] = sumSq;
    }

    /**
     * Int8 dot product without widening conversions (which the Vector API compiles poorly): a full byte vector is
     * reinterpreted as shorts, each short split by shifts into its sign-extended low and high byte, the two products
     * summed in 16 bits (codes in [-127, 127] keep the sum within 2 * 127² = 32258, no overflow), and the 16-bit sums
     * split the same way into the 32-bit accumulator. Lane order does not matter for a sum of products.
     */
    @Override
    public int dotI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        int s = 0;
        if (n >= BP.length()) {
            IntVector acc = IntVector.zero(BP_INTS);
            int bound = BP.loopBound(n);
            for (; i < bound; i += BP.length()) {
                ShortVector va = ByteVector.fromMemorySegment(BP, a, aOffset + i, LE).reinterpretAsShorts();
                ShortVector vb = ByteVector.fromMemorySegment(BP, b, bOffset + i, LE).reinterpretAsShorts();
                ShortVector aLo = va.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                ShortVector bLo = vb.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                ShortVector aHi = va.lanewise(VectorOperators.ASHR, 8);
                ShortVector bHi = vb.lanewise(VectorOperators.ASHR, 8);
                IntVector p = aLo.mul(bLo).add(aHi.mul(bHi)).reinterpretAsInts();
                acc = acc.add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .add(p.lanewise(VectorOperators.ASHR, 16));
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        if (BP.length() > 16) {
            // remaining 16-byte chunks (records are padded to 16) with the same split-byte products
            IntVector acc16 = IntVector.zero(B16_INTS);
            for (; i + 16 <= n; i += 16) {
                ShortVector va = ByteVector.fromMemorySegment(B16, a, aOffset + i, LE).reinterpretAsShorts();
                ShortVector vb = ByteVector.fromMemorySegment(B16, b, bOffset + i, LE).reinterpretAsShorts();
                IntVector p = va.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(vb.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8))
                        .add(va.lanewise(VectorOperators.ASHR, 8).mul(vb.lanewise(VectorOperators.ASHR, 8)))
                        .reinterpretAsInts();
                acc16 = acc16.add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .add(p.lanewise(VectorOperators.ASHR, 16));
            }
            s += acc16.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += a.get(ValueLayout.JAVA_BYTE, aOffset + i) * b.get(ValueLayout.JAVA_BYTE, bOffset + i);
        }
        return s;
    }

    @Override
    public int squareDistanceI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        int s = 0;
        if (n >= 2 * IL) {
            IntVector acc1 = IntVector.zero(I);
            IntVector acc2 = IntVector.zero(I);
            int bound = n - (n % (2 * IL));
            for (; i < bound; i += 2 * IL) {
                IntVector d1 = widen(a, aOffset + i).sub(widen(b, bOffset + i));
                IntVector d2 = widen(a, aOffset + i + IL).sub(widen(b, bOffset + i + IL));
                acc1 = acc1.add(d1.mul(d1));
                acc2 = acc2.add(d2.mul(d2));
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            int d = a.get(ValueLayout.JAVA_BYTE, aOffset + i) - b.get(ValueLayout.JAVA_BYTE, bOffset + i);
            s += d * d;
        }
        return s;
    }

    @Override
    public int manhattanI8(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int n) {
        int i = 0;
        int s = 0;
        if (n >= 2 * IL) {
            IntVector acc1 = IntVector.zero(I);
            IntVector acc2 = IntVector.zero(I);
            int bound = n - (n % (2 * IL));
            for (; i < bound; i += 2 * IL) {
                acc1 = acc1.add(widen(a, aOffset + i).sub(widen(b, bOffset + i)).abs());
                acc2 = acc2.add(widen(a, aOffset + i + IL).sub(widen(b, bOffset + i + IL)).abs());
            }
            s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(a.get(ValueLayout.JAVA_BYTE, aOffset + i) - b.get(ValueLayout.JAVA_BYTE, bOffset + i));
        }
        return s;
    }

    /** {@code IL} signed bytes at {@code offset}, sign-extended to int lanes. */
    private static IntVector widen(MemorySegment seg, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, seg, offset, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    @Override
    public void accumulateTerms(Distance distance, float q, float[] x, int xOffset, float[] acc, int accOffset,
                                int n) {
        FloatVector qv = FloatVector.broadcast(F, q);
        int bound = n - n % FL;
        int i = 0;
        for (; i < bound; i += FL) {
            FloatVector v = FloatVector.fromArray(F, x, xOffset + i);
            FloatVector sum = FloatVector.fromArray(F, acc, accOffset + i);
            sum = switch (distance) {
                case COSINE, DOT -> qv.fma(v, sum);
                case EUCLID -> {
                    FloatVector d = qv.sub(v);
                    yield d.neg().fma(d, sum);
                }
                case MANHATTAN -> sum.sub(qv.sub(v).abs());
            };
            sum.intoArray(acc, accOffset + i);
        }
        for (; i < n; i++) {
            float v = x[xOffset + i];
            acc[accOffset + i] += switch (distance) {
                case COSINE, DOT -> q * v;
                case EUCLID -> -(q - v) * (q - v);
                case MANHATTAN -> -Math.abs(q - v);
            };
        }
    }
}
