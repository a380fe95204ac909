package io.quiver.hnsw;

import java.util.Arrays;

/**
 * A binary heap of (node, similarity) pairs packed into longs, nothing boxed: the high 32 bits are the similarity as a
 * sortable int (inverted for a max-heap), the low 32 bits the node. As a min-heap it keeps the worst result on top
 * (the results of a layer search); as a max-heap the best candidate on top. Grows on demand. Single-threaded scratch.
 */
final class NeighborQueue {

    private final boolean maxHeap;
    private long[] heap;
    private int size;

    NeighborQueue(int initialCapacity, boolean maxHeap) {
        this.heap = new long[Math.max(2, initialCapacity + 1)];
        this.maxHeap = maxHeap;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    void add(int node, float similarity) {
        if (size + 1 >= heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        long v = encode(node, similarity);
        int i = ++size;
        while (i > 1) {
            int parent = i >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    /** Adds when not full, else replaces the top if the new pair is better (min-heap: higher similarity). */
    boolean insertWithOverflow(int node, float similarity, int capacity) {
        if (size < capacity) {
            add(node, similarity);
            return true;
        }
        long v = encode(node, similarity);
        if (v <= heap[1]) {
            return false;
        }
        heap[1] = v;
        siftDown(1);
        return true;
    }

    int topNode() {
        return (int) heap[1];
    }

    float topScore() {
        return decodeScore(heap[1]);
    }

    int pop() {
        int node = (int) heap[1];
        heap[1] = heap[size--];
        if (size > 1) {
            siftDown(1);
        }
        return node;
    }

    private void siftDown(int i) {
        long v = heap[i];
        int half = size >>> 1;
        while (i <= half) {
            int child = i << 1;
            if (child < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= v) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = v;
    }

    private long encode(int node, float similarity) {
        int s = sortable(similarity);
        if (maxHeap) {
            s = ~s;
        }
        return ((long) s << 32) | (node & 0xFFFFFFFFL);
    }

    private float decodeScore(long v) {
        int s = (int) (v >> 32);
        if (maxHeap) {
            s = ~s;
        }
        return unsortable(s);
    }

    static int sortable(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    static float unsortable(int s) {
        return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
    }
}
