package io.quiver.engine.segment;

import io.quiver.engine.PointId;
import io.quiver.engine.StorageException;
import io.quiver.hnsw.AcceptOrds;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.ScoredOrd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.UUID;

/**
 * One segment of a shard: vectors in a mapped {@link MappedVectorStore}, and per dense ordinal the point id, the
 * version of its last change, a deleted flag, a vectorless flag and the payload (UTF-8 JSON, lz4 blocks on disk).
 * Appendable until {@link #seal()}; after that no vector is added (deletes, vector deletes and payload changes still
 * are), and an HNSW graph ({@code hnsw.graph}) may be attached.
 *
 * <p>A vectorless ordinal holds a point without a vector (Qdrant's DeleteVectors, or an upsert without one): it is
 * live for retrieve, scroll, count and filters, but no vector search returns it. Its slot in {@code vectors.bin}
 * keeps the old bytes (or zeros), which nothing reads as the point's vector.
 *
 * <p>Single writer: the shard's update worker mutates it, holding the shard's write lock; searches and reads hold the
 * shard's read lock. The index builder reads only the vectors of a sealed segment, which never change.
 */
public final class Segment implements AutoCloseable {
    public static final String VECTORS_FILE = "vectors.bin";
    public static final String GRAPH_FILE = "hnsw.graph";

    private final UUID id;
    private final Path dir;
    private final int dim;
    private final MappedVectorStore vectors;
    private PointId[] ids;
    private long[] versions;
    private byte[][] payloads;
    private final BitSet deleted;
    private int deletedCount;
    private final BitSet vectorless;
    private volatile boolean sealed;
    private volatile HnswIndex index;
    private long modCount;
    private long persistedModCount = -1;
    /** CRC32C of vectors [0, count), kept up to date on append so a checkpoint never rereads the mapping. */
    private final java.util.zip.CRC32C runningCrc = new java.util.zip.CRC32C();
    private long sealedCrc = -1;
    /** Vectors below this ordinal are known to be on disk (fsynced by a checkpoint or read back at open). */
    private volatile int forcedCount = -1; // -1: not even the header was fsynced yet
    /** The payload indexes, kept in step by append/markDeleted/setPayload; the shard syncs them with the schema. */
    private volatile io.quiver.engine.index.PayloadIndexes payloadIndexes = new io.quiver.engine.index.PayloadIndexes();
    /** Decoded payload values of the fields filters ask about; told of every payload change by the writer. */
    private final io.quiver.engine.index.PayloadColumns payloadColumns = new io.quiver.engine.index.PayloadColumns();

    private Segment(UUID id, Path dir, int dim, MappedVectorStore vectors, PointId[] ids, long[] versions,
            byte[][] payloads, BitSet deleted, BitSet vectorless, boolean sealed) {
        this.id = id;
        this.dir = dir;
        this.dim = dim;
        this.vectors = vectors;
        this.ids = ids;
        this.versions = versions;
        this.payloads = payloads;
        this.deleted = deleted;
        this.deletedCount = deleted.cardinality();
        this.vectorless = vectorless;
        this.sealed = sealed;
    }

    /** Creates a new empty appendable segment under {@code segmentsDir/<uuid>/}. */
    public static Segment create(Path segmentsDir, int dim, long expectedVectors) {
        UUID id = UUID.randomUUID();
        Path dir = segmentsDir.resolve(id.toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create segment directory " + dir, e);
        }
        long capacity = Math.min(Math.max(expectedVectors, 64), 1L << 20);
        MappedVectorStore v = MappedVectorStore.create(dir.resolve(VECTORS_FILE), dim, id, capacity);
        int initial = (int) Math.min(capacity, 1024);
        return new Segment(id, dir, dim, v, new PointId[initial], new long[initial], new byte[initial][],
                new BitSet(), new BitSet(), false);
    }

