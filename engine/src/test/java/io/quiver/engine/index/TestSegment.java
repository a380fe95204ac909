package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.PointId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory stand-in for a segment's points (tests only; single thread). */
final class TestSegment implements SegmentPoints {

    final List<JsonNode> payloads = new ArrayList<>();
    final List<PointId> ids = new ArrayList<>();
    final List<Boolean> live = new ArrayList<>();
    final Map<PointId, Integer> ords = new HashMap<>();
    /** Decoded payload columns kept in step with every change, as a real segment does; null = none. */
    final PayloadColumns columnsOrNull;

    TestSegment() {
        this(false);
    }

    TestSegment(boolean withColumns) {
        this.columnsOrNull = withColumns ? new PayloadColumns() : null;
    }

    int add(PointId id, JsonNode payload) {
        int ord = payloads.size();
        payloads.add(payload);
        ids.add(id);
        live.add(true);
        ords.put(id, ord);
        if (columnsOrNull != null) {
            columnsOrNull.update(ord, payload);
        }
        return ord;
    }

    void setPayload(int ord, JsonNode payload) {
        payloads.set(ord, payload);
        if (columnsOrNull != null) {
            columnsOrNull.update(ord, payload);
        }
    }

    @Override
    public PayloadColumns columns() {
        return columnsOrNull;
    }

    void delete(int ord) {
        live.set(ord, false);
        ords.remove(ids.get(ord));
    }

    @Override
    public int ordBound() {
        return payloads.size();
    }

    @Override
    public boolean isLive(int ord) {
        return ord < live.size() && live.get(ord);
    }

    @Override
    public JsonNode payload(int ord) {
        return payloads.get(ord);
    }

    @Override
    public PointId pointId(int ord) {
        return ids.get(ord);
    }

    @Override
    public int ordOf(PointId id) {
        Integer ord = ords.get(id);
        return ord == null ? -1 : ord;
    }

    /**
     * These points with every payload read refused (an AssertionError naming {@code why}) except those of the ordinals
     * {@code readable} accepts: for checks that an index decides a condition without the payloads.
     */
    SegmentPoints payloadsRefusedExcept(java.util.function.IntPredicate readable, String why) {
        TestSegment seg = this;
        return new SegmentPoints() {
            @Override
            public int ordBound() {
                return seg.ordBound();
            }

            @Override
            public boolean isLive(int ord) {
                return seg.isLive(ord);
            }

            @Override
            public JsonNode payload(int ord) {
                if (readable.test(ord)) {
                    return seg.payload(ord);
                }
                throw new AssertionError("payload of ord " + ord + " read " + why);
            }

            @Override
            public PointId pointId(int ord) {
                return seg.pointId(ord);
            }

            @Override
            public int ordOf(PointId id) {
                return seg.ordOf(id);
            }
        };
    }
}
