package io.quiver.engine.shard;

import io.quiver.engine.index.PayloadFieldSchema;
import io.quiver.engine.segment.Segment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The state a shard's parts share: its segments, the id tracker pointing into them, the payload_schema their payload
 * indexes follow, the segments merged away, and the read-write lock guarding them. Threading: the segment list
 * (copy-on-write), the tracker and the schema change only under the write lock; readers hold the read lock.
 */
final class ShardSegments {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final IdTracker tracker = new IdTracker();
    private volatile List<Segment> list = List.of();
    /** The collection's payload_schema; every segment's payload indexes are kept equal to it. */
    private volatile Map<String, PayloadFieldSchema> payloadSchema = Map.of();
    /** Segments merged away: closed, their directories deleted after the next checkpoint no longer lists them. */
    private final List<Segment> retired = new ArrayList<>();

    ReentrantReadWriteLock lock() {
        return lock;
    }

    IdTracker tracker() {
        return tracker;
    }

    /** The current segments (an immutable list; one consistent set while the read lock is held). */
    List<Segment> list() {
        return list;
    }

    /** Makes {@code next} the segment list. Write lock held. */
    void replace(List<Segment> next) {
        list = List.copyOf(next);
    }

    /** Adds a segment at the end of the list. Write lock held. */
    void append(Segment s) {
        List<Segment> copy = new ArrayList<>(list);
        copy.add(s);
        list = List.copyOf(copy);
    }

    Map<String, PayloadFieldSchema> payloadSchema() {
        return payloadSchema;
    }

    /** Takes the collection's payload_schema. Write lock held. */
    void setPayloadSchema(Map<String, PayloadFieldSchema> schema) {
        payloadSchema = Map.copyOf(schema);
    }

    /** Notes segments merged away (already closed); their files go once a checkpoint no longer lists them. */
    void retire(Collection<Segment> gone) {
        synchronized (retired) {
            retired.addAll(gone);
        }
    }

    /** The segments retired since the last call (a checkpoint capture deletes them once it is written). */
    List<Segment> takeRetired() {
        synchronized (retired) {
            List<Segment> out = List.copyOf(retired);
            retired.clear();
            return out;
        }
    }
}
