package io.quiver.hnsw;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds an {@link OnHeapHnswGraph} over a {@link VectorStore} by inserting every vector (Malkov &amp; Yashunin,
 * algorithm 1): levels drawn up front from a generator seeded by {@link HnswParams#seed()} with multiplier
 * {@code 1/ln(m)}, a greedy descent, a beam search of {@code efConstruct} per level, the neighbour-selection heuristic
 * (algorithm 4, with the slack {@link #DIVERSITY_ALPHA}) for the new node's {@code m} links; a reverse link that
 * overflows a neighbour's list ({@code 2m} on layer 0) replaces the worst link the heuristic would not keep.
 * {@link #build(int)} inserts from several threads; the builder keeps per-thread scratch (a searcher and selection
 * buffers) for the duration of one build. One build per instance.
 */
final class HnswBuilder {

    /**
     * Slack of the diversity test, as a ratio of distances (the α of Vamana's robust prune: Subramanya et al. 2019,
     * "DiskANN"): a candidate is pruned only when a kept neighbour is closer to it than its distance to the base node
     * divided by α. Malkov &amp; Yashunin's heuristic is α = 1; above 1 it keeps some links to candidates that sit
     * between the kept ones and the base node, so a search finds more of a query's neighbours per node it expands.
     * Measured on fashion-mnist (BENCHMARKS.md, "Diversity slack α"): at ef 10, int8 recall@10 0.906 → 0.945
     * (cosine) and 0.936 → 0.962 (euclid) for 3–23 % more work per ef; recall 0.95 costs 6–15 % less on cosine
     * and about the same on euclid, where ef 10 already exceeds it. 1.05 to 1.15 measured alike; 1.2 built up to 1.8×
     * slower. DOT keeps α = 1: its similarity is no distance. Only layer 0 gets the slack: the upper layers serve a
     * greedy walk that needs few long links, and with α = 1 there the walk scored 57 instead of 70 records per
     * euclid int8 query at the same recall (BENCHMARKS.md).
     */
    static final float DIVERSITY_ALPHA = 1.1f;

    /** Insertions handed to a thread at a time. */
    private static final int CHUNK = 64;

    private final VectorStore vectors;
    private final Distance distance;
    private final HnswParams params;
    private final OnHeapHnswGraph graph;

    HnswBuilder(VectorStore vectors, Distance distance, HnswParams params) {
        this.vectors = vectors;
        this.distance = distance;
        this.params = params;
        this.graph = new OnHeapHnswGraph(drawLevels(vectors.size(), params), params.m());
    }

    /** Levels of {@code n} nodes, reproducible from the seed alone (independent of the number of threads). */
    static int[] drawLevels(int n, HnswParams params) {
        SplittableRandom random = new SplittableRandom(params.seed());
        double ml = params.levelMultiplier();
        int[] levels = new int[n];
        for (int i = 0; i < n; i++) {
            double u = 1.0 - random.nextDouble(); // (0, 1]
            levels[i] = (int) Math.min(30, Math.floor(-Math.log(u) * ml));
        }
        return levels;
    }

    /** Inserts every vector using {@code threads} threads (1: the calling thread only); returns the graph. */
    OnHeapHnswGraph build(int threads) {
        int n = vectors.size();
        if (n == 0) {
            return graph;
        }
        graph.offerEntryPoint(0);
        AtomicInteger next = new AtomicInteger(1);
        if (threads <= 1) {
            new Inserter().run(next, n);
            return graph;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("hnsw-build-" + t).start(() -> {
                try {
                    new Inserter().run(next, n);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    next.set(n); // stop the others
                }
            }));
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while building the HNSW graph", e);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("HNSW build failed", failure.get());
        }
        return graph;
    }

    /**
     * The similarity above which a kept neighbour {@code s} prunes a candidate {@code c} whose similarity to the base
     * node is {@code candidateSimilarity}: the test {@code d(c, s) < d(c, base) / α} expressed in similarities
     * (EUCLID: minus squared distance; COSINE: unit vectors, {@code d² = 2 - 2 dot}; MANHATTAN: minus L1), with
     * α = {@link #DIVERSITY_ALPHA} on layer 0 and 1 on the layers above.
     */
    private float pruneAbove(float candidateSimilarity, int level) {
        float alpha = level == 0 ? DIVERSITY_ALPHA : 1f;
        float alphaSquared = alpha * alpha;
        return switch (distance) {
            case EUCLID -> candidateSimilarity / alphaSquared;
            case COSINE -> 1f - (1f - candidateSimilarity) / alphaSquared;
            case MANHATTAN -> candidateSimilarity / alpha;
            case DOT -> candidateSimilarity;
        };
    }

    /** One building thread's scratch and insertion loop. */
    private final class Inserter {
        private final HnswSearcher searcher = new HnswSearcher();
        private final float[] queryScratch = new float[vectors.dimension()];
        private final float[] candidateScratch = new float[vectors.dimension()];
        private final int maxCandidates = Math.max(params.efConstruct(), graph.maxLinks0) + 1;
        private final int[] candNodes = new int[maxCandidates];
        private final float[] candSims = new float[maxCandidates];
        private final int[] selNodes = new int[maxCandidates];
        private final float[] selSims = new float[maxCandidates];
        private final int[] nbNodes = new int[graph.maxLinks0 + 1];
        private final float[] nbSims = new float[graph.maxLinks0 + 1];
        private final int[] sortedNodes = new int[graph.maxLinks0 + 1];
        private final float[] sortedSims = new float[graph.maxLinks0 + 1];
        private final int[] newNodes = new int[maxCandidates];
        private final float[] newSims = new float[maxCandidates];

        Inserter() {
            searcher.reserveLinks(graph.maxLinks0);
        }

        void run(AtomicInteger next, int n) {
            while (true) {
                int start = next.getAndAdd(CHUNK);
                if (start >= n) {
                    return;
                }
                int end = Math.min(n, start + CHUNK);
                for (int node = start; node < end; node++) {
                    insert(node);
                }
            }
        }

        void insert(int node) {
            long snapshot = graph.entrySnapshot();
            int entry = (int) snapshot;
            int topLevel = (int) (snapshot >> 32);
            int level = graph.levels[node];
            NodeScorer scorer = NodeScorer.ofStored(distance, vectors, node, queryScratch);
            int current = searcher.descend(graph, scorer, entry, topLevel, level);
            float currentSim = searcher.greedySimilarity();
            for (int l = Math.min(level, topLevel); l >= 0; l--) {
                searcher.searchLayer(graph, scorer, current, currentSim, params.efConstruct(), l, null);
                NeighborQueue results = searcher.results();
                int count = results.size();
                for (int i = count - 1; i >= 0; i--) { // best first
                    candSims[i] = results.topScore();
                    candNodes[i] = results.pop();
                }
                current = candNodes[0];
                currentSim = candSims[0];
                int selected = selectDiverse(candNodes, candSims, count, params.m(), node, l);
                System.arraycopy(selNodes, 0, newNodes, 0, selected);
                System.arraycopy(selSims, 0, newSims, 0, selected);
                synchronized (graph.lockOf(node)) {
                    for (int i = 0; i < selected; i++) {
                        addLink(l, node, newNodes[i], newSims[i]);
                    }
                }
                for (int i = 0; i < selected; i++) {
                    int nb = newNodes[i];
                    float sim = newSims[i];
                    synchronized (graph.lockOf(nb)) {
                        addLink(l, nb, node, sim);
                    }
                }
            }
            if (level > topLevel) {
                graph.offerEntryPoint(node);
            }
        }

        /**
         * Adds a link {@code node -> nb} on {@code level}; a full list drops one link (see {@link #linkToDrop});
         * lock held.
         */
        private void addLink(int level, int node, int nb, float sim) {
            if (nb == node || graph.hasLink(level, node, nb)) {
                return;
            }
            if (graph.tryAppend(level, node, nb, sim)) {
                return;
            }
            int n = graph.copyNeighbors(level, node, nbNodes, nbSims);
            // insert (nb, sim) into the list sorted best first
            sortBestFirst(nbNodes, nbSims, n, nb, sim, sortedNodes, sortedSims);
            int drop = linkToDrop(sortedNodes, sortedSims, n + 1, level);
            int kept = 0;
            for (int i = 0; i <= n; i++) {
                if (i != drop) {
                    selNodes[kept] = sortedNodes[i];
                    selSims[kept] = sortedSims[i];
                    kept++;
                }
            }
            graph.setNeighbors(level, node, selNodes, selSims, kept);
        }

        /**
         * Which of a full list's {@code count} links (sorted best first) to drop for a new one: the worst link that
         * the heuristic would not keep (a better neighbour is closer to its target than the node is, with the same
         * slack), else the worst.
         * Re-running the heuristic over the overflowing list instead (hnswlib's way, and this builder's before
         * 2026-12-04) cuts the busiest nodes' lists back to their few diverse links: on fashion-mnist the graph with
         * full lists reaches recall 0.95 at a smaller ef for about the same cost per ef (BENCHMARKS.md). Lucene
         * shrinks lists the same way.
         */
        private int linkToDrop(int[] nodes, float[] sims, int count, int level) {
            for (int i = count - 1; i >= 1; i--) {
                NodeScorer target = NodeScorer.ofStored(distance, vectors, nodes[i], candidateScratch);
                if (target.anyAbove(nodes, i, pruneAbove(sims[i], level))) {
                    return i;
                }
            }
            return count - 1;
        }

        /**
         * The neighbour-selection heuristic: walks candidates best first and keeps one unless a candidate kept so far
         * is closer to it than its distance to the base node divided by α (see {@link #pruneAbove}). Writes the kept
         * ones to selNodes/selSims; returns how many.
         */
        private int selectDiverse(int[] nodes, float[] sims, int count, int max, int base, int level) {
            int kept = 0;
            for (int i = 0; i < count && kept < max; i++) {
                int c = nodes[i];
                if (c == base) {
                    continue;
                }
                float cSim = sims[i];
                // c is diverse when no kept neighbour is much closer to it than the base node is
                boolean diverse = kept == 0
                        || !NodeScorer.ofStored(distance, vectors, c, candidateScratch)
                                .anyAbove(selNodes, kept, pruneAbove(cSim, level));
                if (diverse) {
                    selNodes[kept] = c;
                    selSims[kept] = cSim;
                    kept++;
                }
            }
            return kept;
        }
    }

    private static void sortBestFirst(int[] nodes, float[] sims, int n, int extra, float extraSim,
                                      int[] outNodes, float[] outSims) {
        // insertion sort: lists are short (2m + 1)
        int size = 0;
        for (int i = 0; i <= n; i++) {
            int node = i < n ? nodes[i] : extra;
            float sim = i < n ? sims[i] : extraSim;
            int j = size - 1;
            while (j >= 0 && outSims[j] < sim) {
                outSims[j + 1] = outSims[j];
                outNodes[j + 1] = outNodes[j];
                j--;
            }
            outSims[j + 1] = sim;
            outNodes[j + 1] = node;
            size++;
        }
    }
}
