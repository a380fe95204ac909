package io.quiver.engine.index;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The sorted, duplicate-free ordinals of the points holding one index key. Appends in ascending order are O(1);
 * other inserts and removals shift the array. Single writer: the owning index; readers hold its owner's lock.
 */
final class OrdPosting {

    private int[] ords = new int[2];
    private int size;

    void add(int ord) {
        if (size == 0 || ords[size - 1] < ord) {
            if (size == ords.length) {
                ords = Arrays.copyOf(ords, size * 2);
            }
            ords[size++] = ord;
            return;
        }
        int at = Arrays.binarySearch(ords, 0, size, ord);
        if (at >= 0) {
            return;
        }
        int insert = -at - 1;
        if (size == ords.length) {
            ords = Arrays.copyOf(ords, size * 2);
        }
        System.arraycopy(ords, insert, ords, insert + 1, size - insert);
        ords[insert] = ord;
        size++;
    }

    /** Removes {@code ord}; returns true when the posting is now empty. */
    boolean remove(int ord) {
        int at = Arrays.binarySearch(ords, 0, size, ord);
        if (at >= 0) {
            System.arraycopy(ords, at + 1, ords, at, size - at - 1);
            size--;
        }
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The ordinals, ascending (a copy). */
    int[] toArray() {
        return Arrays.copyOf(ords, size);
    }

    void orInto(BitSet target) {
        for (int i = 0; i < size; i++) {
            target.set(ords[i]);
        }
    }
}
