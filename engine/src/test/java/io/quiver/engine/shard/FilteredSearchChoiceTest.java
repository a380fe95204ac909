package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.HnswParams;
import io.quiver.hnsw.OffHeapVectorStore;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exact-scan-or-graph choice for filters with a known matching set: 40 000 points in 10 well separated clusters
 * (cluster = ord % 10), queries inside cluster 3. A filter on the query's own cluster (10 %, correlated) goes to the
 * graph because the probe sees its neighbourhood accepted; the same-sized filter on a far cluster (uncorrelated)
 * is scanned exactly; a 1 % filter is always scanned; a 50 % random filter always goes to the graph.
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
                assertTrue(choose(index, query, ownCluster), "correlated 10 % filter: graph");
                assertFalse(choose(index, query, farCluster), "uncorrelated 10 % filter: exact scan");
                assertFalse(choose(index, query, onePercent), "1 % filter: exact scan");
                assertTrue(choose(index, query, half), "50 % filter: graph");
            }
        }
    }

    private static boolean choose(HnswIndex index, float[] query, BitSet matching) {
        return FilteredSearchChoice.preferGraph(index, query, 64, matching, matching.cardinality(), index.size(),
                null);
    }
}
