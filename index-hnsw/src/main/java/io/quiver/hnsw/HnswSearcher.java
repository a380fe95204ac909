package io.quiver.hnsw;

/**
 * The layer search of HNSW (Malkov &amp; Yashunin, algorithms 2 and 5) with its reusable scratch: a visited set, a
 * max-heap of candidates and a min-heap of results. Filtered search keeps traversing rejected nodes and collects only
 * accepted ones. One instance per thread at a time (searches borrow one from their index's pool).
 */
final class HnswSearcher {

    private final VisitedSet visited = new VisitedSet(4096);
    private final NeighborQueue candidates = new NeighborQueue(256, true);
    private final NeighborQueue results = new NeighborQueue(256, false);
    private int[] neighborBuffer = new int[64];
    private float[] scores = new float[64];
    private float greedySimilarity;

    /** The results heap of the last {@link #searchLayer} (worst on top). */
    NeighborQueue results() {
        return results;
    }

    /**
     * Greedy walk on one upper level from {@code entry}: moves to the best neighbour while it improves. Returns the
     * node reached; its similarity is then {@link #greedySimilarity()}. Neighbours already scored since the last
     * {@link #descend} began are skipped: their similarity was not above the best of that moment, and the best only
     * grows, so the walk is the same without scoring them again (neighbour lists of adjacent nodes overlap).
     */
    int greedy(HnswGraph graph, NodeScorer scorer, int entry, float entrySimilarity, int level) {
        int[] buf = neighborBuffer;
        float[] sims = scores;
        int current = entry;
        float best = entrySimilarity;
        boolean changed = true;
        while (changed) {
            changed = false;
            int all = graph.neighbors(level, current, buf);
            int n = 0;
            for (int i = 0; i < all; i++) {
                if (visited.add(buf[i])) {
                    buf[n++] = buf[i];
                }
            }
            // all fresh neighbours at once: the bulk kernels keep four vectors' loads in flight
            scorer.similarities(buf, n, sims);
            for (int i = 0; i < n; i++) {
                int nb = buf[i];
                float sim = sims[i];
                if (sim > best) {
                    best = sim;
                    current = nb;
                    changed = true;
                }
            }
        }
        greedySimilarity = best;
        return current;
    }

    float greedySimilarity() {
        return greedySimilarity;
    }

    /** Descends from the graph's entry point through the upper levels down to {@code stopLevel + 1}. */
    int descend(HnswGraph graph, NodeScorer scorer, int entry, int topLevel, int stopLevel) {
        visited.clear();
        visited.add(entry);
        float sim = scorer.similarity(entry);
        int current = entry;
        for (int level = topLevel; level > stopLevel; level--) {
            current = greedy(graph, scorer, current, sim, level);
            sim = greedySimilarity;
        }
        greedySimilarity = sim;
        return current;
    }

    /**
     * Beam search of one level from one entry node; afterwards {@link #results()} holds up to {@code ef} accepted
     * nodes (all nodes when {@code acceptOrNull} is null), worst on top.
     */
    void searchLayer(HnswGraph graph, NodeScorer scorer, int entry, float entrySimilarity, int ef, int level,
                     AcceptOrds acceptOrNull) {
        int[] buf = neighborBuffer;
        visited.clear();
        candidates.clear();
        results.clear();
        visited.add(entry);
        candidates.add(entry, entrySimilarity);
        if (acceptOrNull == null || acceptOrNull.accept(entry)) {
            results.add(entry, entrySimilarity);
        }
        while (candidates.size() > 0) {
            float candidateSim = candidates.topScore();
            if (results.size() >= ef && candidateSim < results.topScore()) {
                break;
            }
            int c = candidates.pop();
            int n = graph.neighbors(level, c, buf);
            int fresh = 0;
            for (int i = 0; i < n; i++) {
                int nb = buf[i];
                if (visited.add(nb)) {
                    buf[fresh++] = nb;
                }
            }
            scorer.similarities(buf, fresh, scores);
            for (int i = 0; i < fresh; i++) {
                int nb = buf[i];
                float sim = scores[i];
                if (results.size() < ef || sim > results.topScore()) {
                    candidates.add(nb, sim);
                    if (acceptOrNull == null || acceptOrNull.accept(nb)) {
                        results.insertWithOverflow(nb, sim, ef);
                    }
                }
            }
        }
    }

    /** Makes the neighbour buffer hold at least {@code links} entries. */
    void reserveLinks(int links) {
        if (neighborBuffer.length < links) {
            neighborBuffer = new int[links];
            scores = new float[links];
        }
    }
}
