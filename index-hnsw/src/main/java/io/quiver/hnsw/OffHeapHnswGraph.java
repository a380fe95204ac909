package io.quiver.hnsw;

import static io.quiver.hnsw.HnswFileDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads the adjacency of an index straight from its {@link HnswFileDescriptor} layout in a {@link MemorySegment}
 * (memory-mapped file or arena memory); nothing per node is copied to the heap. Upper-level nodes are found by binary
 * search in that level's sorted node table. Immutable; threadsafe while the segment is alive.
 */
final class OffHeapHnswGraph implements HnswGraph {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final MemorySegment segment;
    private final int size;
    private final int m;
    private final int entryPoint;
    private final int maxLevel;
    private final long layer0;
    private final long layer0Slot;
    private final long upperSlot;
    /** Per upper level (index level-1): offset of its node table, and its node count. Size: maxLevel. */
    private final long[] levelOffsets;
    private final int[] levelCounts;

    OffHeapHnswGraph(MemorySegment segment) {
        this.segment = segment;
        this.size = segment.get(INT, COUNT_OFFSET);
        this.m = segment.get(INT, M_OFFSET);
        this.entryPoint = segment.get(INT, ENTRY_OFFSET);
        this.maxLevel = segment.get(INT, MAX_LEVEL_OFFSET);
        this.layer0 = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, LAYER0_OFFSET);
        this.layer0Slot = layer0SlotBytes(m);
        this.upperSlot = upperSlotBytes(m);
        long dir = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, UPPER_OFFSET);
        int levels = Math.max(0, maxLevel);
        this.levelOffsets = new long[levels];
        this.levelCounts = new int[levels];
        for (int l = 0; l < levels; l++) {
            levelOffsets[l] = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, dir + (long) l * LEVEL_ENTRY_BYTES);
            levelCounts[l] = segment.get(INT, dir + (long) l * LEVEL_ENTRY_BYTES + 8);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int maxLevel() {
        return maxLevel;
    }

    @Override
    public int entryPoint() {
        return entryPoint;
    }

    int m() {
        return m;
    }

    @Override
    public int neighbors(int level, int node, int[] out) {
        long slot;
        if (level == 0) {
            slot = layer0 + node * layer0Slot;
        } else {
            long table = levelOffsets[level - 1];
            int count = levelCounts[level - 1];
            int idx = indexOf(table, count, node);
            if (idx < 0) {
                return 0;
            }
            slot = table + 4L * count + idx * upperSlot;
        }
        int n = segment.get(INT, slot);
        MemorySegment.copy(segment, INT, slot + 4, out, 0, n);
        return n;
    }

    private int indexOf(long table, int count, int node) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = segment.get(INT, table + 4L * mid);
            if (v < node) {
                lo = mid + 1;
            } else if (v > node) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }
}
