package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.ExactSearch;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.HnswParams;
import io.quiver.hnsw.OffHeapVectorStore;
import io.quiver.hnsw.ScoredOrd;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exact-scan-or-graph choice for filters with a known matching set: 40 000 points in 10 well separated clusters
 * (cluster = ord % 10), queries inside cluster 3. A filter on the query's own cluster (10 %, correlated) is answered
 * by the graph, with the exact top 10; the same-sized filter on a far cluster (anti-correlated: no accepted point near
 * the query) is handed to the exact scan; a 1 % filter is scanned without trying the graph; a 50 % random filter is
 * answered by the graph.
 */
class FilteredSearchChoiceTest {

    @Test
    void correlationDecidesBetweenGraphAndExactScan() {
        int n = 40_000;
        int dim = 4;
        Random rnd = new Random(7);
        float[][] vectors = new float[n][dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                vectors[i][d] = (d == 0 ? (i % 10) * 100f : 0f) + rnd.nextFloat();
            }
        }
        BitSet ownCluster = new BitSet();
        BitSet farCluster = new BitSet();
        BitSet onePercent = new BitSet();
        BitSet half = new BitSet();
        for (int i = 0; i < n; i++) {
            if (i % 10 == 3) {
                ownCluster.set(i);
            }
            if (i % 10 == 8) {
                farCluster.set(i);
            }
            if (i % 100 == 8) {
                onePercent.set(i);
            }
            if (rnd.nextBoolean()) {
                half.set(i);
            }
        }
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(vectors, false);
             HnswIndex index = HnswIndex.build(store, Distance.EUCLID, new HnswParams(16, 100, 1), 2)) {
            for (int q = 0; q < 5; q++) {
                float[] query = {300f + rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                List<ScoredOrd> own = choose(index, query, ownCluster);
                assertNotNull(own, "correlated 10 % filter: graph");
                List<ScoredOrd> exact = ExactSearch.search(store, Distance.EUCLID, query, 10, ownCluster::get);
                assertEquals(exact.stream().map(ScoredOrd::ord).toList(), own.stream().map(ScoredOrd::ord).toList());
                assertNull(choose(index, query, farCluster), "anti-correlated 10 % filter: exact scan");
                assertNull(choose(index, query, onePercent), "1 % filter: exact scan");
                assertNotNull(choose(index, query, half), "50 % filter: graph");
            }
        }
    }

    private static List<ScoredOrd> choose(HnswIndex index, float[] query, BitSet matching) {
        return FilteredSearchChoice.graphOrNull(index, query, 10, 64, matching::get, matching.cardinality(),
                io.quiver.hnsw.QuantizationSearchParams.defaults());
    }
}
