package io.quiver.bench.ann;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.quiver.hnsw.Distance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector 4.x (io.github.jbellis:jvector, DataStax's DiskANN-style graph with an HNSW-like hierarchy, Panama SIMD when
 * jdk.incubator.vector is present) as a peer in the ANN harness, in memory (an {@code OnHeapGraphIndex} over the float
 * vectors, no product quantization), so that it answers the same question as the other systems.
 *
 * <p>Parameter mapping: the harness's {@code m} becomes JVector's per-layer maximum degrees {@code [2m, m]} (layer 0
 * holds 2m links, upper layers m, as in HNSW, Quiver and Lucene); {@code ef_construct} becomes {@code beamWidth};
 * neighbour overflow and alpha stay at the values JVector's README uses for in-memory graphs ({@value #OVERFLOW} and
 * {@value #ALPHA}); the hierarchy is on and the final refinement pass runs (the constructor's default). A search at
 * {@code ef} asks for {@code topK = k} with {@code rerankK = max(k, ef)}: rerankK is the size of JVector's result
 * queue during the beam search (the ef of HNSW); with exact scores nothing is re-ranked. Cosine data arrives
 * normalised and uses DOT_PRODUCT. JVector picks its own SIMD provider: its bundled native library when it loads
 * ({@code NativeVectorizationProvider}), else the Vector API; {@code -Djvector.vectorization_provider=panama} forces
 * the pure-Java path (reported as {@code vectorization} in the JSON line). {@link #build} runs on the harness thread
 * with its own fork-join pool of {@code threads} workers; searches may run on several threads, each with its own
 * {@link GraphSearcher}.
 */
final class JVectorAnnSystem implements AnnSystem {

    static final float OVERFLOW = 1.2f;
    static final float ALPHA = 1.2f;
    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final ConcurrentLinkedQueue<GraphSearcher> searchers = new ConcurrentLinkedQueue<>();
    private RandomAccessVectorValues vectors;
    private VectorSimilarityFunction similarity;
    private ImmutableGraphIndex graph;
    private ThreadLocal<GraphSearcher> searcher;
    private int threads;

    @Override
    public String name() {
        return "jvector";
    }

    @Override
    public void build(AnnDataset data, int m, int efConstruct, int threads) throws Exception {
        this.threads = threads;
        List<VectorFloat<?>> list = new ArrayList<>(data.base.length);
        for (float[] v : data.base) {
            list.add(VTS.createFloatVector(v));
        }
        vectors = new ListRandomAccessVectorValues(list, data.dimension());
        similarity = data.distance == Distance.EUCLID
                ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
        ForkJoinPool pool = new ForkJoinPool(threads);
        try (GraphIndexBuilder builder = new GraphIndexBuilder(
                BuildScoreProvider.randomAccessScoreProvider(vectors, similarity), data.dimension(),
                List.of(2 * m, m), efConstruct, OVERFLOW, ALPHA, true, true, pool, pool)) {
            graph = builder.build(vectors);
        } finally {
            pool.shutdownNow();
        }
        ImmutableGraphIndex built = graph;
        searcher = ThreadLocal.withInitial(() -> {
            GraphSearcher s = new GraphSearcher(built);
            searchers.add(s);
            return s;
        });
    }

    @Override
    public int buildThreads() {
        return threads;
    }

    /** The in-memory graph's own accounting ({@code ramBytesUsed}: adjacency lists with their scores). */
    @Override
    public long indexBytes() {
        return graph.ramBytesUsed();
    }

    @Override
    public int[] search(float[] query, int k, int ef) {
        var provider = DefaultSearchScoreProvider.exact(VTS.createFloatVector(query), similarity, vectors);
        SearchResult result = searcher.get().search(provider, k, Math.max(k, ef), 0.0f, 0.0f, Bits.ALL);
        SearchResult.NodeScore[] nodes = result.getNodes();
        int n = Math.min(k, nodes.length);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = nodes[i].node;
        }
        return ids;
    }

    @Override
    public String jsonSettings() {
        return String.format(Locale.ROOT, ",\"max_degrees\":\"%s\",\"neighbor_overflow\":%s,\"alpha\":%s,"
                        + "\"vectorization\":\"%s\"", graph == null ? "" : graph.maxDegrees(), OVERFLOW, ALPHA,
                VectorizationProvider.getInstance().getClass().getSimpleName());
    }

    @Override
    public void close() throws Exception {
        for (GraphSearcher s : searchers) {
            s.close();
        }
        searchers.clear();
        if (graph != null) {
            graph.close();
            graph = null;
        }
        vectors = null;
    }
}
