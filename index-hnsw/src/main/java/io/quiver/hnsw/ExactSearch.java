package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Brute-force k-nearest search over a {@link VectorStore}: the ground truth of tests, the engine's search of small
 * appendable segments and of very selective filters (see {@link SearchCostModel}). Stateless and threadsafe.
 */
public final class ExactSearch {

    private ExactSearch() {
    }

    /**
     * The {@code k} best accepted vectors for {@code query}, best first, scores in Qdrant's convention. For COSINE the
     * query is normalised here (the stored vectors must already be unit vectors).
     */
    public static List<ScoredOrd> search(VectorStore vectors, Distance distance, float[] query, int k,
                                         AcceptOrds acceptOrNull) {
        if (query.length != vectors.dimension()) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", index " + vectors.dimension());
        }
        float[] q = distance == Distance.COSINE ? VectorKernels.normalize(query.clone()) : query;
        int n = vectors.size();
        TopK top = new TopK(Math.max(1, k));
        MemorySegment all = vectors.contiguousVectors();
        long stride = 4L * vectors.dimension();
        for (int ord = 0; ord < n; ord++) {
            if (acceptOrNull != null && !acceptOrNull.accept(ord)) {
                continue;
            }
            float sim = all != null
                    ? distance.similarity(q, all, ord * stride)
                    : distance.similarity(q, vectors.vector(ord), 0L);
            top.offer(ord, sim);
        }
        return top.toResults(distance, k);
    }
}
