package io.quiver.hnsw;

import java.util.Arrays;

/**
 * The set of nodes one layer search has visited: an open-addressing int hash set whose size follows the number of
 * visited nodes, not the size of the index (so per-search memory does not grow with the data). Single-threaded
 * scratch, cleared between searches.
 */
final class VisitedSet {

    private int[] table; // stores node + 1; 0 = empty
    private int mask;
    private int count;

    VisitedSet(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(64, initialCapacity) - 1) << 1;
        table = new int[cap];
        mask = cap - 1;
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
        if (count > 0) {
            Arrays.fill(table, 0);
            count = 0;
        }
    }

    private static int mix(int node) {
        int h = node * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void grow() {
        int[] old = table;
        table = new int[old.length * 2];
        mask = table.length - 1;
        count = 0;
        for (int v : old) {
            if (v != 0) {
                add(v - 1);
            }
        }
    }
}
