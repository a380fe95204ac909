package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;

/**
 * The segment's view of its points that filtering needs, implemented by the segment (engine core). Ordinals are
 * dense in {@code [0, ordBound())}; deleted ordinals are not live. Implementations must be safe to call from the
 * thread running the query while the segment's single writer keeps updating (e.g. by reading published state).
 */
public interface SegmentPoints {

    /** One past the highest ordinal ever assigned. */
    int ordBound();

    /** Whether the ordinal holds a live (not deleted) point. */
    boolean isLive(int ord);

    /** The payload of a live ordinal ({@code {}} when it has none). */
    JsonNode payload(int ord);

    /** The external id of a live ordinal. */
    PointId pointId(int ord);

    /** The live ordinal of {@code id}, or -1 when the segment does not hold it. */
    int ordOf(PointId id);
}
