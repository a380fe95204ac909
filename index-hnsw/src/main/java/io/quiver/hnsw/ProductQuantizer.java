package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Product quantization (Qdrant's {@code product} quantization): a vector, zero-padded to {@code buckets * bucketSize}
 * components, is cut into {@code buckets} sub-vectors of {@code bucketSize}; sub-vector {@code b} is stored as the
 * byte numbering the nearest (squared Euclidean) of the 256 centroids of bucket {@code b}, learned by k-means (Lloyd's
 * algorithm from k-means++ seeds) on a sample of the indexed vectors. A query is scored through a table of its partial
 * similarity to every centroid of every bucket: {@code sim(q, x) ≈ Σ_b table[b][code_b]} with the partial dot product
 * (COSINE, DOT), minus the partial squared distance (EUCLID) or minus the partial L1 distance (MANHATTAN), the units
 * of {@link Distance#similarity}, so an unrescored result reports the distance to the centroids' reconstruction. A
 * record is {@code buckets} bytes. Immutable and threadsafe; its scorers are one per query.
 */
public final class ProductQuantizer {

    /** Centroids per bucket: one code byte. */
    static final int CENTROIDS = 256;
    /** Most vectors k-means learns from (about 8 per centroid). */
    private static final int SAMPLE = CENTROIDS * 8;
    /** Lloyd iterations after the k-means++ seeding. */
    private static final int ITERATIONS = 6;

    private final int dim;
    private final Distance distance;
    private final int bucketSize;
    private final int buckets;
    /**
     * The centroids component-major: component {@code j} of centroid {@code c} of bucket {@code b} at
     * {@code (b * bucketSize + j) * CENTROIDS + c}, so that a query's table, and a vector's nearest centroids, are
     * computed in loops over the 256 centroids. The index file holds them in this order.
     */
    private final float[] byComponent;

    ProductQuantizer(int dim, Distance distance, int bucketSize, float[] byComponent) {
        this.dim = dim;
        this.distance = distance;
        this.bucketSize = bucketSize;
        this.buckets = buckets(dim, bucketSize);
        if (byComponent.length != buckets * CENTROIDS * bucketSize) {
            throw new IllegalArgumentException(byComponent.length + " centroid components for " + buckets
                    + " buckets of " + bucketSize);
        }
        this.byComponent = byComponent;
    }

    /** Centroid-major centroids (centroid {@code c} of bucket {@code b} at {@code (b * 256 + c) * size}) reordered. */
    private static float[] componentMajor(float[] centroidMajor, int buckets, int size) {
        float[] out = new float[centroidMajor.length];
        for (int b = 0; b < buckets; b++) {
            for (int c = 0; c < CENTROIDS; c++) {
                for (int j = 0; j < size; j++) {
                    out[(b * size + j) * CENTROIDS + c] = centroidMajor[(b * CENTROIDS + c) * size + j];
                }
            }
        }
        return out;
    }

    /** Sub-vectors of a vector of {@code dimension} components, the last one zero-padded: the bytes of a record. */
    public static int buckets(int dimension, int bucketSize) {
        return (dimension + bucketSize - 1) / bucketSize;
    }

    public int bucketSize() {
        return bucketSize;
    }

    /** Bytes of one record. */
    int stride() {
        return buckets;
    }

    /** The centroids (a copy), component-major as laid out in the index file. */
    float[] centroidsByComponent() {
        return byComponent.clone();
    }

    /** Component {@code j} of centroid {@code c} of bucket {@code b}. */
    float centroidComponent(int b, int c, int j) {
        return byComponent[(b * bucketSize + j) * CENTROIDS + c];
    }

    /**
     * Learns the centroids of every bucket from a sample of at most {@link #SAMPLE} of {@code vectors}, the buckets
     * spread over {@code threads} threads; deterministic for a seed.
     */
    static ProductQuantizer train(VectorStore vectors, Distance distance, ProductQuantizationConfig config, long seed,
                                  int threads) {
        int dim = vectors.dimension();
        int size = config.bucketSize();
        int buckets = buckets(dim, size);
        int n = vectors.size();
        int sampleSize = Math.min(n, SAMPLE);
        int[] sample = sampleOrds(n, sampleSize, new SplittableRandom(seed));
        float[] padded = new float[sampleSize * buckets * size]; // the sample, zero-padded, one row per vector
        for (int i = 0; i < sampleSize; i++) {
            MemorySegment.copy(vectors.vector(sample[i]), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, padded,
                    i * buckets * size, dim);
        }
        float[] centroids = new float[buckets * CENTROIDS * size];
        IntConsumer trainBucket = b -> kMeans(padded, sampleSize, buckets * size, b * size, size, centroids,
                b * CENTROIDS * size, new SplittableRandom(seed * 31 + b)); // each bucket writes its own range
        if (threads > 1) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                pool.submit(() -> IntStream.range(0, buckets).parallel().forEach(trainBucket)).join();
            } finally {
                pool.shutdown();
            }
        } else {
            IntStream.range(0, buckets).forEach(trainBucket);
        }
        return new ProductQuantizer(dim, distance, size, componentMajor(centroids, buckets, size));
    }

    /** {@code count} distinct ordinals of {@code 0..n-1} (all of them when {@code count == n}). */
    private static int[] sampleOrds(int n, int count, SplittableRandom random) {
        int[] ords = new int[n];
        for (int i = 0; i < n; i++) {
            ords[i] = i;
        }
        for (int i = 0; i < count; i++) { // partial Fisher-Yates
            int j = i + random.nextInt(n - i);
            int t = ords[i];
            ords[i] = ords[j];
            ords[j] = t;
        }
        return Arrays.copyOf(ords, count);
    }

    /**
     * k-means of the sub-vectors at {@code offset} (length {@code size}) of the {@code count} rows of {@code rowLength}
     * in {@code data}, written as 256 centroids at {@code out[outOffset..]}. With fewer distinct points than
     * centroids, the extra centroids repeat points (never chosen over an equal earlier one).
     */
    private static void kMeans(float[] data, int count, int rowLength, int offset, int size, float[] out,
                               int outOffset, SplittableRandom random) {
        if (count == 0) {
            return;
        }
        float[] c = new float[CENTROIDS * size];
        // k-means++ seeding: each next centroid drawn with probability proportional to its squared distance
        float[] nearest = new float[count];
        int first = random.nextInt(count);
        System.arraycopy(data, first * rowLength + offset, c, 0, size);
        for (int i = 0; i < count; i++) {
            nearest[i] = squared(data, i * rowLength + offset, c, 0, size);
        }
        for (int k = 1; k < CENTROIDS; k++) {
            double total = 0;
            for (float d : nearest) {
                total += d;
            }
            int pick;
            if (total <= 0) {
                pick = random.nextInt(count);
            } else {
                double target = random.nextDouble() * total;
                pick = count - 1;
                for (int i = 0; i < count; i++) {
                    target -= nearest[i];
                    if (target < 0) {
                        pick = i;
                        break;
                    }
                }
            }
            System.arraycopy(data, pick * rowLength + offset, c, k * size, size);
            for (int i = 0; i < count; i++) {
                nearest[i] = Math.min(nearest[i], squared(data, i * rowLength + offset, c, k * size, size));
            }
        }
        int[] assigned = new int[count];
        double[] sums = new double[CENTROIDS * size];
        int[] members = new int[CENTROIDS];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            for (int i = 0; i < count; i++) {
                assigned[i] = nearestCentroid(data, i * rowLength + offset, c, 0, size);
            }
            Arrays.fill(sums, 0);
            Arrays.fill(members, 0);
            for (int i = 0; i < count; i++) {
                int k = assigned[i];
                members[k]++;
                for (int j = 0; j < size; j++) {
                    sums[k * size + j] += data[i * rowLength + offset + j];
                }
            }
            for (int k = 0; k < CENTROIDS; k++) {
                if (members[k] > 0) { // an empty cluster keeps its centroid
                    for (int j = 0; j < size; j++) {
                        c[k * size + j] = (float) (sums[k * size + j] / members[k]);
                    }
                }
            }
        }
        System.arraycopy(c, 0, out, outOffset, c.length);
    }

    private static float squared(float[] a, int aOffset, float[] b, int bOffset, int size) {
        float sum = 0;
        for (int j = 0; j < size; j++) {
            float d = a[aOffset + j] - b[bOffset + j];
            sum += d * d;
        }
        return sum;
    }

    /**
     * The number of the centroid (of 256 of {@code size} components at {@code cOffset} of {@code c}) nearest to the
     * sub-vector at {@code offset} of {@code v}.
     */
    private static int nearestCentroid(float[] v, int offset, float[] c, int cOffset, int size) {
        int best = 0;
        float bestDistance = Float.POSITIVE_INFINITY;
        for (int k = 0; k < CENTROIDS; k++) {
            float d = squared(v, offset, c, cOffset + k * size, size);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    /**
     * The quantizer of the records at {@code codes} of an index file whose header word is the bucket size, with its
     * centroids read from behind the records. The file was checked by {@link #endOfRecords}.
     */
    static ProductQuantizer read(MemorySegment file, long codes, int bucketSize, int count, int dim,
                                 Distance distance) {
        int buckets = buckets(dim, bucketSize);
        return new ProductQuantizer(dim, distance, bucketSize, file.asSlice(centroidsOffset(codes, count, buckets),
                4L * buckets * CENTROIDS * bucketSize).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED));
    }

    /** Where the records at {@code codes} and their centroids end, or -1 when the bucket size is not valid. */
    static long endOfRecords(long codes, int bucketSize, int count, int dim) {
        if (bucketSize != 1 && bucketSize != 2 && bucketSize != 4 && bucketSize != 8 && bucketSize != 16) {
            return -1;
        }
        int buckets = buckets(dim, bucketSize);
        return centroidsOffset(codes, count, buckets) + 4L * buckets * CENTROIDS * bucketSize;
    }

    /** Where the centroids follow the records (8-byte aligned). */
    static long centroidsOffset(long codes, int count, int buckets) {
        return (codes + (long) count * buckets + 7) & ~7L;
    }

    /**
     * The record of {@code v} (its first {@code dim} components), one byte per bucket: the nearest centroid, the first
     * of equally near ones.
     */
    public byte[] encode(float[] v) {
        KernelSupport kernels = VectorKernels.active();
        float[] minusSquared = new float[CENTROIDS];
        byte[] codes = new byte[buckets];
        for (int b = 0; b < buckets; b++) {
            Arrays.fill(minusSquared, 0f);
            for (int j = 0; j < bucketSize; j++) {
                int i = b * bucketSize + j;
                kernels.accumulateTerms(Distance.EUCLID, i < dim ? v[i] : 0f, byComponent, i * CENTROIDS,
                        minusSquared, 0, CENTROIDS);
            }
            int best = 0;
            for (int c = 1; c < CENTROIDS; c++) {
                if (minusSquared[c] > minusSquared[best]) {
                    best = c;
                }
            }
            codes[b] = (byte) best;
        }
        return codes;
    }

    /** Writes the record of the float vector at {@code srcOffset} of {@code src} to {@code dstOffset} of dst. */
    void encode(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset) {
        float[] v = new float[dim];
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, srcOffset, v, 0, dim);
        MemorySegment.copy(encode(v), 0, dst, ValueLayout.JAVA_BYTE, dstOffset, buckets);
    }

    /** A scorer of {@code query} (already normalised for COSINE) against the records at {@code offset} of a segment. */
    NodeScorer scorer(float[] query, MemorySegment segment, long offset) {
        float[] table = new float[buckets * CENTROIDS];
        KernelSupport kernels = VectorKernels.active();
        for (int b = 0; b < buckets; b++) {
            for (int j = 0; j < bucketSize; j++) { // one query component against the bucket's 256 centroids
                int i = b * bucketSize + j;
                kernels.accumulateTerms(distance, i < dim ? query[i] : 0f, byComponent, i * CENTROIDS, table,
                        b * CENTROIDS, CENTROIDS);
            }
        }
        return new TableScorer(table, buckets, segment, offset);
    }

    /** Sums one table entry per bucket, chosen by the record's byte. One instance per query. */
    static final class TableScorer extends NodeScorer {
        private final float[] table;
        private final int buckets;
        private final MemorySegment segment;
        private final long offset;

        TableScorer(float[] table, int buckets, MemorySegment segment, long offset) {
            this.table = table;
            this.buckets = buckets;
            this.segment = segment;
            this.offset = offset;
        }

        @Override
        float similarity(int node) {
            long at = offset + (long) node * buckets;
            // eight codes per read (little-endian), into four sums: one sum would wait on each addition's latency
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int b = 0;
            for (int whole = buckets & ~7; b < whole; b += 8) {
                long codes = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at + b);
                int row = b * CENTROIDS;
                s0 += table[row + (int) (codes & 0xFF)];
                s1 += table[row + CENTROIDS + (int) (codes >>> 8 & 0xFF)];
                s2 += table[row + 2 * CENTROIDS + (int) (codes >>> 16 & 0xFF)];
                s3 += table[row + 3 * CENTROIDS + (int) (codes >>> 24 & 0xFF)];
                s0 += table[row + 4 * CENTROIDS + (int) (codes >>> 32 & 0xFF)];
                s1 += table[row + 5 * CENTROIDS + (int) (codes >>> 40 & 0xFF)];
                s2 += table[row + 6 * CENTROIDS + (int) (codes >>> 48 & 0xFF)];
                s3 += table[row + 7 * CENTROIDS + (int) (codes >>> 56 & 0xFF)];
            }
            for (; b < buckets; b++) {
                s0 += table[b * CENTROIDS + (segment.get(ValueLayout.JAVA_BYTE, at + b) & 0xFF)];
            }
            return (s0 + s1) + (s2 + s3);
        }
    }
}
