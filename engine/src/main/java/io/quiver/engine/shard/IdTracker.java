package io.quiver.engine.shard;

import io.quiver.engine.PointId;
import io.quiver.engine.segment.Segment;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Maps every live point id of a shard to where its current version lives (segment and ordinal), ordered by id so a
 * scroll is a range walk. Single writer: the shard's update worker, under the shard's write lock; readers hold the
 * read lock.
 */
public final class IdTracker {
    /** Where a point's current version is stored. */
    public record Location(Segment segment, int ord) {}

    private final TreeMap<PointId, Location> byId = new TreeMap<>();

    public Location get(PointId id) {
        return byId.get(id);
    }

    public void put(PointId id, Segment segment, int ord) {
        byId.put(id, new Location(segment, ord));
    }

    public Location remove(PointId id) {
        return byId.remove(id);
    }

    public int size() {
        return byId.size();
    }

    /** Ids from {@code fromInclusive} (null: from the first) in ascending order. */
    public NavigableMap<PointId, Location> from(PointId fromInclusive) {
        return fromInclusive == null ? byId : byId.tailMap(fromInclusive, true);
    }

    public Iterable<Map.Entry<PointId, Location>> entries() {
        return byId.entrySet();
    }
}
