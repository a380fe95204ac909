package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * {@link PointReads} over points held in memory (id → payload, vector or null), scrolled by ascending id and
 * filtered as a collection filters them; counts its reads so that tests can bound them (a test may override a read
 * to change the points between two reads). Built and used by one test
 * thread.
 */
class MemoryPointReads implements PointReads {
    private record Stored(ObjectNode payload, float[] vector) {
    }

    private final NavigableMap<PointId, Stored> points = new TreeMap<>();
    int scrolls;
    int retrieves;

    MemoryPointReads put(long id, String payload, float[] vectorOrNull) {
        points.put(PointId.of(id), new Stored(TestJson.object(payload), vectorOrNull));
        return this;
    }

    void remove(long id) {
        points.remove(PointId.of(id));
    }

    @Override
    public ScrollResult scroll(ScrollRequest request) {
        scrolls++;
        List<Record> out = new ArrayList<>();
        Map<PointId, Stored> from = request.offsetOrNull() == null ? points : points.tailMap(request.offsetOrNull(),
                true);
        for (Map.Entry<PointId, Stored> e : from.entrySet()) {
            if (request.filterOrNull() != null && !request.filterOrNull().matches(e.getKey(), e.getValue().payload())) {
                continue;
            }
            if (out.size() == request.limit()) {
                return new ScrollResult(out, e.getKey());
            }
            out.add(record(e.getKey(), e.getValue(), request.withPayload(), request.withVector()));
        }
        return new ScrollResult(out, null);
    }

    @Override
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        retrieves++;
        List<Record> out = new ArrayList<>();
        for (PointId id : ids) {
            Stored s = points.get(id);
            if (s != null) {
                out.add(record(id, s, withPayload, withVector));
            }
        }
        return out;
    }

    private static Record record(PointId id, Stored s, WithPayload withPayload, boolean withVector) {
        ObjectNode payload = withPayload.enabled() ? withPayload.select(s.payload()) : null;
        if (!withVector) {
            return new Record(id, payload, null);
        }
        return new Record(id, payload, s.vector(), s.vector() == null);
    }
}
