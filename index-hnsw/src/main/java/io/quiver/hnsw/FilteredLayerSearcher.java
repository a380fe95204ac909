package io.quiver.hnsw;

import java.util.Arrays;

/**
 * The layer-0 search of a filtered query, with two things the plain {@link HnswSearcher#searchLayer} lacks:
 * <ul>
 *   <li><b>A budget of distance computations.</b> The search gives up once it has scored more than {@code budget}
 *   vectors, so that a caller who could instead scan the accepted points exactly never pays much more than that scan
 *   (the idea of Lucene's visit limit on a filtered kNN query: try the graph, fall back to the exact scan).</li>
 *   <li><b>A filter-aware traversal</b> (after ACORN-1, Patel et al. 2024, as Lucene 10.2 tried it): only accepted
 *   nodes are scored and become candidates; a rejected neighbour is not scored but used as a bridge, its own
 *   neighbours (two hops from the expanded node) looked through for accepted ones, until the expansion has as many
 *   accepted nodes to score as the expanded node has neighbours. Used for filters that accept a minority of the
 *   graph; a broad filter gains little and keeps the plain traversal. Its answer is only trusted when the nodes it
 *   checked were accepted about as often as the filter accepts overall (see {@link #UNRELIABLE}).</li>
 * </ul>
 * Visited nodes are a bitset over the graph (cleared word by word where it was touched), as graph sizes here are
 * those of one segment. One instance per thread at a time: searches borrow one from their index's pool.
 */
final class FilteredLayerSearcher {

    /** The search completed: {@link #results()} holds its answer. */
    static final int COMPLETE = 0;
    /** The search scored more vectors than its budget allowed; its results are incomplete. */
    static final int OVER_BUDGET = 1;
    /**
     * A filter-aware search saw too few accepted nodes around the query to trust its answer: it ran out of candidates
     * before collecting {@code ef} accepted nodes, or the nodes it checked were accepted at less than
     * {@link #MIN_LOCAL_SHARE} of the filter's global rate (a filter anti-correlated with the query, whose accepted
     * points near the query are few and may not be connected through two hops).
     */
    static final int UNRELIABLE = 2;

    /** Local acceptance below this share of the global one makes a filter-aware search {@link #UNRELIABLE}. */
    static final double MIN_LOCAL_SHARE = 0.7;

    private long[] visited = new long[0];
    private int[] touched = new int[256];
    private int touchedCount;
    private final NeighborQueue candidates = new NeighborQueue(256, true);
    private final NeighborQueue results = new NeighborQueue(256, false);
    private int[] neighbors = new int[64];
    private int[] hop2 = new int[64];
    private int[] toScore = new int[64];
    private int[] bridges = new int[64];
    private float[] scores = new float[64];
    private int scored;
    private long checked;
    private long accepted;

    /** The results heap of the last search (worst on top). */
    NeighborQueue results() {
        return results;
    }

    /** Vectors scored by the last search (its entry included). */
    int scored() {
        return scored;
    }

