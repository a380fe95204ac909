package io.quiver.hnsw;

/**
 * Read access to an HNSW graph's adjacency, as searches need it. Implemented by the builder's on-heap graph and by the
 * off-heap (memory-mapped) layout. Implementations are safe for concurrent readers.
 */
interface HnswGraph {

    /** Number of nodes. */
    int size();

    /** Highest level of any node, -1 for an empty graph. */
    int maxLevel();

    /** The entry point (a node on {@link #maxLevel()}), -1 for an empty graph. */
    int entryPoint();

    /** Copies the neighbours of {@code node} on {@code level} into {@code out}; returns how many. */
    int neighbors(int level, int node, int[] out);
}
