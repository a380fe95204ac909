package io.quiver.engine.shard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.StorageException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.segment.Segment;
import io.quiver.hnsw.AcceptOrds;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.QuantizationSearchParams;
import io.quiver.hnsw.ScoredOrd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The read path of one shard: search (by a vector or by an example query), retrieve, scroll, count, and the points an
 * operation by filter addresses.
 * Threading: threadsafe; every call holds the shard's read lock, so it sees one consistent set of segments, and fails
 * once the shard is closed (its segments' files are unmapped then: reading them would crash the process).
 */
final class ShardReader {
    private final ShardSegments segments;
    private final ReentrantReadWriteLock lock;
    private final IdTracker tracker;
    private final Supplier<ShardSettings> settings;
    private final BooleanSupplier closed;
    private final int shardId;

    ShardReader(int shardId, ShardSegments segments, Supplier<ShardSettings> settings, BooleanSupplier closed) {
        this.shardId = shardId;
        this.segments = segments;
        this.lock = segments.lock();
        this.tracker = segments.tracker();
        this.settings = settings;
        this.closed = closed;
    }

    /**
     * Takes the read lock, or throws when the shard is closed. The shard sets its closed flag before it takes the write
     * lock to close the segments, so a reader that gets the lock after them sees the flag.
     */
    private void lockOpenShard() {
        lock.readLock().lock();
        if (closed.getAsBoolean()) {
            lock.readLock().unlock();
            throw new StorageException("shard " + shardId + " is closed");
        }
    }

    /**
     * {@link Shard#search(float[], int, Filter, Integer, boolean, QuantizationSearchParams, boolean, WithPayload,
     * boolean)}: every searchable segment's candidates (in parallel), merged best first.
     */
    List<ScoredPoint> search(float[] query, int k, Filter filter, Integer hnswEf, boolean exact,
            QuantizationSearchParams quantizationOrNull, boolean indexedOnly, WithPayload withPayload,
            boolean withVector) {
        if (k <= 0) {
            return List.of();
        }
        ShardSettings st = settings.get();
        QuantizationSearchParams quantization = quantizationOrNull != null ? quantizationOrNull
                : QuantizationSearchParams.defaults();
        lockOpenShard();
        try {
            List<Segment> segs = indexedOnly ? searchableWhenIndexedOnly(segments.list(), st) : segments.list();
            // segments are searched in parallel (common fork-join pool plus this thread); the read lock held by this
            // thread keeps the writer out while the helpers read
            List<List<Candidate>> perSegment = segs.size() > 1
                    ? segs.parallelStream().map(seg -> searchSegment(seg, st, query, k, filter, hnswEf, exact, quantization))
                            .toList()
                    : segs.stream().map(seg -> searchSegment(seg, st, query, k, filter, hnswEf, exact, quantization))
                            .toList();
            return best(perSegment, k, st.distance().higherIsBetter(), withPayload, withVector);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * {@link Shard#searchByExamples}: every searchable segment's best points for an example query (in parallel, as
     * {@link #search}), merged best (highest score) first.
     */
    List<ScoredPoint> searchByExamples(ExampleQuery query, int k, Filter filter, Integer hnswEf, boolean exact,
            boolean indexedOnly, WithPayload withPayload, boolean withVector) {
        if (k <= 0) {
            return List.of();
        }
        ShardSettings st = settings.get();
        lockOpenShard();
        try {
            List<Segment> segs = indexedOnly ? searchableWhenIndexedOnly(segments.list(), st) : segments.list();
            java.util.function.Function<Segment, List<Candidate>> one = seg -> candidates(seg,
                    ExampleSegmentSearch.search(seg, st, tracker, query, k, filter, hnswEf, exact));
            List<List<Candidate>> perSegment = segs.size() > 1 ? segs.parallelStream().map(one).toList()
                    : segs.stream().map(one).toList();
            return best(perSegment, k, true, withPayload, withVector);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The {@code k} best of the segments' candidates, materialised; read lock held. */
    private List<ScoredPoint> best(List<List<Candidate>> perSegment, int k, boolean higher, WithPayload withPayload,
            boolean withVector) {
        List<Candidate> all = new ArrayList<>();
        perSegment.forEach(all::addAll);
        all.sort((a, b) -> higher ? Float.compare(b.score, a.score) : Float.compare(a.score, b.score));
        List<ScoredPoint> out = new ArrayList<>(Math.min(k, all.size()));
        for (int i = 0; i < all.size() && out.size() < k; i++) {
            Candidate c = all.get(i);
            out.add(new ScoredPoint(c.seg.idAt(c.ord), c.seg.versionAt(c.ord), c.score,
                    payloadOf(c.seg, c.ord, withPayload), withVector ? c.seg.vectorAt(c.ord) : null));
        }
        return out;
    }

    private record Candidate(Segment seg, int ord, float score) {}

    /** The segments an {@code indexed_only} search reads: those with a graph, and those small enough to be indexed. */
    private static List<Segment> searchableWhenIndexedOnly(List<Segment> segs, ShardSettings st) {
        List<Segment> out = new ArrayList<>(segs.size());
        for (Segment seg : segs) {
            if (seg.index() != null || seg.liveCount() <= st.indexingThresholdVectors()) {
                out.add(seg);
            }
        }
        return out;
    }

    /** One segment's current top {@code k}: HNSW when indexed (unless exact or a small filtered segment), else an
     * exact scan. */
    private List<Candidate> searchSegment(Segment seg, ShardSettings st, float[] query, int k, Filter filter,
            Integer hnswEf, boolean exact, QuantizationSearchParams quantization) {
        AcceptOrds accept = seg.searchableOrdsOrNull(); // live points with a vector
        HnswIndex idx = seg.index();
        boolean useIndex = idx != null && !exact;
        List<ScoredOrd> found;
        if (filter != null) {
            // The filter is planned once: its exact matching set when indexes and payload columns decide it, else an
            // estimate and a lazy check. A segment smaller than full_scan_threshold is scanned exactly (Qdrant); with
            // an exact count the graph is tried within a budget of the exact scan's cost (FilteredSearchChoice), and
            // the matching points are scanned when it runs out; with only an estimate, Qdrant's rule (graph unless
            // the estimate is below the threshold).
            io.quiver.engine.index.SegmentFilter plan = seg.plan(filter,
                    () -> seg.payloadIndexes().plan(filter, SegmentView.withVectors(seg, tracker)));
            if (plan.estimate().max() == 0) {
                return List.of();
            }
            int ef = beamWidth(idx, k, hnswEf, st, quantization);
            boolean graph = useIndex && seg.liveCount() >= st.fullScanThresholdVectors();
            found = null;
            if (graph && !plan.isMaterialised() && plan.isCheap() && FilteredSearchChoice.graphWinsAnyway(idx, ef,
                    plan.likelyAtLeast(), seg.liveCount())) {
                // broad and cheap to check per visited point: no need to materialise the matching set
                found = idx.searchFiltered(query, k, ef, plan.accept(), plan.likelyAtLeast(), Long.MAX_VALUE,
                        quantization);
            } else if (graph && plan.isCheap()) {
                // the exact count is known or cheap: the graph within a budget of the exact scan's cost, else the scan
                java.util.BitSet matching = plan.matching();
                found = FilteredSearchChoice.graphOrNull(idx, query, k, ef, plan.accept(), matching.cardinality(),
                        quantization);
            } else if (graph && plan.estimate().max() >= st.fullScanThresholdVectors()) {
                found = idx.search(query, k, ef, plan.accept(), quantization); // only an estimate: Qdrant's rule
            }
            if (found == null) {
                java.util.BitSet matching = plan.matching();
                if (matching.isEmpty()) {
                    return List.of();
                }
                found = seg.exactSearch(st.distance(), query, k, matching);
            }
        } else {
            found = useIndex
                    ? idx.search(query, k, beamWidth(idx, k, hnswEf, st, quantization), accept, quantization)
                    : seg.exactSearch(st.distance(), query, k, accept);
        }
        return candidates(seg, found);
    }

    /** A segment's search results as candidates, live ones only. */
    private static List<Candidate> candidates(Segment seg, List<ScoredOrd> found) {
        List<Candidate> out = new ArrayList<>(found.size());
        for (ScoredOrd s : found) {
            // a superseded version is deleted in its segment in the same write that supersedes it (see SegmentView),
            // so under the read lock "live" means "current": a bit test instead of an id-tracker lookup per result
            if (!seg.isDeleted(s.ord())) {
                out.add(new Candidate(seg, s.ord(), s.score()));
            }
        }
        return out;
    }

    private static ObjectNode payloadOf(Segment seg, int ord, WithPayload w) {
        return w.enabled() ? w.select(PayloadJson.parse(seg.payloadAt(ord))) : null;
    }

    /** The point with this id, or null. */
    Record retrieve(PointId id, WithPayload withPayload, boolean withVector) {
        lockOpenShard();
        try {
            IdTracker.Location loc = tracker.get(id);
            if (loc == null) {
                return null;
            }
            return record(id, loc, payloadOf(loc.segment(), loc.ord(), withPayload), withVector);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A point as read back: its vector when asked for (a point without one says so, Qdrant's {@code {}}). */
    private static Record record(PointId id, IdTracker.Location loc, ObjectNode payloadOrNull, boolean withVector) {
        if (!withVector) {
            return new Record(id, payloadOrNull, null);
        }
        float[] vector = loc.segment().vectorOrNullAt(loc.ord());
        return new Record(id, payloadOrNull, vector, vector == null);
    }

    /** Up to {@code limit} matching points with id >= {@code from}, ascending. */
    List<Record> scroll(PointId from, int limit, Filter filter, WithPayload withPayload, boolean withVector) {
        lockOpenShard();
        try {
            List<Record> out = new ArrayList<>(Math.min(limit, 1024));
            Map<Segment, AcceptOrds> matching = filter == null ? null : acceptOrds(filter, false);
            for (Map.Entry<PointId, IdTracker.Location> e : tracker.from(from).entrySet()) {
                if (out.size() >= limit) {
                    break;
                }
                IdTracker.Location loc = e.getValue();
                if (matching != null && !matching.get(loc.segment()).accept(loc.ord())) {
                    continue;
                }
                ObjectNode shown = !withPayload.enabled() ? null
                        : withPayload.select(PayloadJson.parse(loc.segment().payloadAt(loc.ord())));
                out.add(record(e.getKey(), loc, shown, withVector));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** See {@link Shard#orderedTop}: each segment's index walked in order, each point at its live location only. */
    List<io.quiver.engine.OrderedScroll.OrderedId> orderedTop(String field, io.quiver.engine.OrderBy orderBy,
            Filter filter, int limit) {
        lockOpenShard();
        try {
            Map<Segment, AcceptOrds> matching = filter == null ? null : acceptOrds(filter, false);
            List<io.quiver.engine.OrderedScroll.OrderedId> out = new ArrayList<>();
            for (Segment seg : segments.list()) {
                AcceptOrds accept = matching == null ? null : matching.get(seg);
                int before = out.size();
                boolean indexed = seg.payloadIndexes().scanInOrder(field, orderBy.descending(),
                        orderBy.startFromOrNull(), (value, ords) -> {
                            if (out.size() - before >= limit) {
                                return false; // the last value's ties are all in: enough from this segment
                            }
                            for (int ord : ords) {
                                PointId id = seg.idAt(ord);
                                IdTracker.Location loc = tracker.get(id);
                                if (loc != null && loc.segment() == seg && loc.ord() == ord
                                        && (accept == null || accept.accept(ord))) {
                                    out.add(new io.quiver.engine.OrderedScroll.OrderedId(value, id));
                                }
                            }
                            return true;
                        });
                if (!indexed) {
                    return null;
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** See {@link Shard#randomLive}. */
    List<PointId> randomLive(int wanted, java.util.random.RandomGenerator random, int maxDraws) {
        lockOpenShard();
        try {
            List<Segment> segs = segments.list();
            long[] ends = new long[segs.size()];
            long slots = 0;
            for (int i = 0; i < segs.size(); i++) {
                slots += segs.get(i).count();
                ends[i] = slots;
            }
            java.util.LinkedHashSet<PointId> picked = new java.util.LinkedHashSet<>();
            for (int draw = 0; draw < maxDraws && picked.size() < wanted && slots > 0; draw++) {
                long slot = random.nextLong(slots);
                int i = java.util.Arrays.binarySearch(ends, slot + 1);
                i = i >= 0 ? i : -i - 1; // the first segment whose end exceeds the slot
                Segment seg = segs.get(i);
                int ord = (int) (slot - (i == 0 ? 0 : ends[i - 1]));
                PointId id = seg.idAt(ord);
                IdTracker.Location loc = tracker.get(id);
                if (loc != null && loc.segment() == seg && loc.ord() == ord) {
                    picked.add(id);
                }
            }
            return new ArrayList<>(picked);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Exact number of (matching) points. */
    long count(Filter filter) {
        lockOpenShard();
        try {
            if (filter == null) {
                return tracker.size();
            }
            long n = 0;
            for (Segment seg : segments.list()) {
                java.util.BitSet m = seg.payloadIndexes().matchingOrds(filter, new SegmentView(seg, tracker));
                for (int ord = m.nextSetBit(0); ord >= 0; ord = m.nextSetBit(ord + 1)) {
                    IdTracker.Location loc = tracker.get(seg.idAt(ord));
                    if (loc != null && loc.segment() == seg && loc.ord() == ord) {
                        n++;
                    }
                }
            }
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Ids of the points matching {@code filter} exactly, ascending (an operation by filter, on the update worker). */
    List<PointId> idsMatching(Filter filter) {
        List<PointId> ids = new ArrayList<>();
        lockOpenShard(); // a merge's swap may change the tracker meanwhile
        try {
            Map<Segment, AcceptOrds> matching = acceptOrds(filter, true);
            for (Map.Entry<PointId, IdTracker.Location> e : tracker.entries()) {
                if (matching.get(e.getValue().segment()).accept(e.getValue().ord())) {
                    ids.add(e.getKey());
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return ids;
    }

    /**
     * Per segment, which ordinals match {@code filter}: the exact matching set ({@code exact}, for count and
     * operations by filter), or the indexes' accept-set, lazy when they do not decide the filter (scroll). Read or
     * write lock held.
     */
    private Map<Segment, AcceptOrds> acceptOrds(Filter filter, boolean exact) {
        Map<Segment, AcceptOrds> out = new java.util.IdentityHashMap<>();
        for (Segment seg : segments.list()) {
            SegmentView view = new SegmentView(seg, tracker);
            if (exact) {
                java.util.BitSet m = seg.payloadIndexes().matchingOrds(filter, view);
                out.put(seg, m::get);
            } else {
                out.put(seg, seg.payloadIndexes().acceptOrds(filter, view));
            }
        }
        return out;
    }

    /**
     * The beam of a graph search: {@code hnsw_ef} (default ef_construct), at least {@code k}; on an int8 index at least
     * the {@code k · oversampling} candidates it rescores, as Qdrant widens ef to its oversampled limit.
     */
    private static int beamWidth(HnswIndex idx, int k, Integer hnswEf, ShardSettings st,
            QuantizationSearchParams quantization) {
        int ef = Math.max(k, hnswEf != null ? hnswEf : st.hnsw().efConstruct());
        if (idx != null && idx.isQuantized() && !quantization.ignore() && quantization.rescore()) {
            ef = Math.max(ef, (int) Math.ceil(k * quantization.oversampling()));
        }
        return ef;
    }
}
