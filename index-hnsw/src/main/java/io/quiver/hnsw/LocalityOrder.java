package io.quiver.hnsw;

/**
 * The order in which a built graph's nodes are laid out in memory, chosen so that nodes searched together sit near
 * each other (graph reordering, Coleman et al. 2021, "Graph reordering for cache-efficient near neighbor search"):
 * <ol>
 * <li>nodes of the upper levels come first, highest level first: every search descends through them, so their link
 * lists and int8 records form one small, dense, always-warm block (a few MB) instead of being spread over the whole
 * index;</li>
 * <li>within each level band, nodes follow a breadth-first traversal of layer 0 from the entry point (then from every
 * node not yet reached, in ordinal order): the links of one node are numbered next to each other, so the records a
 * beam-search step scores together share pages (fewer TLB misses) and DRAM rows.</li>
 * </ol>
 * Computed once at the end of a build from the on-heap graph (linear in the number of links; two int arrays of the
 * graph's size on the heap, dropped when the layout is written). {@code nodeToOrd[node]} is the caller's ordinal that
 * graph node {@code node} stands for; {@code ordToNode} is its inverse. Immutable after construction; made and used by
 * the building thread.
 */
final class LocalityOrder {

    final int[] nodeToOrd;
    final int[] ordToNode;

    private LocalityOrder(int[] nodeToOrd) {
        this.nodeToOrd = nodeToOrd;
        this.ordToNode = new int[nodeToOrd.length];
        for (int node = 0; node < nodeToOrd.length; node++) {
            ordToNode[nodeToOrd[node]] = node;
        }
    }

    /** The identity order: node {@code i} is ordinal {@code i}. */
    static LocalityOrder identity(int size) {
        int[] ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i;
        }
        return new LocalityOrder(ids);
    }

    /** The locality order of {@code graph} (see the class comment); {@code graph} must no longer change. */
    static LocalityOrder of(OnHeapHnswGraph graph) {
        int n = graph.size();
        int[] bfs = breadthFirst(graph, n);
        // stable counting sort of the breadth-first sequence by level, highest first
        int maxLevel = Math.max(0, graph.maxLevel());
        int[] start = new int[maxLevel + 2];
        for (int ord = 0; ord < n; ord++) {
            start[maxLevel - graph.levels[ord] + 1]++;
        }
        for (int b = 1; b < start.length; b++) {
            start[b] += start[b - 1];
        }
        int[] nodeToOrd = new int[n];
        for (int ord : bfs) {
            nodeToOrd[start[maxLevel - graph.levels[ord]]++] = ord;
        }
        return new LocalityOrder(nodeToOrd);
    }

    /** Ordinals in breadth-first order over layer 0, from the entry point, then from each unreached ordinal. */
    private static int[] breadthFirst(OnHeapHnswGraph graph, int n) {
        int[] queue = new int[n];
        boolean[] seen = new boolean[n];
        int[] links = new int[graph.maxLinks(0)];
        int tail = 0;
        int head = 0;
        int entry = graph.entryPoint();
        int next = 0;
        while (tail < n) {
            int root;
            if (entry >= 0 && !seen[entry]) {
                root = entry;
            } else {
                while (seen[next]) {
                    next++;
                }
                root = next;
            }
            seen[root] = true;
            queue[tail++] = root;
            while (head < tail) {
                int node = queue[head++];
                int count = graph.neighbors(0, node, links);
                for (int i = 0; i < count; i++) {
                    int nb = links[i];
                    if (!seen[nb]) {
                        seen[nb] = true;
                        queue[tail++] = nb;
                    }
                }
            }
        }
        return queue;
    }

    int size() {
        return nodeToOrd.length;
    }
}
