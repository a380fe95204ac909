package io.quiver.bench.ann;

/**
 * One system under test in the ANN harness: it builds an index over the data set's base vectors and answers top-k
 * queries with ids of base vectors (their position in the base file). Used by the harness thread only, except that
 * {@link #build} may use {@code threads} threads internally.
 */
interface AnnSystem extends AutoCloseable {

    String name();

    void build(AnnDataset data, int m, int efConstruct, int threads) throws Exception;

    /** Threads the build actually used. */
    int buildThreads();

    /** Bytes of the index structure (graph, plus codes for a quantized index), excluding the raw float vectors. */
    long indexBytes() throws Exception;

    /** Ids of the k best base vectors for {@code query}, best first, searching with candidate list size {@code ef}. */
    int[] search(float[] query, int k, int ef) throws Exception;

    @Override
    void close() throws Exception;
}
