package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Flyweight over the node-to-ordinal table of an index layout ({@link HnswFileDescriptor}, format 2): graph node
 * {@code node} stands for the caller's ordinal {@link #ord(int)}. Graph nodes are numbered in {@link LocalityOrder};
 * everything the caller sees (results, {@link AcceptOrds} filters, the float vectors of the {@link VectorStore}) is
 * in the caller's ordinals, so the searcher translates at exactly those three places. A layout without the table
 * (format 1 files) is the identity. Immutable; threadsafe while the segment is alive.
 */
final class NodeOrdinals {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final MemorySegment segment;
    /** Byte offset of the table in {@link #segment}; 0 when the layout has none (identity). */
    private final long offset;

    NodeOrdinals(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
    }

    boolean isIdentity() {
        return offset == 0;
    }

    /** The caller's ordinal of graph node {@code node}. */
    int ord(int node) {
        return offset == 0 ? node : segment.get(INT, offset + 4L * node);
    }

    /** The filter over graph nodes that asks {@code accept} about their ordinals ({@code null} stays {@code null}). */
    AcceptOrds overNodes(AcceptOrds acceptOrNull) {
        if (acceptOrNull == null || offset == 0) {
            return acceptOrNull;
        }
        return node -> acceptOrNull.accept(segment.get(INT, offset + 4L * node));
    }
}
