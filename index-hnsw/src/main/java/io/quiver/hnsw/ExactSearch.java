package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
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
        float[] q = checkedQuery(vectors, distance, query);
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

    /** The query as scored: its dimension checked, normalised for COSINE (a copy then). */
    static float[] checkedQuery(VectorStore vectors, Distance distance, float[] query) {
        if (query.length != vectors.dimension()) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", index " + vectors.dimension());
        }
        return distance == Distance.COSINE ? VectorKernels.normalize(query.clone()) : query;
    }

    /** Ordinals gathered per bulk scoring call of {@link #search(VectorStore, Distance, float[], int, BitSet, AcceptOrds)}. */
    private static final int BLOCK = 64;

    /**
     * The {@code k} best of the ordinals set in {@code ords} (those below the store's size that {@code acceptOrNull}
     * also accepts), best first, scores in Qdrant's convention: the exact scan of a filter's matching points. Scores
     * them a block at a time through the bulk kernels, which keep four vectors' loads in flight. For COSINE the query
     * is normalised here.
     */
    public static List<ScoredOrd> search(VectorStore vectors, Distance distance, float[] query, int k, BitSet ords,
                                         AcceptOrds acceptOrNull) {
        float[] q = checkedQuery(vectors, distance, query);
        int n = vectors.size();
        TopK top = new TopK(Math.max(1, k));
        NodeScorer scorer = NodeScorer.ofQuery(distance, vectors, q);
        int[] block = new int[BLOCK];
        float[] sims = new float[BLOCK];
        int count = 0;
        for (int ord = ords.nextSetBit(0); ord >= 0 && ord < n; ord = ords.nextSetBit(ord + 1)) {
            if (acceptOrNull != null && !acceptOrNull.accept(ord)) {
                continue;
            }
            block[count++] = ord;
            if (count == BLOCK) {
                offerAll(scorer, block, count, sims, top);
                count = 0;
            }
        }
        offerAll(scorer, block, count, sims, top);
        return top.toResults(distance, k);
    }

    private static void offerAll(NodeScorer scorer, int[] block, int count, float[] sims, TopK top) {
        scorer.similarities(block, count, sims);
        for (int i = 0; i < count; i++) {
            top.offer(block[i], sims[i]);
        }
    }
}
