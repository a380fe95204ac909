package io.quiver.hnsw;

import java.util.Arrays;

/**
 * The set of nodes one layer search has visited: an open-addressing int hash set whose size follows the number of
 * visited nodes, not the size of the index (so per-search memory does not grow with the data). It remembers which
 * slots it filled, so that clearing a set that holds a few hundred nodes zeroes those slots instead of the whole
 * table (a search clears it twice). Single-threaded scratch, cleared between searches.
 */
final class VisitedSet {

    private int[] table; // stores node + 1; 0 = empty
    private int mask;
    private int count;
    /** The slots filled since the last clear, {@code count} of them. */
    private int[] filled;

    VisitedSet(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(64, initialCapacity) - 1) << 1;
        table = new int[cap];
        mask = cap - 1;
        filled = new int[cap / 2 + 1];
    }

    /** Adds {@code node}; returns false when it was already present. */
    boolean add(int node) {
        int key = node + 1;
        int i = mix(node) & mask;
        int[] t = table;
        while (true) {
            int v = t[i];
            if (v == key) {
                return false;
            }
            if (v == 0) {
                t[i] = key;
                filled[count] = i;
                if (++count * 2 > t.length) {
                    grow();
                }
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    boolean contains(int node) {
        int key = node + 1;
        int i = mix(node) & mask;
        while (true) {
            int v = table[i];
            if (v == key) {
                return true;
            }
            if (v == 0) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    void clear() {
        if (count * 8 < table.length) {
            int[] t = table;
            int[] f = filled;
            for (int j = 0; j < count; j++) {
                t[f[j]] = 0;
            }
        } else if (count > 0) {
            Arrays.fill(table, 0);
        }
        count = 0;
    }

    private static int mix(int node) {
        int h = node * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void grow() {
        int[] old = table;
        table = new int[old.length * 2];
        mask = table.length - 1;
        filled = new int[table.length / 2 + 1];
        count = 0;
        for (int v : old) {
            if (v != 0) {
                add(v - 1);
            }
        }
    }
}