    /**
     * Opens a segment as of its last checkpoint: checks points.bin (CRC) and the vectors' CRC when asked. Vectors
     * beyond the checkpointed count are ignored (the WAL replay writes them again).
     */
    public static Segment open(Path dir, int dim, long expectedVectors, boolean verifyVectors) {
        UUID id = UUID.fromString(dir.getFileName().toString());
        PointsFile.Contents c = PointsFile.read(dir, id);
        SegmentSnapshot s = c.snapshot();
        if (s.dim() != dim) {
            throw new StorageException("segment " + dir + " has dimension " + s.dim() + ", expected " + dim);
        }
        MappedVectorStore v = MappedVectorStore.open(dir.resolve(VECTORS_FILE), dim, id, s.count(),
                s.sealed() ? s.count() : Math.min(Math.max(expectedVectors, 64), 1L << 20));
        int cap = Math.max(s.count(), 16);
        Segment seg = new Segment(id, dir, dim, v, Arrays.copyOf(s.ids(), cap), Arrays.copyOf(s.versions(), cap),
                Arrays.copyOf(s.payloads(), cap), s.deleted(), s.vectorless(), s.sealed());
        if (verifyVectors || !s.sealed()) {
            seg.runningCrc.update(v.bytesOf(0, s.count()));
            if (seg.runningCrc.getValue() != c.vectorsCrc()) {
                v.close();
                throw new StorageException("vector checksum mismatch in " + dir.resolve(VECTORS_FILE));
            }
        }
        if (s.sealed()) {
            seg.sealedCrc = c.vectorsCrc();
        }
        seg.persistedModCount = 0;
        seg.forcedCount = s.count();
        try {
            seg.loadPayloadIndexes();
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
        return seg;
    }

    public UUID id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    public MappedVectorStore vectors() {
        return vectors;
    }

    public int count() {
        return vectors.size();
    }

    public int liveCount() {
        return vectors.size() - deletedCount;
    }

    /** Live points that have a vector (a vector search may return them). Reader: holds the shard's lock. */
    public int liveVectorCount() {
        if (vectorless.isEmpty()) {
            return liveCount();
        }
        BitSet liveVectorless = (BitSet) vectorless.clone();
        liveVectorless.andNot(deleted);
        return liveCount() - liveVectorless.cardinality();
    }

    public boolean isSealed() {
        return sealed;
    }

    public HnswIndex index() {
        return index;
    }

    public boolean isDeleted(int ord) {
        return deleted.get(ord);
    }

    public PointId idAt(int ord) {
        return ids[ord];
    }

    public long versionAt(int ord) {
        return versions[ord];
    }

    /** The stored payload bytes (UTF-8 JSON) of an ordinal, or null for an empty payload. */
    public byte[] payloadAt(int ord) {
        return payloads[ord];
    }

    /** The stored vector bytes of an ordinal, as floats (also for a vectorless one: check {@link #hasVector}). */
    public float[] vectorAt(int ord) {
        return vectors.copyOf(ord);
    }

    /** The point's vector, or null when it has none (vectorless). */
    public float[] vectorOrNullAt(int ord) {
        return vectorless.get(ord) ? null : vectors.copyOf(ord);
    }

    /** Whether the point at {@code ord} has a vector (false once its vector was deleted). */
    public boolean hasVector(int ord) {
        return !vectorless.get(ord);
    }

    /**
     * Appends a point and returns its ordinal; a null {@code vectorOrNull} appends a vectorless point (zeros in the
     * vector file). Writer only; the segment must not be sealed.
     */
    public int append(PointId pid, float[] vectorOrNull, byte[] payload, long version) {
        if (sealed) {
            throw new IllegalStateException("append to sealed segment " + id);
        }
        int ord = vectors.size();
        if (ord == ids.length) {
            int cap = ids.length * 2;
            ids = Arrays.copyOf(ids, cap);
            versions = Arrays.copyOf(versions, cap);
            payloads = Arrays.copyOf(payloads, cap);
        }
        ids[ord] = pid;
        versions[ord] = version;
        payloads[ord] = payload;
        vectors.append(ord, vectorOrNull != null ? vectorOrNull : new float[dim]);
        if (vectorOrNull == null) {
            vectorless.set(ord);
        }
        runningCrc.update(vectors.bytesOf(ord, 1));
        modCount++;
        indexPayload(ord, payload);
        return ord;
    }

    public void markDeleted(int ord) {
        if (!deleted.get(ord)) {
            deleted.set(ord);
            deletedCount++;
            modCount++;
            payloadIndexes.remove(ord);
        }
    }

    /**
     * Deletes the point's vector in place (Qdrant's DeleteVectors): the point stays, with its payload, as version
     * {@code version}; vector searches no longer return it. Writer only.
     */
    public void deleteVector(int ord, long version) {
        vectorless.set(ord);
        versions[ord] = version;
        modCount++;
    }

    public void setPayload(int ord, byte[] payload, long version) {
        payloads[ord] = payload;
        versions[ord] = version;
        modCount++;
        if (!deleted.get(ord)) {
            indexPayload(ord, payload);
        }
    }

    /** Seals the segment: no more appends; its index may now be built. */
    public void seal() {
        sealedCrc = runningCrc.getValue();
        sealed = true;
        modCount++;
    }

    /** Attaches a built/opened index (volatile publish; searches pick it up). */
    public void attachIndex(HnswIndex built) {
        this.index = built;
    }

    public boolean needsPersist() {
        return modCount != persistedModCount;
    }

    /** Captures the state to checkpoint. Writer thread (or with the write lock held). */
    public SegmentSnapshot snapshot() {
        int n = vectors.size();
        return new SegmentSnapshot(id, dim, sealed, n, Arrays.copyOf(ids, n), Arrays.copyOf(versions, n),
                (BitSet) deleted.clone(), (BitSet) vectorless.clone(), Arrays.copyOf(payloads, n), modCount,
                sealed ? sealedCrc : runningCrc.getValue());
    }

    /**
     * Writes a snapshot taken by {@link #snapshot()}: fsyncs the vectors file, then writes points.bin. Flusher thread;
     * it never touches the mapping (the writer may remap it meanwhile).
     */
    public void persist(SegmentSnapshot s) {
        if (s.count() > forcedCount) { // only deletes or payload edits since the last checkpoint: no vector fsync
            vectors.force();
            forcedCount = s.count();
        }
        try { // the saved payload indexes describe the previous points.bin: a stale file must never be loaded
            Files.deleteIfExists(dir.resolve(io.quiver.engine.index.PayloadIndexFile.FILE_NAME));
        } catch (IOException e) {
            throw new StorageException("cannot delete the stale payload index of " + dir, e);
        }
        PointsFile.write(dir, s, s.vectorsCrc());
        synchronized (this) {
            persistedModCount = Math.max(persistedModCount, s.modCount());
        }
    }

    /** The most recent plans of a segment, at most this many filters (then the cache starts afresh). */
    static final int PLAN_CACHE_FILTERS = 16;

    private record CachedPlan(long modCount, io.quiver.engine.index.PayloadIndexes indexes, long indexChanges,
            io.quiver.engine.index.SegmentFilter plan) {}

    private final java.util.concurrent.ConcurrentHashMap<io.quiver.engine.filter.Filter, CachedPlan> planCache =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The plan of {@code filter} over this segment: the cached one when the segment has not changed since it was
     * made (no append, delete, payload change or seal: its {@code modCount} is the same) and its payload indexes
     * were neither created, replaced nor dropped since, else a new one from
     * {@code planner}, kept when its matching set is materialised or cheap to materialise later (index bits and
     * columns only). A cheap plan is materialised when it is used a second time, so a filter that repeats is then
     * checked by one bit per visited point, as Lucene's query cache keeps a repeated filter's bitset. A plan depends only on the segment's points and payloads, so an unchanged segment gives the same one;
     * its matching set is never mutated by its users. Callers hold the shard's read lock (so the segment does not
     * change meanwhile); concurrent searches may share a cached plan.
     */
    public io.quiver.engine.index.SegmentFilter plan(io.quiver.engine.filter.Filter filter,
            java.util.function.Supplier<io.quiver.engine.index.SegmentFilter> planner) {
        long now = modCount;
        io.quiver.engine.index.PayloadIndexes indexes = payloadIndexes;
        long indexChanges = indexes.indexChanges();
        CachedPlan cached = planCache.get(filter);
        if (cached != null && cached.modCount() == now && cached.indexes() == indexes
                && cached.indexChanges() == indexChanges) {
            io.quiver.engine.index.SegmentFilter plan = cached.plan();
            if (!plan.isMaterialised() && plan.isCheap()) {
                plan.matching(); // a repeated cheap filter: one column scan now, a bit test per visited point after
            }
            return plan;
        }
        io.quiver.engine.index.SegmentFilter plan = planner.get();
        if (plan.isMaterialised() || plan.isCheap()) {
            if (planCache.size() >= PLAN_CACHE_FILTERS) {
                planCache.clear();
            }
            planCache.put(filter, new CachedPlan(now, indexes, indexChanges, plan));
        }
        return plan;
    }

