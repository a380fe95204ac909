package io.quiver.bench.ann;

/**
 * One system under test in the ANN harness: it builds an index over the data set's base vectors and answers top-k
 * queries with ids of base vectors (their position in the base file). {@link #build} and {@link #close} run on the
 * harness thread ({@code build} may use {@code threads} threads internally); once built, {@link #search} may be called
 * from several search threads at once.
 */
interface AnnSystem extends AutoCloseable {

    String name();

    void build(AnnDataset data, int m, int efConstruct, int threads) throws Exception;

    /** Threads the build actually used. */
    int buildThreads();

    /** Bytes of the index structure (graph, plus codes for a quantized index), excluding the raw float vectors. */
    long indexBytes() throws Exception;

    /**
     * Ids of the k best base vectors for {@code query}, best first, searching with candidate list size
     * {@code max(k, ef)}. Safe to call from several threads at once.
     */
    int[] search(float[] query, int k, int ef) throws Exception;

    /** System-specific settings for its JSON line, each as {@code ,"key":value}; empty when there are none. */
    default String jsonSettings() {
        return "";
    }

    @Override
    void close() throws Exception;
}
