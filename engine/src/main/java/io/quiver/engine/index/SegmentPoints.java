package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import java.util.BitSet;

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

    /** Whether the point at a live ordinal has its vector (true unless the segment keeps points without one). */
    default boolean hasVector(int ord) {
        return true;
    }

    /** The payload of a live ordinal ({@code {}} when it has none). */
    JsonNode payload(int ord);

    /** The external id of a live ordinal. */
    PointId pointId(int ord);

    /** The live ordinal of {@code id}, or -1 when the segment does not hold it. */
    int ordOf(PointId id);

    /** A fresh bitset of the live ordinals (implementations should override this with word operations). */
    default BitSet liveOrds() {
        BitSet live = new BitSet(ordBound());
        for (int ord = 0, n = ordBound(); ord < n; ord++) {
            if (isLive(ord)) {
                live.set(ord);
            }
        }
        return live;
    }

    /**
     * A fresh bitset of the live ordinals whose point has a vector (what {@code has_vector} on the unnamed vector
     * matches); all live ones unless the segment keeps points without a vector.
     */
    default BitSet liveOrdsWithVector() {
        return liveOrds();
    }

    /** The segment's decoded payload columns, or null when it keeps none (then payloads are parsed to filter). */
    default PayloadColumns columns() {
        return null;
    }
}