    /** The payload indexes of this segment (threadsafe; updated with every payload change of this segment). */
    public io.quiver.engine.index.PayloadIndexes payloadIndexes() {
        return payloadIndexes;
    }

    /** The decoded payload columns (read under the shard's read lock; see {@link io.quiver.engine.index.PayloadColumns}). */
    public io.quiver.engine.index.PayloadColumns payloadColumns() {
        return payloadColumns;
    }

    /** A fresh bitset of the live (not deleted) ordinals, built with word operations. */
    public BitSet liveOrds() {
        BitSet live = new BitSet(vectors.size());
        live.set(0, vectors.size());
        live.andNot(deleted);
        return live;
    }

    /** A fresh bitset of the live ordinals that have a vector (what {@code has_vector: ""} matches). */
    public BitSet liveOrdsWithVector() {
        BitSet live = liveOrds();
        live.andNot(vectorless);
        return live;
    }

    /**
     * The ordinals a vector search may return: live and with a vector; null when that is every ordinal (no check
     * needed). Read under the shard's read lock.
     */
    public AcceptOrds searchableOrdsOrNull() {
        if (deletedCount == 0 && vectorless.isEmpty()) {
            return null;
        }
        BitSet deletedNow = deleted;
        BitSet vectorlessNow = vectorless;
        return ord -> !deletedNow.get(ord) && !vectorlessNow.get(ord);
    }

