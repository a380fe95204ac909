package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each Vector API kernel against its scalar twin on random inputs of random dimension 1..2048 (so every tail length
 * occurs), on heap arrays, off-heap segments at unaligned offsets, and heap-query-vs-segment. Tolerance: 1e-4
 * relative to the sum of the absolute terms (the natural error scale of a float sum; equal to relative error when no
 * cancellation occurs). Int8 kernels must match exactly.
 */
class VectorKernelsTest {

    private static final KernelSupport SCALAR = VectorKernels.scalar();
    private static KernelSupport panama;

    @BeforeAll
    static void vectorApiPresent() {
        panama = VectorKernels.active();
        assertEquals("panama", panama.name(), "surefire runs with --add-modules jdk.incubator.vector");
        assertTrue(VectorKernels.isVectorized());
    }

    private static void close(String what, int dim, float expected, float actual, float scale) {
        float tol = 1e-4f * Math.max(scale, 1e-6f);
        assertEquals(expected, actual, tol, what + " dim=" + dim);
    }

    /** The dimensions a randomized kernel test walks: every one of 1..80 (all tail lengths), then random up to 2048. */
    private static int dimensionOfRound(int round, Random random) {
        return round < 80 ? round + 1 : 1 + random.nextInt(2048);
    }

    @Test
    void floatKernelsMatchScalarOnRandomDimensions() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 400; round++) {
                int dim = dimensionOfRound(round, random);
                float[] a = new float[dim];
                float[] b = new float[dim];
                float absDot = 0;
                float absSq = 0;
                float absL1 = 0;
                for (int i = 0; i < dim; i++) {
                    a[i] = (float) random.nextGaussian();
                    b[i] = (float) random.nextGaussian();
                    absDot += Math.abs(a[i] * b[i]);
                    absSq += (a[i] - b[i]) * (a[i] - b[i]);
                    absL1 += Math.abs(a[i] - b[i]);
                }
                long aOff = random.nextInt(16);
                long bOff = random.nextInt(16);
                MemorySegment sa = arena.allocate(aOff + 4L * dim + 8, 1);
                MemorySegment sb = arena.allocate(bOff + 4L * dim + 8, 1);
                MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_FLOAT_UNALIGNED, aOff, dim);
                MemorySegment.copy(b, 0, sb, ValueLayout.JAVA_FLOAT_UNALIGNED, bOff, dim);

                float refDot = SCALAR.dot(a, b);
                float refSq = SCALAR.squareDistance(a, b);
                float refL1 = SCALAR.manhattan(a, b);
                close("dot heap", dim, refDot, panama.dot(a, b), absDot);
                close("dot segment", dim, refDot, panama.dot(sa, aOff, sb, bOff, dim), absDot);
                close("dot mixed", dim, refDot, panama.dot(a, sb, bOff), absDot);
                close("dot scalar segment", dim, refDot, SCALAR.dot(sa, aOff, sb, bOff, dim), absDot);
                close("sq heap", dim, refSq, panama.squareDistance(a, b), absSq);
                close("sq segment", dim, refSq, panama.squareDistance(sa, aOff, sb, bOff, dim), absSq);
                close("sq mixed", dim, refSq, panama.squareDistance(a, sb, bOff), absSq);
                close("l1 heap", dim, refL1, panama.manhattan(a, b), absL1);
                close("l1 segment", dim, refL1, panama.manhattan(sa, aOff, sb, bOff, dim), absL1);
                close("l1 mixed", dim, refL1, panama.manhattan(a, sb, bOff), absL1);

                // bulk: four vectors of one segment against a heap query
                MemorySegment four = arena.allocate(4L * 4 * dim, 4);
                float[][] vs = new float[4][dim];
                for (int j = 0; j < 4; j++) {
                    for (int i = 0; i < dim; i++) {
                        vs[j][i] = (float) random.nextGaussian();
                    }
                    MemorySegment.copy(vs[j], 0, four, ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * dim * j, dim);
                }
                long[] offs = {0, 4L * dim, 8L * dim, 12L * dim};
                float[] outDot = new float[4];
                float[] outSq = new float[4];
                panama.dotBulk4(a, four, offs[0], offs[1], offs[2], offs[3], outDot);
                panama.squareDistanceBulk4(a, four, offs[0], offs[1], offs[2], offs[3], outSq);
                for (int j = 0; j < 4; j++) {
                    float absD = 0;
                    float absS = 0;
                    for (int i = 0; i < dim; i++) {
                        absD += Math.abs(a[i] * vs[j][i]);
                        absS += (a[i] - vs[j][i]) * (a[i] - vs[j][i]);
                    }
                    close("dot bulk4", dim, SCALAR.dot(a, vs[j]), outDot[j], absD);
                    close("sq bulk4", dim, SCALAR.squareDistance(a, vs[j]), outSq[j], absS);
                }

                // cosine: dot of unit vectors, between -1 and 1
                float[] ua = VectorKernels.normalize(a.clone());
                float[] ub = VectorKernels.normalize(b.clone());
                float cos = VectorKernels.cosine(ua, ub);
                close("cosine", dim, SCALAR.dot(ua, ub), cos, 1f);
                assertTrue(cos >= -1.0001f && cos <= 1.0001f);
            }
        }
    }

    @Test
    void int8KernelsMatchScalarExactly() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 400; round++) {
                int dim = dimensionOfRound(round, random);
                byte[] a = new byte[dim];
                byte[] b = new byte[dim];
                for (int i = 0; i < dim; i++) {
                    a[i] = (byte) (random.nextInt(255) - 127); // valid codes: [-127, 127]
                    b[i] = (byte) (random.nextInt(255) - 127);
                }
                long off = random.nextInt(8);
                MemorySegment sa = arena.allocate(off + dim, 1);
                MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_BYTE, off, dim);
                MemorySegment hb = MemorySegment.ofArray(b);
                assertEquals(SCALAR.dotI8(sa, off, hb, 0, dim), panama.dotI8(sa, off, hb, 0, dim), "dim " + dim);
                assertEquals(SCALAR.squareDistanceI8(sa, off, hb, 0, dim),
                        panama.squareDistanceI8(sa, off, hb, 0, dim), "dim " + dim);
                assertEquals(SCALAR.manhattanI8(sa, off, hb, 0, dim), panama.manhattanI8(sa, off, hb, 0, dim),
                        "dim " + dim);
            }
        }
    }

    /**
     * The prepared-query dot product against code records as the index stores them (strides of a multiple of 64),
     * whose bytes past {@code dim} are arbitrary, -128 included: equal to the scalar sum of products, single and four
     * at a time, in both implementations. Rounds with all codes at +127 or -127 reach the largest 16-bit partial sums
     * (2 * 127² per pair of products).
     */
    @Test
    void preparedInt8DotMatchesScalarExactlyAndIgnoresRecordPadding() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 400; round++) {
                int dim = dimensionOfRound(round, random);
                int extreme = round % 7 == 0 ? 127 : round % 7 == 1 ? -127 : 0; // 0: random codes
                int stride = ScalarQuantizer.codeStride(dim, round % 2 == 0); // both layouts' strides
                byte[] query = new byte[dim];
                for (int i = 0; i < dim; i++) {
                    query[i] = extreme != 0 ? (byte) extreme : (byte) (random.nextInt(255) - 127);
                }
                MemorySegment records = arena.allocate(4L * stride, 64);
                for (long i = 0; i < 4L * stride; i++) {
                    boolean code = i % stride < dim;
                    byte b = !code ? (byte) random.nextInt(256) // padding and terms: any byte
                            : extreme != 0 ? (byte) (random.nextBoolean() ? extreme : -extreme)
                            : (byte) (random.nextInt(255) - 127);
                    records.set(ValueLayout.JAVA_BYTE, i, b);
                }
                MemorySegment q = MemorySegment.ofArray(query);
                short[] prepared = panama.prepareDotI8(query, dim);
                short[] scalarPrepared = SCALAR.prepareDotI8(query, dim);
                int[] bulk = new int[4];
                int[] scalarBulk = new int[4];
                panama.dotI8Bulk4(prepared, records, 0, 2L * stride, stride, 3L * stride, dim, bulk);
                SCALAR.dotI8Bulk4(scalarPrepared, records, 0, 2L * stride, stride, 3L * stride, dim, scalarBulk);
                long[] order = {0, 2, 1, 3};
                for (int j = 0; j < 4; j++) {
                    long at = order[j] * stride;
                    int expected = SCALAR.dotI8(q, 0, records, at, dim);
                    assertEquals(expected, panama.dotI8(prepared, records, at, dim), "dim " + dim + " seed " + seed);
                    assertEquals(expected, SCALAR.dotI8(scalarPrepared, records, at, dim), "dim " + dim);
                    assertEquals(expected, bulk[j], "bulk dim " + dim + " seed " + seed);
                    assertEquals(expected, scalarBulk[j], "scalar bulk dim " + dim);
                }
            }
        }
    }

    @Test
    void int8QuantizationMatchesScalarExactly() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int dim = round < 70 ? round + 1 : 1 + random.nextInt(2048);
            float lo = (float) random.nextGaussian();
            float scale = 0.001f + random.nextFloat() * 0.05f;
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                // inside and outside [lo, lo + 254 * scale], and exact half levels
                v[i] = random.nextInt(8) == 0 ? lo + (random.nextInt(300) - 20 + 0.5f) * scale
                        : lo + (float) (random.nextGaussian() * 150 * scale);
            }
            byte[] expected = new byte[dim];
            byte[] actual = new byte[dim];
            long[] expectedSums = new long[2];
            long[] actualSums = new long[2];
            SCALAR.quantizeI8(v, lo, 1f / scale, expected, expectedSums);
            panama.quantizeI8(v, lo, 1f / scale, actual, actualSums);
            assertArrayEquals(expected, actual, "dim " + dim + " (seed " + seed + ")");
            assertArrayEquals(expectedSums, actualSums, "sums, dim " + dim + " (seed " + seed + ")");
            long sum = 0;
            for (int i = 0; i < dim; i++) {
                assertTrue(expected[i] >= -127, "codes stay in [-127, 127]");
                sum += expected[i];
            }
            assertEquals(sum, expectedSums[0]);
        }
    }

    @Test
    void productQuantizationTableTermsMatchScalar() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int n = dimensionOfRound(round, random) % 300 + 1;
            int xOffset = random.nextInt(5);
            int accOffset = random.nextInt(5);
            float[] x = new float[xOffset + n];
            float[] start = new float[accOffset + n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < start.length; i++) {
                start[i] = (float) random.nextGaussian();
            }
            float q = (float) random.nextGaussian();
            for (Distance distance : Distance.values()) {
                float[] expected = start.clone();
                float[] actual = start.clone();
                SCALAR.accumulateTerms(distance, q, x, xOffset, expected, accOffset, n);
                panama.accumulateTerms(distance, q, x, xOffset, actual, accOffset, n);
                for (int i = 0; i < expected.length; i++) {
                    close(distance + " term " + i, n, expected[i], actual[i], Math.abs(expected[i]) + 1);
                }
            }
        }
    }

    @Test
    void distanceScoresFollowQdrant() {
        float[] a = {1, 2, 3};
        float[] b = {4, 6, 3};
        assertEquals(5f, Distance.EUCLID.score(a, b), 1e-6);
        assertEquals(7f, Distance.MANHATTAN.score(a, b), 1e-6);
        assertEquals(25f, Distance.DOT.score(a, b), 1e-6);
        assertTrue(Distance.EUCLID.isBetter(1f, 2f));
        assertTrue(Distance.DOT.isBetter(2f, 1f));
        assertEquals(-25f, Distance.EUCLID.toSimilarity(5f), 1e-6);
        MemorySegment sa = MemorySegment.ofArray(a);
        MemorySegment sb = MemorySegment.ofArray(b);
        assertEquals(5f, Distance.EUCLID.score(sa, 0, sb, 0, 3), 1e-6);
    }
}
