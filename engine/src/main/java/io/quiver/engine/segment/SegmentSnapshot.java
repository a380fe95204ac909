package io.quiver.engine.segment;

import io.quiver.engine.PointId;
import java.util.BitSet;
import java.util.UUID;

/**
 * A frozen copy of a segment's point state at one checkpoint: what {@link PointsFile} writes. {@code vectorless}
 * holds the ordinals whose point has no vector (deleted by a DeleteVectors operation, or upserted without one).
 * Immutable once captured (its arrays are private copies). Captured on the update worker, written on the flusher.
 */
public record SegmentSnapshot(UUID segmentId, int dim, boolean sealed, int count, PointId[] ids, long[] versions,
        BitSet deleted, BitSet vectorless, byte[][] payloads, long modCount, long vectorsCrc) {}
