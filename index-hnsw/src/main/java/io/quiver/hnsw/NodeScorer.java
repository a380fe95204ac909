package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;

/**
 * Scores graph nodes against one query, as an internal similarity (larger is better, see {@link Distance}). One
 * instance per query, used by one thread. Subclasses: float vectors against a heap query or a stored vector, and int8
 * codes ({@link ScalarQuantizer.CodeScorer}).
 */
abstract class NodeScorer {

    abstract float similarity(int ord);

    /**
     * True when some of {@code ords[0..count)} has a similarity above {@code threshold}; stops at the first group
     * that has one (the diversity test of neighbour selection).
     */
    boolean anyAbove(int[] ords, int count, float threshold) {
        for (int i = 0; i < count; i++) {
            if (similarity(ords[i]) > threshold) {
                return true;
            }
        }
        return false;
    }

    /** Similarities of {@code ords[0..count)} into {@code out}; subclasses stream four vectors at a time. */
    void similarities(int[] ords, int count, float[] out) {
        for (int i = 0; i < count; i++) {
            out[i] = similarity(ords[i]);
        }
    }

    /** A heap query (already normalised for COSINE) against the float vectors of {@code store}, by ordinal. */
    static NodeScorer ofQuery(Distance distance, VectorStore store, float[] query) {
        return new HeapQuery(distance, store, query, null);
    }

    /**
     * A heap query against the float vectors of {@code store}, scoring graph nodes: node {@code n} is the vector of
     * ordinal {@code ordinals.ord(n)}.
     */
    static NodeScorer ofQuery(Distance distance, VectorStore store, float[] query, NodeOrdinals ordinals) {
        return new HeapQuery(distance, store, query, ordinals.isIdentity() ? null : ordinals);
    }

    /**
     * Stored vector {@code queryOrd} against the other stored vectors (index build): the query vector is copied to
     * {@code scratch} (its dimension long, reused by the building thread) so that the bulk heap-query kernels apply.
     */
    static NodeScorer ofStored(Distance distance, VectorStore store, int queryOrd, float[] scratch) {
        MemorySegment all = store.contiguousVectors();
        int dim = store.dimension();
        if (all != null) {
            MemorySegment.copy(all, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, queryOrd * 4L * dim, scratch,
                    0, dim);
        } else {
            MemorySegment.copy(store.vector(queryOrd), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0L,
                    scratch, 0, dim);
        }
        return new HeapQuery(distance, store, scratch, null);
    }

    private static final class HeapQuery extends NodeScorer {
        private final Distance distance;
        private final VectorStore store;
        private final MemorySegment all;
        private final long stride;
        private final float[] query;
        /** Node-to-ordinal table, or null when nodes are ordinals. */
        private final NodeOrdinals ordinals;

        HeapQuery(Distance distance, VectorStore store, float[] query, NodeOrdinals ordinalsOrNull) {
            this.ordinals = ordinalsOrNull;
            this.distance = distance;
            this.store = store;
            this.all = store.contiguousVectors();
            this.stride = 4L * store.dimension();
            this.query = query;
        }

        private final float[] four = new float[4];
        private final KernelSupport kernels = VectorKernels.active();

        private int ord(int node) {
            return ordinals == null ? node : ordinals.ord(node);
        }

        @Override
        float similarity(int node) {
            int ord = ord(node);
            return all != null
                    ? distance.similarity(query, all, ord * stride)
                    : distance.similarity(query, store.vector(ord), 0L);
        }

        @Override
        boolean anyAbove(int[] ords, int count, float threshold) {
            if (all == null || distance == Distance.MANHATTAN) {
                return super.anyAbove(ords, count, threshold);
            }
            boolean euclid = distance == Distance.EUCLID;
            int i = 0;
            for (; i + 4 <= count; i += 4) {
                long o0 = ord(ords[i]) * stride;
                long o1 = ord(ords[i + 1]) * stride;
                long o2 = ord(ords[i + 2]) * stride;
                long o3 = ord(ords[i + 3]) * stride;
                if (euclid) {
                    kernels.squareDistanceBulk4(query, all, o0, o1, o2, o3, four);
                    float t = -threshold;
                    if (four[0] < t || four[1] < t || four[2] < t || four[3] < t) {
                        return true;
                    }
                } else {
                    kernels.dotBulk4(query, all, o0, o1, o2, o3, four);
                    if (four[0] > threshold || four[1] > threshold || four[2] > threshold || four[3] > threshold) {
                        return true;
                    }
                }
            }
            for (; i < count; i++) {
                if (similarity(ords[i]) > threshold) {
                    return true;
                }
            }
            return false;
        }

        @Override
        void similarities(int[] ords, int count, float[] out) {
            if (all == null || distance == Distance.MANHATTAN) {
                super.similarities(ords, count, out);
                return;
            }
            boolean euclid = distance == Distance.EUCLID;
            int i = 0;
            for (; i + 4 <= count; i += 4) {
                bulk4(euclid, ord(ords[i]) * stride, ord(ords[i + 1]) * stride, ord(ords[i + 2]) * stride,
                        ord(ords[i + 3]) * stride, out, i, 4);
            }
            int rest = count - i;
            if (rest == 1) {
                out[i] = similarity(ords[i]);
            } else if (rest > 1) {
                // two or three vectors still go through the four-vector kernel, the last one repeated in the unused
                // slots (its repeated reads hit the cache): their loads overlap as a full group's do, about 5 % less
                // per query than scoring them one by one (BENCHMARKS.md)
                long o0 = ord(ords[i]) * stride;
                long o1 = ord(ords[i + 1]) * stride;
                long o2 = rest == 3 ? ord(ords[i + 2]) * stride : o1;
                bulk4(euclid, o0, o1, o2, o2, out, i, rest);
            }
        }

        /** Scores the vectors at four byte offsets of the store and writes the first {@code used} to {@code out}. */
        private void bulk4(boolean euclid, long o0, long o1, long o2, long o3, float[] out, int at, int used) {
            float sign;
            if (euclid) {
                kernels.squareDistanceBulk4(query, all, o0, o1, o2, o3, four);
                sign = -1f;
            } else {
                kernels.dotBulk4(query, all, o0, o1, o2, o3, four);
                sign = 1f;
            }
            for (int j = 0; j < used; j++) {
                out[at + j] = sign * four[j];
            }
        }
    }
}
