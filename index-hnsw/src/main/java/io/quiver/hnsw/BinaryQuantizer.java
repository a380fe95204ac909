package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Binary quantization, Qdrant's {@code one_bit} encoding: component {@code i} of a vector becomes bit {@code i % 64}
 * of the record's long {@code i / 64}, set when the component is above zero (padding bits stay clear). Two records
 * are compared by the number {@code h} of components whose signs differ (XOR and population count); Qdrant
 * approximates a dot product by {@code dim - 2h} and a distance by {@code h}, and so does this class:
 * <ul>
 * <li>COSINE, DOT: the similarity is {@code dim - 2h} (Qdrant's reported score without rescoring);</li>
 * <li>EUCLID, MANHATTAN: the similarity is {@code -h}, so an unrescored result reports {@code sqrt(h)} (EUCLID) or
 * {@code h} (MANHATTAN) as its distance.</li>
 * </ul>
 * A query of {@code queryBits} 4 or 8 is not reduced to signs: as Qdrant's scalar query encodings, its components are
 * quantized to {@code R = 2^bits - 1} levels over {@code [-max|q|, max|q|]}, {@code c_i = round((q_i + max) / step)},
 * and {@code h = Σ_i (bit_i ? R - c_i : c_i) / R}, a fractional count that weighs each disagreement by the query
 * component's size. A record is {@link #words(int)} longs, {@link #stride(int)} bytes, little-endian.
 * Immutable and threadsafe; its scorers are one per query.
 */
public final class BinaryQuantizer {

    private final int dim;
    private final Distance distance;
    private final int queryBits;

    public BinaryQuantizer(int dim, Distance distance, int queryBits) {
        if (queryBits != 1 && queryBits != 4 && queryBits != 8) {
            throw new IllegalArgumentException("queryBits must be 1, 4 or 8, got " + queryBits);
        }
        this.dim = dim;
        this.distance = distance;
        this.queryBits = queryBits;
    }

    public int queryBits() {
        return queryBits;
    }

    /** Longs per record. */
    public static int words(int dimension) {
        return (dimension + 63) >>> 6;
    }

    /** Bytes from one record to the next. */
    public static int stride(int dimension) {
        return 8 * words(dimension);
    }

    /** The sign bits of {@code v} (its first {@code dim} components), {@link #words} longs. */
    public long[] encode(float[] v) {
        long[] bits = new long[words(dim)];
        for (int i = 0; i < dim; i++) {
            if (v[i] > 0f) {
                bits[i >>> 6] |= 1L << (i & 63);
            }
        }
        return bits;
    }

    /** Writes the record of the float vector at {@code srcOffset} of {@code src} to {@code dstOffset} of {@code dst}. */
    void encode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset) {
        int words = words(dim);
        for (int w = 0; w < words; w++) {
            long bits = 0;
            int end = Math.min(dim, (w + 1) * 64);
            for (int i = w * 64; i < end; i++) {
                if (src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, srcOffset + 4L * i) > 0f) {
                    bits |= 1L << (i & 63);
                }
            }
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOffset + 8L * w, bits);
        }
    }

    /** The similarity (see the class comment) of a record to a query whose {@code h} against it is given. */
    float similarityOfDifference(float h) {
        return distance.higherIsBetter() ? dim - 2f * h : -h;
    }

    /** A scorer of {@code query} (already normalised for COSINE) against {@code records}. */
    NodeScorer scorer(float[] query, Records records) {
        return queryBits == 1 ? new HammingScorer(this, encode(query), records)
                : new ScalarQueryScorer(this, query, queryBits, records);
    }

    /** The records of an index: record {@code node} starts at {@code offset + node * stride(dim)}. */
    record Records(MemorySegment segment, long offset, int dim) {
        long record(int node) {
            return offset + (long) node * stride(dim);
        }
    }

    /** The query's own sign bits against the records: XOR and population count. One instance per query. */
    static final class HammingScorer extends NodeScorer {
        private final BinaryQuantizer quantizer;
        private final long[] query;
        private final Records records;

        HammingScorer(BinaryQuantizer quantizer, long[] query, Records records) {
            this.quantizer = quantizer;
            this.query = query;
            this.records = records;
        }

        @Override
        float similarity(int node) {
            MemorySegment seg = records.segment();
            long at = records.record(node);
            int h = 0;
            for (int w = 0; w < query.length; w++) {
                h += Long.bitCount(query[w] ^ seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8L * w));
            }
            return quantizer.similarityOfDifference(h);
        }
    }

    /**
     * A query quantized to 4 or 8 bits per component against the records: {@code h·R = Σ c_i + Σ_{bit_i set} (R -
     * 2 c_i)}, the second sum over the record's set bits. One instance per query.
     */
    static final class ScalarQueryScorer extends NodeScorer {
        private final BinaryQuantizer quantizer;
        private final Records records;
        /** {@code R - 2 c_i} per component, zero-padded to whole words. */
        private final int[] weightOfSetBit;
        private final long base;
        private final float levels;

        ScalarQueryScorer(BinaryQuantizer quantizer, float[] query, int bits, Records records) {
            this.quantizer = quantizer;
            this.records = records;
            int dim = quantizer.dim;
            int r = (1 << bits) - 1;
            this.levels = r;
            float max = 0f;
            for (int i = 0; i < dim; i++) {
                max = Math.max(max, Math.abs(query[i]));
            }
            float step = 2f * max / r;
            this.weightOfSetBit = new int[64 * words(dim)];
            long sum = 0;
            for (int i = 0; i < dim; i++) {
                int c = step > Math.ulp(1f) ? Math.round((query[i] + max) / step) % (r + 1) : 0;
                sum += c;
                weightOfSetBit[i] = r - 2 * c;
            }
            this.base = sum;
        }

        @Override
        float similarity(int node) {
            MemorySegment seg = records.segment();
            long at = records.record(node);
            long total = base;
            int words = weightOfSetBit.length >>> 6;
            for (int w = 0; w < words; w++) {
                long bits = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8L * w);
                int from = w << 6;
                while (bits != 0) {
                    total += weightOfSetBit[from + Long.numberOfTrailingZeros(bits)];
                    bits &= bits - 1;
                }
            }
            return quantizer.similarityOfDifference(total / levels);
        }
    }
}
