package io.quiver.hnsw;

/**
 * The graph while it is being built: per-node neighbour lists in flat primitive arrays (layer 0: a count then
 * {@code 2m} slots per node; upper levels: {@code m} slots per level, only for nodes that reach them), with the
 * similarity of each link kept beside it for the neighbour-selection heuristic. Levels are assigned up front, so every
 * list exists before any thread links to it. Threadsafe: each node's lists are guarded by a striped lock, held for
 * one list at a time; the entry point and max level are published together in one volatile word.
 */
final class OnHeapHnswGraph implements HnswGraph {

    private static final int LOCK_STRIPES = 4096;

    final int size;
    final int m;
    final int maxLinks0;
    final int[] levels;
    private final int[] links0;
    private final float[] sims0;
    private final int[][] linksUp;
    private final float[][] simsUp;
    private final Object[] locks;
    /** Entry point in the low 32 bits, max level in the high 32 bits; -1 / -1 when empty. */
    private volatile long entry = pack(-1, -1);

    OnHeapHnswGraph(int[] levels, int m) {
        this.size = levels.length;
        this.m = m;
        this.maxLinks0 = 2 * m;
        this.levels = levels;
        this.links0 = new int[size * (1 + maxLinks0)];
        this.sims0 = new float[size * maxLinks0];
        this.linksUp = new int[size][];
        this.simsUp = new float[size][];
        for (int node = 0; node < size; node++) {
            if (levels[node] > 0) {
                linksUp[node] = new int[levels[node] * (1 + m)];
                simsUp[node] = new float[levels[node] * m];
            }
        }
        int stripes = Math.min(LOCK_STRIPES, Math.max(1, size));
        this.locks = new Object[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new Object();
        }
    }

    private static long pack(int node, int level) {
        return ((long) level << 32) | (node & 0xFFFFFFFFL);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int maxLevel() {
        return (int) (entry >> 32);
    }

    @Override
    public int entryPoint() {
        return (int) entry;
    }

    /** Entry point and max level read together. */
    long entrySnapshot() {
        return entry;
    }

    /** Makes {@code node} the entry point if its level is above the current max level. */
    synchronized void offerEntryPoint(int node) {
        int level = levels[node];
        if (level > (int) (entry >> 32)) {
            entry = pack(node, level);
        }
    }

    Object lockOf(int node) {
        return locks[node % locks.length];
    }

    int maxLinks(int level) {
        return level == 0 ? maxLinks0 : m;
    }

    @Override
    public int neighbors(int level, int node, int[] out) {
        synchronized (lockOf(node)) {
            return copyNeighbors(level, node, out, null);
        }
    }

    /** Copies links (and their similarities when {@code simsOut} is non-null); caller holds the node's lock. */
    int copyNeighbors(int level, int node, int[] out, float[] simsOut) {
        if (level == 0) {
            int base = node * (1 + maxLinks0);
            int n = links0[base];
            System.arraycopy(links0, base + 1, out, 0, n);
            if (simsOut != null) {
                System.arraycopy(sims0, node * maxLinks0, simsOut, 0, n);
            }
            return n;
        }
        int[] l = linksUp[node];
        int base = (level - 1) * (1 + m);
        int n = l[base];
        System.arraycopy(l, base + 1, out, 0, n);
        if (simsOut != null) {
            System.arraycopy(simsUp[node], (level - 1) * m, simsOut, 0, n);
        }
        return n;
    }

    /** Replaces the links of {@code node} on {@code level}; caller holds the node's lock. */
    void setNeighbors(int level, int node, int[] nodes, float[] sims, int n) {
        if (level == 0) {
            int base = node * (1 + maxLinks0);
            links0[base] = n;
            System.arraycopy(nodes, 0, links0, base + 1, n);
            System.arraycopy(sims, 0, sims0, node * maxLinks0, n);
            return;
        }
        int base = (level - 1) * (1 + m);
        linksUp[node][base] = n;
        System.arraycopy(nodes, 0, linksUp[node], base + 1, n);
        System.arraycopy(sims, 0, simsUp[node], (level - 1) * m, n);
    }

    /** Appends one link if there is room; caller holds the node's lock. Returns false when full. */
    boolean tryAppend(int level, int node, int nb, float sim) {
        if (level == 0) {
            int base = node * (1 + maxLinks0);
            int n = links0[base];
            if (n >= maxLinks0) {
                return false;
            }
            links0[base + 1 + n] = nb;
            sims0[node * maxLinks0 + n] = sim;
            links0[base] = n + 1;
            return true;
        }
        int[] l = linksUp[node];
        int base = (level - 1) * (1 + m);
        int n = l[base];
        if (n >= m) {
            return false;
        }
        l[base + 1 + n] = nb;
        simsUp[node][(level - 1) * m + n] = sim;
        l[base] = n + 1;
        return true;
    }

    /** True when {@code nb} is already a link of {@code node} on {@code level}; caller holds the node's lock. */
    boolean hasLink(int level, int node, int nb) {
        int[] arr;
        int base;
        if (level == 0) {
            arr = links0;
            base = node * (1 + maxLinks0);
        } else {
            arr = linksUp[node];
            base = (level - 1) * (1 + m);
        }
        int n = arr[base];
        for (int i = 1; i <= n; i++) {
            if (arr[base + i] == nb) {
                return true;
            }
        }
        return false;
    }
}
