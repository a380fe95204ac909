package io.quiver.hnsw;

import io.quiver.hnsw.BinaryQuantizationConfig.Encoding;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Binary quantization, Qdrant's encodings. A vector becomes {@link #codedBits} bits, bit {@code j} at bit
 * {@code j % 64} of the record's little-endian long {@code j / 64} (padding bits clear):
 * <ul>
 * <li>{@code ONE_BIT}: bit {@code i} is set when component {@code i} is above zero;</li>
 * <li>{@code TWO_BITS}: from the component's z-score {@code z = (x - mean_i) / stddev_i} over the indexed vectors,
 * bits {@code (i, dim + i)} are {@code 00} for {@code z <= -2/3}, {@code 10} for {@code -2/3 < z < 2/3}, {@code 11}
 * for {@code z >= 2/3} (a dimension whose standard deviation is below float epsilon falls back to the sign, second bit
 * clear);</li>
 * <li>{@code ONE_AND_HALF_BITS}: the first bits as two bits, the second bits of components {@code 2j} and
 * {@code 2j + 1} OR-ed into bit {@code dim + j}.</li>
 * </ul>
 * Two records are compared by the number {@code h} of bits that differ (XOR and population count); as in Qdrant the
 * similarity is {@code dim - 2h} for COSINE and DOT (Qdrant's score without rescoring) and {@code -h} for EUCLID and
 * MANHATTAN (an unrescored result reports {@code sqrt(h)} or {@code h} as its distance). A query of
 * {@code queryBits} 4 or 8 is not encoded as the records: as Qdrant's scalar query encodings, the query (for two bits
 * followed by itself again, for one and a half bits by the larger of each pair of components) is quantized to
 * {@code R = 2^bits - 1} levels over {@code [-max|q|, max|q|]}, {@code c_j = round((q_j + max) / step)}, and
 * {@code h = Σ_j (bit_j ? R - c_j : c_j) / R}, a fractional count that weighs each disagreement by the size of the
 * query component. Immutable and threadsafe; its scorers are one per query.
 */
public final class BinaryQuantizer {

    /** The z-score bounds of the two-bit encodings' middle range, in standard deviations (Qdrant's). */
    private static final float SIGMAS = 2f / 3f;

    private final int dim;
    private final Distance distance;
    private final Encoding encoding;
    private final int queryBits;
    /** Per-dimension mean and sample standard deviation of the indexed vectors; null for ONE_BIT. */
    private final float[] meanOrNull;
    private final float[] stddevOrNull;

    BinaryQuantizer(int dim, Distance distance, Encoding encoding, int queryBits, float[] meanOrNull,
                    float[] stddevOrNull) {
        if (queryBits != 1 && queryBits != 4 && queryBits != 8) {
            throw new IllegalArgumentException("queryBits must be 1, 4 or 8, got " + queryBits);
        }
        if ((encoding == Encoding.ONE_BIT) != (meanOrNull == null)
                || meanOrNull != null && (meanOrNull.length != dim || stddevOrNull.length != dim)) {
            throw new IllegalArgumentException(encoding + " takes " + (encoding == Encoding.ONE_BIT ? "no" : dim)
                    + " per-dimension statistics");
        }
        this.dim = dim;
        this.distance = distance;
        this.encoding = encoding;
        this.queryBits = queryBits;
        this.meanOrNull = meanOrNull;
        this.stddevOrNull = stddevOrNull;
    }

    /** A one-bit quantizer (no statistics needed). */
    public BinaryQuantizer(int dim, Distance distance, int queryBits) {
        this(dim, distance, Encoding.ONE_BIT, queryBits, null, null);
    }

