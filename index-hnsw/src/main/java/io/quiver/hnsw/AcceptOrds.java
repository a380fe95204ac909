package io.quiver.hnsw;

/**
 * Which ordinals a filtered search may return. Rejected ordinals are still traversed as graph nodes, only never
 * returned (deleted points are passed as rejected). Implementations must be safe for reads from the searching thread.
 */
@FunctionalInterface
public interface AcceptOrds {

    /** True when {@code ord} may appear in results. */
    boolean accept(int ord);

    /** An accept-set backed by a bitset of {@code long} words (bit {@code ord} set = accepted); the array is not copied. */
    static AcceptOrds ofBits(long[] words) {
        return ord -> (ord >>> 6) < words.length && (words[ord >>> 6] & (1L << ord)) != 0;
    }
}