    /**
     * Beam search of layer 0 from {@code entry} (already scored, {@code entrySimilarity}); afterwards {@link #results()}
     * holds up to {@code ef} accepted nodes. Returns {@link #COMPLETE}, {@link #OVER_BUDGET} (stopped after scoring
     * more than {@code budget} vectors) or {@link #UNRELIABLE}; only a complete search's results may be used.
     *
     * @param filterAware score only accepted nodes, bridging through rejected ones; false: the plain traversal, which
     *                    scores every fresh neighbour and keeps only accepted ones as results
     * @param acceptedShare the share of the graph's nodes that {@code accept} accepts (for the reliability check of a
     *                      filter-aware search)
     */
    int search(HnswGraph graph, NodeScorer scorer, int entry, float entrySimilarity, int ef, AcceptOrds accept,
               boolean filterAware, double acceptedShare, long budget) {
        prepare(graph.size());
        int perExpansion = neighbors.length;
        candidates.clear();
        results.clear();
        checked = 0;
        accepted = 0;
        visit(entry);
        scored = 1;
        candidates.add(entry, entrySimilarity);
        if (accept.accept(entry)) {
            results.add(entry, entrySimilarity);
        }
        int[] buf = neighbors;
        while (candidates.size() > 0) {
            if (results.size() >= ef && candidates.topScore() < results.topScore()) {
                break;
            }
            int c = candidates.pop();
            int n = graph.neighbors(0, c, buf);
            int count;
            if (!filterAware) {
                count = 0;
                for (int i = 0; i < n; i++) {
                    int nb = buf[i];
                    if (visit(nb)) {
                        toScore[count++] = nb;
                    }
                }
            } else {
                count = gatherAccepted(graph, buf, n, accept, perExpansion);
            }
            if (count == 0) {
                continue;
            }
            scored += count;
            if (scored > budget) {
                return OVER_BUDGET;
            }
            scorer.similarities(toScore, count, scores);
            for (int i = 0; i < count; i++) {
                int nb = toScore[i];
                float sim = scores[i];
                if (results.size() < ef || sim > results.topScore()) {
                    candidates.add(nb, sim);
                    if (filterAware || accept.accept(nb)) {
                        results.insertWithOverflow(nb, sim, ef);
                    }
                }
            }
        }
        if (filterAware && (results.size() < ef || accepted < MIN_LOCAL_SHARE * acceptedShare * checked)) {
            return UNRELIABLE;
        }
        return COMPLETE;
    }

    /**
     * Filter-aware gathering for one expansion: the fresh accepted neighbours into {@code toScore}, then accepted
     * nodes two hops away through the rejected ones, up to as many as the expanded node has neighbours (and
     * {@code limit}). Counts the nodes checked and accepted for the reliability check. Returns how many nodes
     * {@code toScore} holds.
     */
    private int gatherAccepted(HnswGraph graph, int[] buf, int n, AcceptOrds accept, int limit) {
        int count = 0;
        int rejected = 0;
        for (int i = 0; i < n; i++) {
            int nb = buf[i];
            if (visit(nb)) {
                if (accept.accept(nb)) {
                    toScore[count++] = nb;
                } else {
                    bridges[rejected++] = nb;
                }
            }
        }
        checked += count + rejected;
        accepted += count;
        if (rejected == 0) {
            return count;
        }
        // as many accepted nodes as an unfiltered expansion would score: the neighbour list's length
        int want = Math.min(limit, n);
        int[] far = hop2;
        for (int b = 0; b < rejected && count < want; b++) {
            int m = graph.neighbors(0, bridges[b], far);
            for (int j = 0; j < m && count < want; j++) {
                int nb = far[j];
                checked++;
                if (accept.accept(nb)) {
                    accepted++;
                    if (visit(nb)) {
                        toScore[count++] = nb;
                    }
                }
            }
        }
        return count;
    }

    /** Marks {@code node} visited; false when it already was. */
    private boolean visit(int node) {
        int w = node >>> 6;
        long bit = 1L << node;
        long word = visited[w];
        if ((word & bit) != 0) {
            return false;
        }
        if (word == 0) {
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = w;
        }
        visited[w] = word | bit;
        return true;
    }

    /** Clears what the last search visited and makes the bitset cover {@code size} nodes. */
    private void prepare(int size) {
        if (touchedCount * 4 > visited.length) {
            Arrays.fill(visited, 0L);
        } else {
            for (int i = 0; i < touchedCount; i++) {
                visited[touched[i]] = 0;
            }
        }
        touchedCount = 0;
        int words = (size + 63) >>> 6;
        if (visited.length < words) {
            visited = new long[words];
        }
    }

    /** Sizes the scratch for neighbour lists of up to {@code links} entries and {@code perExpansion} nodes to score. */
    void reserveLinks(int links) {
        if (neighbors.length < links) {
            neighbors = new int[links];
            hop2 = new int[links];
            bridges = new int[links];
            toScore = new int[links];
            scores = new float[links];
        }
    }

}