    /** A quantizer for {@code config}, with the per-dimension statistics of {@code vectors} where it needs them. */
    static BinaryQuantizer train(VectorStore vectors, Distance distance, BinaryQuantizationConfig config) {
        int dim = vectors.dimension();
        if (config.encoding() == Encoding.ONE_BIT) {
            return new BinaryQuantizer(dim, distance, config.queryBits());
        }
        double[] mean = new double[dim];
        double[] m2 = new double[dim];
        int n = vectors.size();
        for (int ord = 0; ord < n; ord++) { // Welford's algorithm, per dimension
            MemorySegment v = vectors.vector(ord);
            for (int i = 0; i < dim; i++) {
                double x = v.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i);
                double delta = x - mean[i];
                mean[i] += delta / (ord + 1);
                m2[i] += delta * (x - mean[i]);
            }
        }
        float[] means = new float[dim];
        float[] stddevs = new float[dim];
        for (int i = 0; i < dim; i++) {
            means[i] = (float) mean[i];
            stddevs[i] = n > 1 ? (float) Math.sqrt(m2[i] / (n - 1)) : 0f;
        }
        return new BinaryQuantizer(dim, distance, config.encoding(), config.queryBits(), means, stddevs);
    }

    public Encoding encoding() {
        return encoding;
    }

    public int queryBits() {
        return queryBits;
    }

    /** The per-dimension means (a copy), null for ONE_BIT. */
    float[] meanOrNull() {
        return meanOrNull == null ? null : meanOrNull.clone();
    }

    /** The per-dimension standard deviations (a copy), null for ONE_BIT. */
    float[] stddevOrNull() {
        return stddevOrNull == null ? null : stddevOrNull.clone();
    }

    /** Bits a vector of {@code dimension} components takes under {@code encoding}. */
    public static int codedBits(int dimension, Encoding encoding) {
        return switch (encoding) {
            case ONE_BIT -> dimension;
            case TWO_BITS -> 2 * dimension;
            case ONE_AND_HALF_BITS -> dimension + (dimension + 1) / 2;
        };
    }

    /** Longs per record. */
    public static int words(int dimension, Encoding encoding) {
        return (codedBits(dimension, encoding) + 63) >>> 6;
    }

    /** Bytes from one record to the next. */
    public static int stride(int dimension, Encoding encoding) {
        return 8 * words(dimension, encoding);
    }

    /** Bytes from one record to the next for this quantizer. */
    int stride() {
        return stride(dim, encoding);
    }

    /** The header word of an index file holding this quantizer's records: query bits, encoding number above them. */
    int headerParams() {
        return queryBits | (encoding.ordinal() + 1) << 8;
    }

    /**
     * The quantizer of the records at {@code codes} of an index file, whose header word is {@code params} (see
     * {@link #headerParams}; encoding 0, from the first version 5 files, is one bit), with the two-bit encodings'
     * statistics read from behind the records. The file was checked by {@link #endOfRecords}.
     */
    static BinaryQuantizer read(MemorySegment file, long codes, int params, int count, int dim, Distance distance) {
        Encoding encoding = Encoding.values()[Math.max(0, (params >>> 8) - 1)];
        if (encoding == Encoding.ONE_BIT) {
            return new BinaryQuantizer(dim, distance, params & 0xFF);
        }
        long stats = statsOffset(codes, count, stride(dim, encoding));
        return new BinaryQuantizer(dim, distance, encoding, params & 0xFF,
                file.asSlice(stats, 4L * dim).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED),
                file.asSlice(stats + 4L * dim, 4L * dim).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED));
    }

    /** Where the records at {@code codes} and what follows them end, or -1 when {@code params} are not valid. */
    static long endOfRecords(long codes, int params, int count, int dim) {
        int bits = params & 0xFF;
        int encodingNumber = params >>> 8;
        if (bits != 1 && bits != 4 && bits != 8 || encodingNumber > Encoding.values().length) {
            return -1;
        }
        Encoding encoding = Encoding.values()[Math.max(0, encodingNumber - 1)];
        int stride = stride(dim, encoding);
        return encoding == Encoding.ONE_BIT ? codes + (long) count * stride
                : statsOffset(codes, count, stride) + 8L * dim;
    }

    /** Where the two-bit encodings' means and standard deviations follow the records (8-byte aligned). */
    static long statsOffset(long codes, int count, int stride) {
        return (codes + (long) count * stride + 7) & ~7L;
    }

    /** The record of {@code v} (its first {@code dim} components), {@link #words} longs. */
    public long[] encode(float[] v) {
        long[] bits = new long[words(dim, encoding)];
        for (int i = 0; i < dim; i++) {
            setBits(bits, i, v[i]);
        }
        return bits;
    }

    /** Writes the record of the float vector at {@code srcOffset} of {@code src} to {@code dstOffset} of dst. */
    void encode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset) {
        long[] bits = new long[words(dim, encoding)];
        for (int i = 0; i < dim; i++) {
            setBits(bits, i, src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, srcOffset + 4L * i));
        }
        MemorySegment.copy(bits, 0, dst, ValueLayout.JAVA_LONG_UNALIGNED, dstOffset, bits.length);
    }

    /** Sets the bits component {@code i} of value {@code x} contributes (see the class comment). */
    private void setBits(long[] bits, int i, float x) {
        boolean first;
        boolean second;
        if (encoding == Encoding.ONE_BIT) {
            first = x > 0f;
            second = false;
        } else if (stddevOrNull[i] < Math.ulp(1f)) {
            first = x > 0f;
            second = false;
        } else {
            float z = (x - meanOrNull[i]) / stddevOrNull[i];
            first = z > -SIGMAS;
            second = z >= SIGMAS;
        }
        if (first) {
            bits[i >>> 6] |= 1L << (i & 63);
        }
        if (second) {
            int j = dim + (encoding == Encoding.TWO_BITS ? i : i / 2);
            bits[j >>> 6] |= 1L << (j & 63);
        }
    }

    /** The similarity (see the class comment) of a record to a query whose {@code h} against it is given. */
    float similarityOfDifference(float h) {
        return distance.higherIsBetter() ? dim - 2f * h : -h;
    }

    /** A scorer of {@code query} (already normalised for COSINE) against {@code records}. */
    NodeScorer scorer(float[] query, Records records) {
        return queryBits == 1 ? new HammingScorer(this, encode(query), records)
                : new ScalarQueryScorer(this, extendedQuery(query), queryBits, records);
    }

    /** The query laid out as the record's bits are: itself, then (two-bit encodings) the second bits' values. */
    private float[] extendedQuery(float[] query) {
        float[] out = new float[codedBits(dim, encoding)];
        System.arraycopy(query, 0, out, 0, dim);
        if (encoding == Encoding.TWO_BITS) {
            System.arraycopy(query, 0, out, dim, dim);
        } else if (encoding == Encoding.ONE_AND_HALF_BITS) {
            for (int j = 0; j < (dim + 1) / 2; j++) {
                out[dim + j] = 2 * j + 1 < dim ? Math.max(query[2 * j], query[2 * j + 1]) : query[2 * j];
            }
        }
        return out;
    }

    /** The records of an index: record {@code node} starts at {@code offset + node * stride}. */
    record Records(MemorySegment segment, long offset, int stride) {
        long record(int node) {
            return offset + (long) node * stride;
        }
    }

    /** The query encoded as the records are, against them: XOR and population count. One instance per query. */
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
     * A query quantized to 4 or 8 bits per coded bit against the records, with the query's levels transposed into bit
     * planes (plane {@code b} holds bit {@code b} of every level, laid out as the records): then
     * {@code h·R = Σ_b 2^b · popcount(plane_b XOR record)}, a few population counts per word instead of a loop over
     * the record's bits (the layout of Qdrant's scalar query encodings). One instance per query.
     */
    static final class ScalarQueryScorer extends NodeScorer {
        private final BinaryQuantizer quantizer;
        private final Records records;
        /** Plane {@code b} of word {@code w} at {@code w * bits + b}. */
        private final long[] planes;
        private final int bits;
        private final int words;
        private final float levels;

        ScalarQueryScorer(BinaryQuantizer quantizer, float[] extendedQuery, int bits, Records records) {
            this.quantizer = quantizer;
            this.records = records;
            this.bits = bits;
            int r = (1 << bits) - 1;
            this.levels = r;
            float max = 0f;
            for (float x : extendedQuery) {
                max = Math.max(max, Math.abs(x));
            }
            float step = 2f * max / r;
            this.words = (extendedQuery.length + 63) >>> 6;
            this.planes = new long[words * bits];
            for (int j = 0; j < extendedQuery.length; j++) {
                int c = step > Math.ulp(1f) ? Math.round((extendedQuery[j] + max) / step) % (r + 1) : 0;
                for (int b = 0; b < bits; b++) {
                    if ((c >>> b & 1) != 0) {
                        planes[(j >>> 6) * bits + b] |= 1L << (j & 63);
                    }
                }
            }
        }

        @Override
        float similarity(int node) {
            MemorySegment seg = records.segment();
            long at = records.record(node);
            long total = 0;
            for (int w = 0; w < words; w++) {
                long record = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8L * w);
                int from = w * bits;
                for (int b = 0; b < bits; b++) {
                    total += (long) Long.bitCount(planes[from + b] ^ record) << b;
                }
            }
            return quantizer.similarityOfDifference(total / levels);
        }
    }
}