    private void indexPayload(int ord, byte[] payload) {
        io.quiver.engine.index.PayloadIndexes ix = payloadIndexes;
        boolean indexed = !ix.isEmpty();
        if (indexed || !payloadColumns.isEmpty()) {
            com.fasterxml.jackson.databind.node.ObjectNode parsed = io.quiver.engine.shard.PayloadJson.parse(payload);
            if (indexed) {
                ix.add(ord, parsed);
            }
            payloadColumns.update(ord, parsed);
        }
    }

    /**
     * Saves the payload indexes beside the points.bin just written from {@code s}, when nothing changed since
     * {@code s} was captured (then they describe exactly that state); otherwise none is saved and the next open
     * rebuilds them from the payloads. Call with the shard's read lock held (no writer meanwhile), after
     * {@link #persist}.
     */
    public void savePayloadIndexesIfCurrent(SegmentSnapshot s) {
        if (modCount == s.modCount() && !payloadIndexes.isEmpty()) {
            payloadIndexes.save(dir.resolve(io.quiver.engine.index.PayloadIndexFile.FILE_NAME));
        }
    }

    private void loadPayloadIndexes() {
        Path file = dir.resolve(io.quiver.engine.index.PayloadIndexFile.FILE_NAME);
        if (Files.exists(file)) { // a corrupt file fails the open (fail-stop), as for every other file
            payloadIndexes = io.quiver.engine.index.PayloadIndexes.load(file);
        }
    }

    /**
     * The top {@code k} live accepted ordinals with a vector by exact scan, best first (scores in Qdrant's
     * convention).
     */
    public List<ScoredOrd> exactSearch(Distance distance, float[] query, int k, AcceptOrds accept) {
        int n = vectors.size();
        if (k <= 0 || n == 0) {
            return List.of();
        }
        java.lang.foreign.MemorySegment all = vectors.contiguousVectors();
        long stride = (long) dim * Float.BYTES;
        PriorityQueue<ScoredOrd> heap = new PriorityQueue<>(Math.min(k, n) + 1,
                (a, b) -> Float.compare(a.score(), b.score()));
        for (int ord = 0; ord < n; ord++) {
            if (deleted.get(ord) || vectorless.get(ord) || (accept != null && !accept.accept(ord))) {
                continue;
            }
            offer(heap, k, ord, distance.similarity(query, all, ord * stride));
        }
        return best(heap, distance);
    }

    /**
     * The top {@code k} of the given live ordinals by exact scan, best first: visits only the set bits, so its cost
     * is proportional to how many points a filter matches, not to the segment's size. Vectorless ordinals are skipped.
     */
    public List<ScoredOrd> exactSearch(Distance distance, float[] query, int k, BitSet ords) {
        if (k <= 0 || vectors.size() == 0) {
            return List.of();
        }
        BitSet deletedNow = deleted;
        BitSet vectorlessNow = vectorless;
        return io.quiver.hnsw.ExactSearch.search(vectors, distance, query, k, ords,
                ord -> !deletedNow.get(ord) && !vectorlessNow.get(ord));
    }

    private static void offer(PriorityQueue<ScoredOrd> heap, int k, int ord, float sim) {
        if (heap.size() < k) {
            heap.add(new ScoredOrd(ord, sim));
        } else if (sim > heap.peek().score()) {
            heap.poll();
            heap.add(new ScoredOrd(ord, sim));
        }
    }

    private static List<ScoredOrd> best(PriorityQueue<ScoredOrd> heap, Distance distance) {
        List<ScoredOrd> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            ScoredOrd s = heap.poll();
            out.add(new ScoredOrd(s.ord(), distance.toScore(s.score())));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** Deletes the segment's files (after it was dropped from the shard and closed). */
    public void deleteFiles() {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new StorageException("cannot delete segment " + dir, e);
        }
    }

    @Override
    public void close() {
        HnswIndex idx = index;
        index = null;
        if (idx != null) {
            idx.close();
        }
        vectors.close();
    }

    @Override
    public String toString() {
        return "Segment[" + id + (sealed ? ", sealed" : "") + ", " + count() + " points]";
    }
}
