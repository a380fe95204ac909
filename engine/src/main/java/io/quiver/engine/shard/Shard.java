package io.quiver.engine.shard;

import io.quiver.engine.NotFoundException;
import io.quiver.engine.PointId;
import io.quiver.engine.QuiverException;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.StorageException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.segment.Segment;
import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.QuantizationSearchParams;
import io.quiver.wal.Durability;
import io.quiver.wal.Wal;
import io.quiver.wal.WalAppend;
import io.quiver.wal.WalReader;
import io.quiver.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of a collection: owns its WAL, its update worker and its segments ({@link ShardSegments}), and is the
 * public face of its parts ({@link ShardReader}, {@link OperationApplier}, {@link ShardOptimizer},
 * {@link ShardCheckpointWriter}). Every write takes the collection's next operation id ({@link OperationIds}) as its
 * operation id and point version, is appended to the WAL (the record holds the id), then applied; a checkpoint
 * ({@link #flush()}) persists the segments and truncates the WAL prefix; {@link #open} maps the segments, replays the
 * WAL from the checkpoint and raises the collection's counter past every id the shard holds.
 *
 * <p>Threading: threadsafe. Writes are applied only by the update worker, holding the write lock; reads hold the
 * read lock, so a search sees one consistent set of segments. The segment list is copy-on-write.
 */
public final class Shard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    private final int shardId;
    private final Path dir;
    private final Path segmentsDir;
    private volatile ShardSettings settings;
    private final SegmentIndexBuilder indexBuilder;
    private final ShardSegments segments = new ShardSegments();
    private final ReentrantReadWriteLock lock = segments.lock();
    private final IdTracker tracker = segments.tracker();
    private final ShardUpdateWorker worker;
    private final ShardReader readPath;
    private final ShardOptimizer optimizer;
    private final OperationApplier applier;
    private final OperationIds operationIds;
    private final Object flushLock = new Object();
    private Wal wal;
    /** Set by {@link #recover} once the WAL is open. */
    private ShardCheckpointWriter checkpoints;
    private volatile long appliedLsn;
    /** The operation id of the last record appended to the WAL (or recovered); written by the worker. */
    private volatile long lastOperationId;
    private volatile String failure;
    private volatile boolean closed;

    private Shard(int shardId, Path dir, ShardSettings settings, ExecutorService indexExecutor,
            SegmentIndexBuilder indexBuilder, String name, int maxOptimizationThreads, OperationIds operationIds) {
        this.shardId = shardId;
        this.operationIds = operationIds;
        this.dir = dir;
        this.segmentsDir = dir.resolve("segments");
        this.settings = settings;
        this.indexBuilder = indexBuilder;
        this.worker = new ShardUpdateWorker("quiver-update-" + name + "-" + shardId);
        this.readPath = new ShardReader(shardId, segments, () -> this.settings, () -> this.closed);
        this.optimizer = new ShardOptimizer(shardId, segmentsDir, segments, () -> this.settings, () -> this.closed,
                indexExecutor, indexBuilder, maxOptimizationThreads);
        this.applier = new OperationApplier(segmentsDir, segments, () -> this.settings, optimizer);
    }

    /** Opens (or creates) a shard: maps its checkpointed segments, then replays its WAL from the checkpoint. */
    public static Shard open(int shardId, Path dir, ShardSettings settings, ExecutorService indexExecutor,
            SegmentIndexBuilder indexBuilder, String name) {
        return open(shardId, dir, settings, indexExecutor, indexBuilder, name, Integer.MAX_VALUE);
    }

    /**
     * Opens a shard whose optimizations (index builds, merges, vacuums) run at most {@code maxOptimizationThreads} at
     * a time (0: none until {@link #setOptimizerLimit} raises it; the segments stay searchable by exact scan).
     */
    public static Shard open(int shardId, Path dir, ShardSettings settings, ExecutorService indexExecutor,
            SegmentIndexBuilder indexBuilder, String name, int maxOptimizationThreads) {
        return open(shardId, dir, settings, indexExecutor, indexBuilder, name, maxOptimizationThreads,
                new OperationIds());
    }

    /**
     * As {@link #open(int, Path, ShardSettings, ExecutorService, SegmentIndexBuilder, String, int)}, taking operation
     * ids from {@code operationIds}, the counter the collection's shards share; the open raises it past every id this
     * shard holds (its checkpoint's, its segments' point versions, its WAL's).
     */
    public static Shard open(int shardId, Path dir, ShardSettings settings, ExecutorService indexExecutor,
            SegmentIndexBuilder indexBuilder, String name, int maxOptimizationThreads, OperationIds operationIds) {
        Shard s = new Shard(shardId, dir, settings, indexExecutor, indexBuilder, name, maxOptimizationThreads,
                operationIds);
        s.lock.writeLock().lock(); // recovery mutates everything; background work starts only after it
        s.optimizer.beginRecovery();
        try {
            s.recover();
        } catch (RuntimeException | IOException e) {
            s.optimizer.endRecovery();
            s.lock.writeLock().unlock();
            s.closeQuietly();
            if (e instanceof QuiverException q) {
                throw q;
            }
            throw new StorageException("cannot open shard " + shardId + " in " + dir + ": " + e, e);
        }
        List<Segment> toBuild = s.optimizer.endRecovery();
        s.lock.writeLock().unlock();
        for (Segment seg : toBuild) {
            if (s.segments.list().contains(seg)) {
                s.optimizer.scheduleBuild(seg);
            }
        }
        s.optimizer.maybeScheduleMerge();
        s.worker.start();
        return s;
    }

    private void recover() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(segmentsDir);
        ShardStateFile.State state = ShardStateFile.read(dir);
        ShardSettings st = settings;
        List<Segment> opened = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        try {
            for (UUID id : state.segments()) {
                opened.add(Segment.open(segmentsDir.resolve(id.toString()), st.dim(), st.expectedSegmentVectors(),
                        st.verifyVectorsOnOpen()));
                listed.add(id.toString());
            }
        } catch (RuntimeException e) {
            for (Segment seg : opened) { // not in the segment list yet, so closeQuietly would not reach them
                try {
                    seg.close();
                } catch (RuntimeException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
        segments.replace(opened);
        try (var children = Files.list(segmentsDir)) {
            for (Path p : children.toList()) {
                if (!listed.contains(p.getFileName().toString())) {
                    deleteTree(p); // created after the last checkpoint: the WAL replay recreates its content
                }
            }
        }
        long tSegments = System.nanoTime();
        long maxVersion = rebuildTracker(opened);
        long tTracker = System.nanoTime();
        applier.openAppendable(opened);
        for (Segment seg : segments.list()) {
            if (seg.isSealed()) {
                HnswIndex idx = indexBuilder.tryOpen(seg, st);
                if (idx != null) {
                    seg.attachIndex(idx); // serves searches; rebuilt below if the config changed since it was built
                } else {
                    optimizer.scheduleBuild(seg);
                }
            }
        }
        optimizer.scheduleRebuildsForChangedConfig();
        long tGraphs = System.nanoTime();
        wal = Wal.open(dir.resolve("wal"), st.wal());
        if (wal.lastLsn() < state.flushedLsn()) {
            wal.reset(state.flushedLsn() + 1);
        }
        long from = state.flushedLsn() + 1;
        if (wal.lastLsn() >= from && wal.firstLsn() > from) {
            throw new StorageException("WAL of shard " + shardId + " starts at " + wal.firstLsn()
                    + " but the checkpoint needs " + from);
        }
        long lastReplayedId = replay(from);
        long replayed = Math.max(0, wal.lastLsn() - from + 1);
        appliedLsn = Math.max(state.flushedLsn(), wal.lastLsn());
        lastOperationId = Math.max(state.lastOperationId(), Math.max(maxVersion, lastReplayedId));
        operationIds.raiseTo(lastOperationId);
        checkpoints = new ShardCheckpointWriter(shardId, dir, segments, wal, state.flushedLsn());
        long tEnd = System.nanoTime();
        LOG.info("shard {} of {}: {} segments mapped in {} ms, id tracker {} ms, graphs {} ms, WAL open + replay of {}"
                + " operations after checkpoint {} in {} ms", shardId, dir, opened.size(), (tSegments - t0) / 1_000_000,
                (tTracker - tSegments) / 1_000_000, (tGraphs - tTracker) / 1_000_000, replayed, state.flushedLsn(),
                (tEnd - tGraphs) / 1_000_000);
    }

    /**
     * Applies the WAL's records from {@code fromLsn} on, each as its operation id; returns the last id (0 when none).
     * Recovery, or the worker (tests).
     */
    private long replay(long fromLsn) {
        long lastId = 0;
        if (wal.lastLsn() >= fromLsn) {
            try (WalReader reader = wal.reader(fromLsn)) {
                while (reader.hasNext()) {
                    WalRecord r = reader.next();
                    long id = OperationCodec.operationId(r.payload(), r.lsn());
                    applier.apply(OperationCodec.decode(r.type(), r.payload()), id);
                    lastId = Math.max(lastId, id);
                }
            }
        }
        return lastId;
    }

    /**
     * Applies the WAL again from {@code fromLsn} on the update worker, as a recovery from an older checkpoint would;
     * versions make it a no-op for operations already applied. Returns the number of records. For tests of
     * idempotency.
     */
    long replayAgain(long fromLsn) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        worker.enqueue(() -> {
            lock.writeLock().lock();
            try {
                replay(fromLsn);
                done.complete(Math.max(0, wal.lastLsn() - Math.max(fromLsn, wal.firstLsn()) + 1));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                lock.writeLock().unlock();
            }
        });
        return done.join();
    }

    /** Rebuilds the id tracker from the opened segments; returns the highest point version in them (0: none). */
    private long rebuildTracker(List<Segment> opened) {
        long maxVersion = 0;
        for (Segment seg : opened) {
            for (int ord = 0; ord < seg.count(); ord++) {
                maxVersion = Math.max(maxVersion, seg.versionAt(ord));
                if (seg.isDeleted(ord)) {
                    continue;
                }
                PointId id = seg.idAt(ord);
                IdTracker.Location old = tracker.get(id);
                if (old != null) {
                    if (old.segment().versionAt(old.ord()) >= seg.versionAt(ord)) {
                        seg.markDeleted(ord);
                        continue;
                    }
                    old.segment().markDeleted(old.ord());
                }
                tracker.put(id, seg, ord);
            }
        }
        return maxVersion;
    }

    public int shardId() {
        return shardId;
    }

    /**
     * Takes new settings. When the indexing threshold fell below the appendable segment's size, that segment is sealed
     * and queued for indexing at once (on the update worker), as the next write would have done; indexes built with
     * another m, ef_construct or quantization are queued for a rebuild.
     */
    public void updateSettings(ShardSettings s) {
        this.settings = s;
        if (closed || failure != null) {
            return;
        }
        lock.readLock().lock();
        try { // at once, so that an awaitIndexing() after this call waits for the rebuilds
            if (!closed) {
                optimizer.scheduleRebuildsForChangedConfig();
            }
        } finally {
            lock.readLock().unlock();
        }
        worker.enqueue(() -> {
            lock.writeLock().lock();
            try {
                if (!closed) {
                    applier.sealIfThresholdReached();
                }
            } finally {
                lock.writeLock().unlock();
            }
        });
    }

    // ---------------------------------------------------------------- writes

    /**
     * Queues a write. The future completes with the operation's id once it is applied and its WAL record reached
     * {@code durability}; exceptionally with NotFound when {@code idsMustExist} and an id is absent, BadRequest when
     * it is too large for a WAL segment, or with a StorageException when the shard has failed. An operation that
     * fails before its WAL append takes no operation id.
     *
     * @param filterOrNull when set, the operation's ids are replaced by the points matching it at apply time
     */
    public CompletableFuture<Long> submit(Operation op, Filter filterOrNull, boolean idsMustExist,
            Durability durability) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        checkUsable();
        Filter filter = segmentFilter(filterOrNull);
        worker.enqueue(() -> process(op, filter, idsMustExist, durability, done));
        return done;
    }

    /** A request's filter as segments evaluate it (their one vector is always {@code ""}); null stays null. */
    private Filter segmentFilter(Filter filterOrNull) {
        return filterOrNull == null ? null : filterOrNull.forVectorNamed(settings.vectorName());
    }

    private void checkUsable() {
        if (closed) {
            throw new StorageException("shard " + shardId + " is closed");
        }
        if (failure != null) {
            throw new StorageException("shard " + shardId + " has failed and stopped applying: " + failure);
        }
    }

    private void process(Operation op, Filter filter, boolean idsMustExist, Durability durability,
            CompletableFuture<Long> done) {
        if (failure != null) {
            done.completeExceptionally(new StorageException("shard " + shardId + " has failed: " + failure));
            return;
        }
        Operation resolved;
        try {
            resolved = resolve(op, filter, idsMustExist);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        Logged logged = log(resolved, durability, done);
        if (logged == null) {
            return;
        }
        lock.writeLock().lock();
        try {
            applier.apply(resolved, logged.operationId());
            appliedLsn = logged.lsn();
        } catch (RuntimeException e) {
            failure = String.valueOf(e);
            LOG.error("shard {} failed applying operation {} (LSN {}); it stops applying", shardId,
                    logged.operationId(), logged.lsn(), e);
            done.completeExceptionally(new StorageException("apply failed: " + e, e));
            return;
        } finally {
            lock.writeLock().unlock();
        }
        if (resolved instanceof Operation.Delete || resolved instanceof Operation.Upsert) {
            optimizer.checkVacuumDue(); // deletes and overwrites may push a sealed segment past deleted_threshold
        }
        completeWhenWritten(logged, done);
    }

    /** An operation appended to the WAL: its LSN, its operation id, and the append's completion. */
    private record Logged(long lsn, long operationId, CompletableFuture<Long> written) {}

    /**
     * Appends {@code op} to the WAL as the collection's next operation id. When it cannot be appended, completes
     * {@code done} exceptionally and returns null; its id is given back (it stays unused when another shard took a
     * later one meanwhile). Worker only, so ids grow along this shard's WAL.
     */
    private Logged log(Operation op, Durability durability, CompletableFuture<?> done) {
        byte[] payload = OperationCodec.encode(op, 0);
        if (payload.length > wal.maxPayloadBytes()) { // checked before an id is taken
            done.completeExceptionally(new io.quiver.engine.BadRequestException("the operation is too large for "
                    + "the WAL (payload of " + payload.length + " bytes exceeds the " + wal.maxPayloadBytes()
                    + " bytes a segment of wal_capacity_mb can hold); split it into smaller batches"));
            return null;
        }
        long id = operationIds.next();
        OperationCodec.setOperationId(payload, id);
        WalAppend appended;
        try {
            appended = wal.append(OperationCodec.type(op), payload, durability);
        } catch (IllegalArgumentException e) { // larger than one WAL segment (wal_capacity_mb)
            operationIds.giveBack(id);
            done.completeExceptionally(new io.quiver.engine.BadRequestException(
                    "the operation is too large for the WAL (" + e.getMessage() + "); split it into smaller batches"));
            return null;
        } catch (RuntimeException e) {
            operationIds.giveBack(id);
            done.completeExceptionally(new StorageException("WAL append failed: " + e, e));
            return null;
        }
        if (appended.lsn() == WalAppend.NO_LSN) {
            operationIds.giveBack(id);
            appended.completion().whenComplete((v, e) -> done.completeExceptionally(
                    new StorageException("WAL has failed", e)));
            return null;
        }
        lastOperationId = id;
        return new Logged(appended.lsn(), id, appended.completion());
    }

    /** Completes {@code done} with the operation id once the record reached its durability. */
    private static void completeWhenWritten(Logged logged, CompletableFuture<Long> done) {
        logged.written().whenComplete((v, e) -> {
            if (e != null) {
                done.completeExceptionally(new StorageException("WAL write failed: " + e, e));
            } else {
                done.complete(logged.operationId());
            }
        });
    }

    /** Resolves a filter to ids and checks ids exist; runs on the worker, which is the only writer. */
    private Operation resolve(Operation op, Filter filter, boolean idsMustExist) {
        if (filter != null) {
            return op.withIds(readPath.idsMatching(filter));
        }
        if (idsMustExist) {
            List<PointId> ids = switch (op) {
                case Operation.SetPayload s -> s.ids();
                case Operation.OverwritePayload o -> o.ids();
                case Operation.DeletePayloadKeys k -> k.ids();
                case Operation.ClearPayload c -> c.ids();
                case Operation.UpdateVectors u -> u.points().stream().map(Operation.PointVector::id).toList();
                default -> List.of();
            };
            for (PointId id : ids) {
                if (tracker.get(id) == null) {
                    throw NotFoundException.point(id);
                }
            }
        }
        return op;
    }

    // ---------------------------------------------------------------- reads (ShardReader)

    /** The current top {@code k} candidates of this shard, materialised, best first. */
    public List<ScoredPoint> search(float[] query, int k, Filter filter, Integer hnswEf, boolean exact,
            WithPayload withPayload, boolean withVector) {
        return search(query, k, filter, hnswEf, exact, null, false, withPayload, withVector);
    }

    /**
     * As {@link #search(float[], int, Filter, Integer, boolean, WithPayload, boolean)} with Qdrant's remaining search
     * params: {@code quantizationOrNull} chooses how int8 indexes use their codes (null: their defaults), and
     * {@code indexedOnly} skips segments that have no graph yet and hold more than the indexing threshold (they would
     * need a slow exact scan; their points are then missing from the results, as in Qdrant).
     */
    public List<ScoredPoint> search(float[] query, int k, Filter filter, Integer hnswEf, boolean exact,
            QuantizationSearchParams quantizationOrNull, boolean indexedOnly, WithPayload withPayload,
            boolean withVector) {
        return readPath.search(query, k, segmentFilter(filter), hnswEf, exact, quantizationOrNull, indexedOnly,
                withPayload, withVector);
    }

    /**
     * The current top {@code k} points of this shard for an example query (its examples in stored form: checked, and
     * normalised under Cosine), highest score first; {@code hnswEf}, {@code exact} and {@code indexedOnly} as for
     * {@link #search(float[], int, Filter, Integer, boolean, QuantizationSearchParams, boolean, WithPayload,
     * boolean)}; int8 codes are not used.
     */
    public List<ScoredPoint> searchByExamples(io.quiver.engine.ExampleQuery query, int k, Filter filter,
            Integer hnswEf, boolean exact, boolean indexedOnly, WithPayload withPayload, boolean withVector) {
        return readPath.searchByExamples(query, k, segmentFilter(filter), hnswEf, exact, indexedOnly, withPayload,
                withVector);
    }

    /** The point with this id, or null. */
    public Record retrieve(PointId id, WithPayload withPayload, boolean withVector) {
        return readPath.retrieve(id, withPayload, withVector);
    }

    /** Up to {@code limit} matching points with id >= {@code from}, ascending. */
    public List<Record> scroll(PointId from, int limit, Filter filter, WithPayload withPayload, boolean withVector) {
        return readPath.scroll(from, limit, segmentFilter(filter), withPayload, withVector);
    }

    /**
     * This shard's first {@code limit} (value, point) pairs in {@code orderBy}'s order from the range index on
     * {@code field} (a {@code payload_schema} field), plus every other pair of the last value taken, of the points
     * passing {@code filter}; null when a segment has no such index. See {@link io.quiver.engine.OrderedScroll}.
     */
    public List<io.quiver.engine.OrderedScroll.OrderedId> orderedTop(String field, io.quiver.engine.OrderBy orderBy,
            Filter filter, int limit) {
        return readPath.orderedTop(field, orderBy, segmentFilter(filter), limit);
    }

    /**
     * Up to {@code wanted} distinct points drawn uniformly at random from this shard's live points: slots (segment,
     * ordinal) are drawn uniformly and a slot counts when it holds its point's live version (every live point has
     * exactly one), so each pick is uniform; after {@code maxDraws} draws (many slots hold old versions or deleted
     * points) fewer may come back.
     */
    public List<PointId> randomLive(int wanted, java.util.random.RandomGenerator random, int maxDraws) {
        return readPath.randomLive(wanted, random, maxDraws);
    }

    /** Exact number of (matching) points. */
    public long count(Filter filter) {
        return readPath.count(segmentFilter(filter));
    }

    /**
     * Makes every segment's payload indexes equal to the collection's {@code payload_schema} (field → schema),
     * building missing ones from the payloads; later segments get them too. Runs on the update worker, so it is
     * ordered with the writes; returns when done.
     */
    public void syncPayloadSchema(Map<String, io.quiver.engine.index.PayloadFieldSchema> schema) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        checkUsable();
        worker.enqueue(() -> {
            lock.writeLock().lock();
            try {
                segments.setPayloadSchema(schema);
                for (Segment seg : segments.list()) {
                    seg.payloadIndexes().syncWith(segments.payloadSchema(), new SegmentView(seg, tracker));
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                lock.writeLock().unlock();
            }
        });
        done.join();
    }

    /**
     * Creates ({@code fieldSchemaJsonOrNull} given) or drops the payload index of {@code field} as an operation of its
     * own: logged to the WAL with the next operation id (see {@link Operation.PayloadIndex}), then the segments'
     * indexes follow {@code schema} (the collection's payload_schema, already persisted with the change), as
     * {@link #syncPayloadSchema} does. Runs on the update worker, ordered with the writes; the future completes with
     * the operation id once the indexes are built and the record reached {@code durability}.
     */
    public CompletableFuture<Long> changePayloadIndex(Map<String, io.quiver.engine.index.PayloadFieldSchema> schema,
            String field, byte[] fieldSchemaJsonOrNull, Durability durability) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        checkUsable();
        Operation op = new Operation.PayloadIndex(field, fieldSchemaJsonOrNull);
        worker.enqueue(() -> {
            if (failure != null) {
                done.completeExceptionally(new StorageException("shard " + shardId + " has failed: " + failure));
                return;
            }
            Logged logged = log(op, durability, done);
            if (logged == null) {
                return;
            }
            lock.writeLock().lock();
            try {
                appliedLsn = logged.lsn();
                segments.setPayloadSchema(schema);
                for (Segment seg : segments.list()) {
                    seg.payloadIndexes().syncWith(segments.payloadSchema(), new SegmentView(seg, tracker));
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return;
            } finally {
                lock.writeLock().unlock();
            }
            completeWhenWritten(logged, done);
        });
        return done;
    }

    /** {@code payload_schema} entries of this shard: field → schema and the number of points with an indexed value. */
    public Map<String, io.quiver.engine.index.PayloadIndexInfo> payloadIndexInfo() {
        lock.readLock().lock();
        try {
            Map<String, io.quiver.engine.index.PayloadIndexInfo> out = new java.util.LinkedHashMap<>();
            for (Segment seg : segments.list()) {
                seg.payloadIndexes().info().forEach((f, i) -> out.merge(f, i,
                        io.quiver.engine.index.PayloadIndexInfo::plus));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Point, segment and index statistics of this shard. */
    public record Stats(long points, long indexedVectors, int segments, boolean indexing, String failureOrNull) {}

    public Stats stats() {
        lock.readLock().lock();
        try {
            long indexed = 0;
            for (Segment seg : segments.list()) {
                if (seg.index() != null) {
                    indexed += seg.liveVectorCount();
                }
            }
            String f = failure != null ? failure : optimizer.error();
            return new Stats(tracker.size(), indexed, segments.list().size(), optimizer.isBusy(), f);
        } finally {
            lock.readLock().unlock();
        }
    }

    public long appliedLsn() {
        return appliedLsn;
    }

    public long flushedLsn() {
        return checkpoints.flushedLsn();
    }

    /** Highest LSN in the WAL. */
    public long lastLsn() {
        return wal.lastLsn();
    }

    /**
     * The operation id of the last operation this shard logged, or the highest id it recovered (from its checkpoint,
     * its segments' point versions and its WAL); 0 when it holds none.
     */
    public long lastOperationId() {
        return lastOperationId;
    }

    /** fsyncs of this shard's WAL since open (diagnostics: concurrent wait=true writers share them). */
    public long walFsyncCount() {
        return wal.fsyncCount();
    }

    // ---------------------------------------------------------------- optimizations (ShardOptimizer)

    /**
     * Sets max_optimization_threads (0 disables index builds, merges and vacuums; they stay pending) and starts what
     * is due under the new limit.
     */
    public void setOptimizerLimit(int maxOptimizationThreads) {
        optimizer.setLimit(maxOptimizationThreads);
    }

    /**
     * True when optimizations are due but none is queued or running (max_optimization_threads is 0): a sealed
     * segment without an index, or a merge or vacuum the policy asks for. The collection then reports grey.
     */
    public boolean optimizationsPending() {
        return optimizer.pending();
    }

    /** True while an index build is queued or running. */
    public boolean isIndexing() {
        return optimizer.isBusy();
    }

    /** Waits until no index build is queued or running (for tests, benchmarks and a clean close). */
    public void awaitIndexing() {
        optimizer.awaitIdle();
    }

    // ---------------------------------------------------------------- checkpoint

    /**
     * Checkpoint: captures the segments' state on the worker (between two operations), persists the changed
     * segments (vectors fsync, then points.bin), writes shard_state.json, then truncates the WAL before it.
     */
    public void flush() {
        synchronized (flushLock) {
            if (closed || failure != null) {
                return;
            }
            checkpoints.write(captureOnWorker());
        }
    }

    /** Captures the checkpoint's content on the update worker, between two operations. */
    private ShardCheckpointWriter.Capture captureOnWorker() {
        CompletableFuture<ShardCheckpointWriter.Capture> cap = new CompletableFuture<>();
        worker.enqueue(() -> {
            try {
                cap.complete(checkpoints.capture(appliedLsn, lastOperationId));
            } catch (Throwable t) {
                cap.completeExceptionally(t);
            }
        });
        return cap.join();
    }

    /**
     * Takes a checkpoint now and, while it stays the latest one (no other checkpoint runs, so none of its files
     * changes or is deleted), hands it to {@code reader}: a snapshot copies its files. Writes go on meanwhile; every
     * write acknowledged before this call is in the checkpoint.
     */
    public <T> T readCheckpoint(ShardCheckpoint.Reader<T> reader) throws IOException {
        return readCheckpoint(reader, () -> { });
    }

    /**
     * {@link #readCheckpoint(ShardCheckpoint.Reader)}, calling {@code onCaptured} once the checkpoint is captured
     * (every operation submitted before the call is in it, none submitted after the callback returns), before its
     * files are read: a caller that stops new submissions until then knows exactly what the checkpoint holds.
     */
    public <T> T readCheckpoint(ShardCheckpoint.Reader<T> reader, Runnable onCaptured) throws IOException {
        synchronized (flushLock) {
            checkUsable();
            ShardCheckpointWriter.Capture c = captureOnWorker();
            onCaptured.run();
            checkpoints.write(c);
            return reader.read(new ShardCheckpoint(shardId, dir, c.lsn(), c.segmentIds(), wal));
        }
    }

    /** Size of one segment: vectors stored, live (not deleted) points, sealed, indexed. */
    public record SegmentInfo(int vectors, int live, boolean sealed, boolean indexed) {}

    /** The current segments' sizes (diagnostics and optimizer tests). */
    public List<SegmentInfo> segmentInfos() {
        lock.readLock().lock();
        try {
            List<SegmentInfo> out = new ArrayList<>();
            for (Segment seg : segments.list()) {
                out.add(new SegmentInfo(seg.count(), seg.liveCount(), seg.isSealed(), seg.index() != null));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Drains the queue, checkpoints, stops index builds (waits for a running one) and releases every file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("final checkpoint of shard {} failed; the WAL replay covers it", shardId, e);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        synchronized (flushLock) {
            closed = true;
        }
        worker.close();
        while (optimizer.isBusy()) { // queued builds see `closed` and return at once
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (flushLock) {
            lock.writeLock().lock();
            try {
                for (Segment seg : segments.list()) {
                    seg.close();
                }
                if (wal != null) {
                    wal.close();
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
