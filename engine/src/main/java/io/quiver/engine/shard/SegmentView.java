package io.quiver.engine.shard;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import io.quiver.engine.index.SegmentPoints;
import io.quiver.engine.segment.Segment;

/**
 * A segment's points as filter planning sees them ({@link SegmentPoints}): an ordinal is live when it is not deleted
 * (a point upserted again, or kept in a newer segment by a merge, is deleted in the older one at once, so a live
 * ordinal is always its point's current version); {@link #ordOf} asks the shard's id tracker. The view a vector
 * search plans with ({@link #withVectors}) also leaves out the points without a vector, which no search returns.
 * Read-only; use it while holding the shard's read (or write) lock, like the segment itself.
 */
final class SegmentView implements SegmentPoints {
    private final Segment segment;
    private final IdTracker tracker;
    private final boolean onlyWithVector;

    SegmentView(Segment segment, IdTracker tracker) {
        this(segment, tracker, false);
    }

    private SegmentView(Segment segment, IdTracker tracker, boolean onlyWithVector) {
        this.segment = segment;
        this.tracker = tracker;
        this.onlyWithVector = onlyWithVector;
    }

    /** The points a vector search may return: live and with a vector. */
    static SegmentView withVectors(Segment segment, IdTracker tracker) {
        return new SegmentView(segment, tracker, true);
    }

    @Override
    public int ordBound() {
        return segment.count();
    }

    @Override
    public boolean isLive(int ord) {
        return ord >= 0 && ord < segment.count() && !segment.isDeleted(ord)
                && (!onlyWithVector || segment.hasVector(ord));
    }

    @Override
    public JsonNode payload(int ord) {
        return PayloadJson.parse(segment.payloadAt(ord));
    }

    @Override
    public boolean hasVector(int ord) {
        return segment.hasVector(ord);
    }

    @Override
    public PointId pointId(int ord) {
        return segment.idAt(ord);
    }

    @Override
    public java.util.BitSet liveOrds() {
        return onlyWithVector ? segment.liveOrdsWithVector() : segment.liveOrds();
    }

    @Override
    public java.util.BitSet liveOrdsWithVector() {
        return segment.liveOrdsWithVector();
    }

    @Override
    public io.quiver.engine.index.PayloadColumns columns() {
        return segment.payloadColumns();
    }

    @Override
    public int ordOf(PointId id) {
        IdTracker.Location loc = tracker.get(id);
        return loc != null && loc.segment() == segment && isLive(loc.ord()) ? loc.ord() : -1;
    }
}
