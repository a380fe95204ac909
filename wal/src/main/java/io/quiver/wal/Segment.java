package io.quiver.wal;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file's published state: its first LSN, the last LSN and end offset written to it, and a sparse index of
 * record offsets (one every {@link #INDEX_STRIDE} records). Single writer: the flusher (or {@link Wal#open} before the
 * flusher starts); readers see published positions through volatile fields, updated index first, then end offset,
 * then last LSN.
 */
final class Segment {
    /** One indexed offset per this many records. */
    static final int INDEX_STRIDE = 32;

    private final long firstLsn;
    private final Path path;
    private volatile long lastLsn;
    private volatile long endOffset;
    private volatile int[] offsets = new int[64];
    private volatile int offsetCount;

    Segment(long firstLsn, Path path) {
        this.firstLsn = firstLsn;
        this.path = path;
        this.lastLsn = firstLsn - 1;
        this.endOffset = SegmentDescriptor.HEADER_LENGTH;
    }

    long firstLsn() {
        return firstLsn;
    }

    Path path() {
        return path;
    }

    /** The last LSN written to this segment; {@code firstLsn() - 1} while it is empty. */
    long lastLsn() {
        return lastLsn;
    }

    /** The offset just past the last record written to this segment. */
    long endOffset() {
        return endOffset;
    }

    boolean contains(long lsn) {
        return lsn >= firstLsn && lsn <= lastLsn;
    }

    /** Writer: notes the offset of record {@code lsn} (before it is published). */
    void indexRecord(long lsn, long offset) {
        long ordinal = lsn - firstLsn;
        if (ordinal % INDEX_STRIDE == 0) {
            int slot = (int) (ordinal / INDEX_STRIDE);
            int[] current = offsets;
            if (slot >= current.length) {
                current = Arrays.copyOf(current, Math.max(slot + 1, current.length * 2));
                offsets = current;
            }
            current[slot] = (int) offset;
            offsetCount = slot + 1;
        }
    }

    /** Writer: publishes records up to {@code lastLsn}, ending at {@code endOffset}. */
    void publish(long lastLsn, long endOffset) {
        this.endOffset = endOffset;
        this.lastLsn = lastLsn;
    }

    /** Writer: forgets every record after {@code lastLsn}; the segment now ends at {@code endOffset}. */
    void truncate(long lastLsn, long endOffset) {
        long kept = lastLsn - firstLsn + 1;
        offsetCount = kept <= 0 ? 0 : (int) ((kept - 1) / INDEX_STRIDE + 1);
        publish(lastLsn, endOffset);
    }

    /** The index slot of the indexed record at or before {@code lsn} (which must be in this segment), or -1. */
    int slotAtOrBefore(long lsn) {
        return (int) Math.min((lsn - firstLsn) / INDEX_STRIDE, offsetCount - 1L);
    }

    /** The LSN of the record indexed in {@code slot} ({@link #firstLsn()} for slot -1). */
    long lsnOfSlot(int slot) {
        return slot < 0 ? firstLsn : firstLsn + (long) slot * INDEX_STRIDE;
    }

    /** The offset of the record indexed in {@code slot} (the first record's offset for slot -1). */
    long offsetOfSlot(int slot) {
        return slot < 0 ? SegmentDescriptor.HEADER_LENGTH : offsets[slot];
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + firstLsn + ".." + lastLsn + ", " + endOffset + " bytes]";
    }
}
