package io.quiver.hnsw;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@code k} best (node, similarity) pairs and turns them into {@link ScoredOrd} results, best first.
 * Single-threaded.
 */
final class TopK {

    private final int k;
    private final NeighborQueue heap;

    TopK(int k) {
        this.k = k;
        this.heap = new NeighborQueue(Math.min(k, 1024), false); // grows when k is large and reached
    }

    void offer(int node, float similarity) {
        heap.insertWithOverflow(node, similarity, k);
    }

    int size() {
        return heap.size();
    }

    List<ScoredOrd> toResults(Distance distance, int limit) {
        int n = heap.size();
        int[] nodes = new int[n];
        float[] sims = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            sims[i] = heap.topScore();
            nodes[i] = heap.pop();
        }
        List<ScoredOrd> out = new ArrayList<>(Math.min(n, limit));
        for (int i = 0; i < n && i < limit; i++) {
            out.add(new ScoredOrd(nodes[i], distance.toScore(sims[i])));
        }
        return out;
    }
}
