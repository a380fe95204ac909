package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.filter.TextAnalyzer;
import io.quiver.hnsw.AcceptOrds;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * All payload indexes of one segment (at most one per field) and the filter planning over them. The segment
 * creates it empty or {@link #load loads} it, keeps it in step with every payload change ({@link #add},
 * {@link #remove}), {@link #save saves} it when it flushes, and asks it for the ordinals matching a filter.
 * Indexes change speed, never results. Threadsafe: one writer at a time (the segment's update path) under a write
 * lock; queries under a read lock.
 */
public final class PayloadIndexes {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, FieldIndex> byField = new LinkedHashMap<>();
    private volatile FilterEvaluator evaluator = FilterEvaluator.PLAIN;
    /** Bumped by every index creation, replacement or drop (written under the write lock). */
    private volatile long indexChanges;

    /** Loads a segment's indexes written by {@link #save}; StorageException if the file is corrupt. */
    public static PayloadIndexes load(Path file) {
        PayloadIndexes indexes = new PayloadIndexes();
        indexes.byField.putAll(PayloadIndexFile.read(file));
        indexes.refreshEvaluator();
        return indexes;
    }

    /** Writes all indexes to {@code file} atomically (see {@link PayloadIndexFile}). */
    public void save(Path file) {
        lock.readLock().lock();
        try {
            PayloadIndexFile.write(file, byField);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Creates (or replaces) the index of {@code field} and fills it from every live point of the segment.
     * BadRequest when {@code field} is not a valid key path.
     */
    public void createIndex(String field, PayloadFieldSchema schema, SegmentPoints points) {
        JsonPath path = JsonPath.parse(field);
        FieldIndex index = FieldIndex.create(path, schema);
        lock.writeLock().lock();
        try {
            for (int ord = 0, n = points.ordBound(); ord < n; ord++) {
                if (points.isLive(ord)) {
                    index.add(ord, points.payload(ord));
                }
            }
            byField.put(path.toString(), index);
            refreshEvaluator();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Makes this segment's indexes equal to the collection's {@code payload_schema}: creates missing ones (or ones
     * whose schema changed) from the segment's live points and drops the rest. Returns true when anything changed.
     */
    public boolean syncWith(Map<String, PayloadFieldSchema> schema, SegmentPoints points) {
        boolean changed = false;
        Map<String, PayloadFieldSchema> wanted = new LinkedHashMap<>();
        schema.forEach((field, s) -> wanted.put(JsonPath.parse(field).toString(), s));
        for (String field : schema().keySet()) {
            if (!wanted.containsKey(field)) {
                changed |= dropIndex(field);
            }
        }
        Map<String, PayloadFieldSchema> have = schema();
        for (Map.Entry<String, PayloadFieldSchema> e : wanted.entrySet()) {
            if (!e.getValue().equals(have.get(e.getKey()))) {
                createIndex(e.getKey(), e.getValue(), points);
                changed = true;
            }
        }
        return changed;
    }

    /** Drops the index of {@code field}; false when there was none. */
    public boolean dropIndex(String field) {
        String key = JsonPath.parse(field).toString();
        lock.writeLock().lock();
        try {
            boolean removed = byField.remove(key) != null;
            refreshEvaluator();
            return removed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Indexes a point after an append, or re-indexes it after any payload change ({@code payload} is its whole new
     * payload; what was indexed for {@code ord} before is replaced).
     */
    public void add(int ord, JsonNode payload) {
        lock.writeLock().lock();
        try {
            for (FieldIndex index : byField.values()) {
                index.add(ord, payload);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Forgets a deleted (or moved-away) point. */
    public void remove(int ord) {
        lock.writeLock().lock();
        try {
            for (FieldIndex index : byField.values()) {
                index.remove(ord);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** field → schema, in creation order. */
    /** Whether no field is indexed; cheap enough for the append path (no copy of the schema). */
    public boolean isEmpty() {
        lock.readLock().lock();
        try {
            return byField.isEmpty();
        } finally {
            lock.readLock().unlock();
        }
    }

    public Map<String, PayloadFieldSchema> schema() {
        lock.readLock().lock();
        try {
            Map<String, PayloadFieldSchema> out = new LinkedHashMap<>();
            byField.forEach((k, v) -> out.put(k, v.schema));
            return Collections.unmodifiableMap(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** field → {@code payload_schema} entry with this segment's point count (sum over segments with {@code plus}). */
    public Map<String, PayloadIndexInfo> info() {
        lock.readLock().lock();
        try {
            Map<String, PayloadIndexInfo> out = new LinkedHashMap<>();
            byField.forEach((k, v) -> out.put(k, new PayloadIndexInfo(v.schema, v.points())));
            return Collections.unmodifiableMap(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A visitor of an index's keys in order: one key (a Long, or a Double for float indexes) and its ordinals. */
    @FunctionalInterface
    public interface OrderedKeyVisitor {
        /** Returns false to stop the scan. */
        boolean visit(Number key, int[] ordsAscending);
    }

    /**
     * Visits the keys of {@code field}'s integer, float or datetime index in order, from {@code startFromOrNull}
     * (see {@code KeyedFieldIndex.scanInOrder}); false when the field has no such index. Holds the read lock while it
     * runs, so the visitor must not change the indexes.
     */
    public boolean scanInOrder(String field, boolean descending, Double startFromOrNull, OrderedKeyVisitor visitor) {
        lock.readLock().lock();
        try {
            return byField.get(field) instanceof KeyedFieldIndex<?> keyed
                    && keyed.scanInOrder(descending, startFromOrNull, visitor);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The evaluator with this segment's full-text semantics; use it for any payload-level check. */
    public FilterEvaluator evaluator() {
        return evaluator;
    }

    /** Cardinality estimate of {@code filter} (null = all live points) over the segment. */
    public CardinalityEstimation estimate(Filter filter, SegmentPoints points) {
        lock.readLock().lock();
        try {
            FilterPlanner planner = new FilterPlanner(byField, evaluator, points);
            return filter == null ? CardinalityEstimation.exact(planner.live().cardinality())
                    : planner.estimate(filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The exact set of live ordinals matching {@code filter} (null = all live points): from the indexes alone where
     * they decide every condition, else by evaluating payloads of the candidates. For count, scroll, delete/set
     * payload by filter, and exact (brute-force) filtered search.
     */
    public BitSet matchingOrds(Filter filter, SegmentPoints points) {
        lock.readLock().lock();
        try {
            FilterPlanner planner = new FilterPlanner(byField, evaluator, points);
            return filter == null ? planner.live() : planner.matching(filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Plans {@code filter} for one search of the segment (see {@link SegmentFilter}): the exact matching set when
     * indexes and payload columns decide it, else an estimate and a lazy check. Replaces separate
     * {@link #estimate} and {@link #acceptOrds} calls, which would plan twice.
     */
    public SegmentFilter plan(Filter filter, SegmentPoints points) {
        lock.readLock().lock();
        try {
            return new FilterPlanner(byField, evaluator, points).plan(filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * An accept-set for a filtered HNSW search: a bitset when the indexes decide the filter, else a lazy check
     * (index candidates, then the payload) per ordinal the search reaches. Deleted ordinals are rejected.
     */
    public AcceptOrds acceptOrds(Filter filter, SegmentPoints points) {
        if (filter == null) {
            BitSet live = points.liveOrds();
            return live::get;
        }
        return plan(filter, points).accept();
    }

    /**
     * How many times an index was created, replaced or dropped: a plan made from these indexes is stale once this
     * moves, even if no point changed (a text index changes what {@code match.text} matches).
     */
    public long indexChanges() {
        return indexChanges;
    }

    private void refreshEvaluator() {
        indexChanges++;
        Map<String, TextAnalyzer> text = new HashMap<>();
        byField.forEach((k, v) -> {
            if (v instanceof FullTextIndex) {
                text.put(k, v.schema.analyzerOrNull());
            }
        });
        evaluator = text.isEmpty() ? FilterEvaluator.PLAIN : new FilterEvaluator(text);
    }
}
