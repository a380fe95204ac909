package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.shard.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * One collection: its config ({@code config.json}, {@link CollectionConfigStore}) and its shards
 * ({@code <shard_id>/}, {@link CollectionShards}), all local, and the public face of its parts: writes are split by
 * shard ({@link CollectionWriter}), reads fan out to every shard and are merged ({@link CollectionReader}), snapshots
 * ({@link CollectionSnapshots}) and shard recovery ({@link ShardSnapshotRecovery}). Obtained from {@link Quiver};
 * closed by it.
 *
 * <p>Threadsafe: any number of threads may write and read at once; each shard orders its writes through its single
 * update worker.
 */
public final class Collection implements PointReads {
    private final String name;
    private final Path dir;
    private final CollectionShards shards;
    private final CollectionConfigStore configStore;
    private final CollectionWriter writer;
    private final CollectionReader reader;
    private final CollectionSnapshots snapshots;
    private final ShardSnapshotRecovery shardRecovery;
    private volatile long lastFlushNanos = System.nanoTime();

    private Collection(String name, Path dir, CollectionConfigStore.Contents stored, EngineOptions options,
            ExecutorService indexExecutor) {
        this.name = name;
        this.dir = dir;
        ShardSnapshotRecovery.repairInterrupted(dir);
        this.shards = new CollectionShards(name, dir, stored.config(), options, indexExecutor);
        this.configStore = new CollectionConfigStore(dir, stored, shards);
        this.writer = new CollectionWriter(shards, configStore::config);
        this.reader = new CollectionReader(shards, configStore::config);
        this.snapshots = new CollectionSnapshots(name, shards, configStore);
        this.shardRecovery = new ShardSnapshotRecovery(name, dir, shards, configStore);
        try {
            shards.syncPayloadSchema(configStore.payloadFieldSchemas());
        } catch (RuntimeException e) {
            shards.close();
            throw e;
        }
    }

    static Collection create(String name, Path dir, CollectionConfig config, EngineOptions options,
            ExecutorService indexExecutor) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create " + dir, e);
        }
        return new Collection(name, dir, CollectionConfigStore.create(dir, config), options, indexExecutor);
    }

    static Collection open(String name, Path dir, EngineOptions options, ExecutorService indexExecutor) {
        return new Collection(name, dir, CollectionConfigStore.read(dir), options, indexExecutor);
    }

    /** Every shard, by shard id (for reads that walk the shards' indexes, such as {@link OrderedScroll}). */
    List<io.quiver.engine.shard.Shard> shardList() {
        return shards.all();
    }

    public String name() {
        return name;
    }

    public CollectionConfig config() {
        return configStore.config();
    }

    /** Applies Qdrant's PATCH body; persisted; new thresholds apply to later seals and searches. */
    public void updateConfig(JsonNode patchBody) {
        configStore.updateConfig(patchBody);
    }

    // ---------------------------------------------------------------- writes

    /**
     * Inserts or replaces points (vector and payload). BadRequest on a wrong dimension or a non-finite value. A point
     * whose vector is null is stored without a vector (Qdrant's {@code "vector": {}}), as after
     * {@link #deleteVectors}.
     */
    public UpdateResult upsert(List<Point> points, boolean wait) {
        return writer.upsert(points, wait);
    }

    /**
     * Qdrant's UpdateVectors: gives each point its new vector and keeps its payload (a later entry for the same id
     * wins). Everything is checked before anything is applied: an empty list is a Validation error, a wrong
     * dimension or non-finite value a BadRequest, a point that does not exist a NotFound ("No point with id … found");
     * each changes nothing. Each updated point's version is the operation's id, as for any write.
     */
    public UpdateResult updateVectors(List<PointVectors> points, boolean wait) {
        return writer.updateVectors(points, wait);
    }

    /**
     * Qdrant's DeleteVectors: removes the named vectors ({@code ""} is the collection's one, unnamed vector) from the
     * selected points, which keep their payload and stay retrievable and countable but are no longer found by vector
     * search ({@code with_vector} shows them without a vector); missing ids are ignored. An empty name list is a
     * Validation error, an unknown name a BadRequest ("Not existing vector name error: NAME"), checked before
     * anything is applied.
     */
    public UpdateResult deleteVectors(PointsSelector selector, List<String> vectorNames, boolean wait) {
        return writer.deleteVectors(selector, vectorNames, wait);
    }

    /** Deletes points; missing ids are ignored. */
    public UpdateResult delete(PointsSelector selector, boolean wait) {
        return writer.delete(selector, wait);
    }

    /**
     * Merges {@code payload} into each selected point's payload, or into every object the key path {@code keyOrNull}
     * reaches ({@code a.b}, {@code arr[]}, {@code arr[0]}; see {@code JsonPath#setIn}). BadRequest for a key that
     * does not parse.
     */
    public UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait) {
        return writer.setPayload(selector, payload, keyOrNull, wait);
    }

    /** Replaces each selected point's payload. */
    public UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait) {
        return writer.overwritePayload(selector, payload, wait);
    }

    /**
     * Removes what each key path reaches ({@code a}, {@code a.b}, {@code arr[].a}; see {@code JsonPath#removeFrom})
     * from each selected point's payload. BadRequest for a key that does not parse.
     */
    public UpdateResult deletePayloadKeys(PointsSelector selector, List<String> keys, boolean wait) {
        return writer.deletePayloadKeys(selector, keys, wait);
    }

    /** Empties each selected point's payload. */
    public UpdateResult clearPayload(PointsSelector selector, boolean wait) {
        return writer.clearPayload(selector, wait);
    }

    /**
     * Creates (or replaces) the payload index of {@code field} ({@code field_schema}: a type name or an object, see
     * {@link io.quiver.engine.index.PayloadFieldSchema}; BadRequest when invalid): persisted in config.json's
     * payload_schema, logged in every shard's WAL as an operation with its own id (as Qdrant's field index
     * operations are; the result carries the largest of the shards' ids) and built in every segment from its
     * payloads before this returns ({@code wait} makes the WAL records durable too). Indexes change speed, never
     * results.
     */
    public UpdateResult createPayloadIndex(String field, JsonNode fieldSchema, boolean wait) {
        JsonText.requireWellFormed(field, "field_name"); // it is written to config.json and the WAL
        long opId = configStore.createPayloadIndex(field, fieldSchema, durability(wait));
        return new UpdateResult(opId, wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /**
     * Drops the payload index of {@code field} (persisted), as an operation with its own id like
     * {@link #createPayloadIndex}; no index changes when there is none.
     */
    public UpdateResult deletePayloadIndex(String field, boolean wait) {
        long opId = configStore.deletePayloadIndex(field, durability(wait));
        return new UpdateResult(opId, wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    private static io.quiver.wal.Durability durability(boolean wait) {
        return wait ? io.quiver.wal.Durability.DURABLE : io.quiver.wal.Durability.WRITTEN;
    }

    // ---------------------------------------------------------------- reads

    /** The points with these ids, in request order; missing ids are skipped. */
    @Override
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        return reader.retrieve(ids, withPayload, withVector);
    }

    /** One point with payload and vector; NotFound when absent. */
    public Record retrieve(PointId id) {
        return reader.retrieve(id);
    }

    /** A page of points by ascending id from the request's offset, and the id where the next page starts. */
    @Override
    public ScrollResult scroll(ScrollRequest request) {
        return reader.scroll(request);
    }

    /** Exact number of points (matching the filter when given). */
    public long count(Filter filterOrNull) {
        return reader.count(filterOrNull);
    }

    /**
     * Top-k across every segment and shard, by the collection's distance to the request's vector or by its example
     * query's score; superseded versions never appear.
     */
    public List<ScoredPoint> search(SearchRequest request) {
        return reader.search(request);
    }

    /** Status, counts, config and payload schema, as Qdrant reports them. */
    public CollectionInfo info() {
        long points = 0;
        long indexed = 0;
        int segments = 0;
        boolean indexing = false;
        String error = null;
        boolean failed = false;
        for (Shard s : shards.all()) {
            Shard.Stats st = s.stats();
            points += st.points();
            indexed += st.indexedVectors();
            segments += st.segments();
            indexing |= st.indexing();
            if (st.failureOrNull() != null) {
                error = st.failureOrNull();
                failed = true;
            }
        }
        boolean pending = false;
        for (Shard s : shards.all()) {
            pending |= !indexing && s.optimizationsPending();
        }
        CollectionStatus status = failed ? CollectionStatus.RED
                : indexing ? CollectionStatus.YELLOW : pending ? CollectionStatus.GREY : CollectionStatus.GREEN;
        return new CollectionInfo(status, error, points, indexed, segments, configStore.config(),
                configStore.payloadSchemaInfo());
    }

    // ---------------------------------------------------------------- maintenance

    /** Checkpoints every shard now: segments persisted, WAL prefix truncated. */
    public void flush() {
        for (Shard s : shards.all()) {
            s.flush();
        }
        lastFlushNanos = System.nanoTime();
    }

    void flushIfDue(long nowNanos, java.time.Duration overrideOrNull) {
        long intervalNanos = overrideOrNull != null ? overrideOrNull.toNanos()
                : configStore.config().optimizers().flushIntervalSec() * 1_000_000_000L;
        if (nowNanos - lastFlushNanos >= intervalNanos) {
            flush();
        }
    }

    // ---------------------------------------------------------------- snapshots (format: snapshot.SnapshotArchive)

    /** Takes a snapshot with the WAL tail; see {@link #createSnapshot(Path, boolean)}. */
    public SnapshotDescription createSnapshot(Path snapshotsDir) {
        return createSnapshot(snapshotsDir, true);
    }

    /**
     * Writes a consistent snapshot of the whole collection to {@code <snapshotsDir>/<name>/<name>-<n>-<time>.snapshot}
     * (+ {@code .checksum}): the config, and per shard a fresh checkpoint's segment files and (when
     * {@code includeWal}; a Listener leaves it out) the WAL records written after that checkpoint. Every write
     * acknowledged before the call is in it. Writes go on meanwhile (each shard pauses only to capture its checkpoint).
     */
    public SnapshotDescription createSnapshot(Path snapshotsDir, boolean includeWal) {
        return snapshots.create(snapshotsDir, includeWal);
    }

    /** Snapshot of one shard (same archive format, one shard) under {@code <snapshotsDir>/<name>/shards/<id>/}. */
    public SnapshotDescription createShardSnapshot(Path snapshotsDir, int shardId, boolean includeWal) {
        return snapshots.createOfShard(snapshotsDir, shardId, includeWal);
    }

    /**
     * This collection's {@code config.json} as an archive holds it, with {@code asConfig} in place of its own config
     * (the payload schema kept): a cluster node composes its snapshot of a collection from single-shard replicas.
     */
    public byte[] snapshotConfigJson(CollectionConfig asConfig) {
        return snapshots.configJson(asConfig);
    }

    /**
     * Writes a fresh checkpoint of local shard {@code shardId} into an archive that another owner writes, as shard
     * {@code asShardId} (see {@link #snapshotConfigJson}); with {@code includeWal}, the WAL records after it too.
     * Every write acknowledged before the call is in it (the checkpoint is captured by the shard's update worker).
     */
    public io.quiver.engine.snapshot.SnapshotArchive.ShardPart writeShardSnapshot(
            io.quiver.engine.snapshot.SnapshotArchive.Writer writer, int shardId, int asShardId, boolean includeWal)
            throws IOException {
        return writeShardSnapshot(writer, shardId, asShardId, includeWal, () -> { });
    }

    /**
     * {@link #writeShardSnapshot(io.quiver.engine.snapshot.SnapshotArchive.Writer, int, int, boolean)}, calling
     * {@code onCaptured} once the checkpoint is captured: without the WAL, the archive then holds exactly the writes
     * submitted before that moment (a shard transfer by snapshot queues the later ones).
     */
    public io.quiver.engine.snapshot.SnapshotArchive.ShardPart writeShardSnapshot(
            io.quiver.engine.snapshot.SnapshotArchive.Writer writer, int shardId, int asShardId, boolean includeWal,
            Runnable onCaptured) throws IOException {
        return snapshots.writeShard(writer, shardId, asShardId, includeWal, onCaptured);
    }

    /** The complete snapshots of one shard, by name. */
    public List<SnapshotDescription> listShardSnapshots(Path snapshotsDir, int shardId) {
        return snapshots.shardStore(snapshotsDir, shardId).list();
    }

    /** A shard snapshot file; NotFound when absent, BadRequest for a name with a path separator. */
    public Path shardSnapshotFile(Path snapshotsDir, int shardId, String snapshotName) {
        return snapshots.shardStore(snapshotsDir, shardId).file(snapshotName);
    }

    /** Deletes a shard snapshot; false when absent. */
    public boolean deleteShardSnapshot(Path snapshotsDir, int shardId, String snapshotName) {
        return snapshots.shardStore(snapshotsDir, shardId).delete(snapshotName);
    }

    /**
     * Replaces the data of local shard {@code shardId} by a snapshot holding exactly one shard (a shard snapshot, or a
     * collection snapshot of a one-shard collection) of a collection with the same vector size and distance. Same
     * locations and checks as {@link Quiver#recoverSnapshot}; a mismatch or corrupt archive changes nothing.
     * Operations on that shard that run during the swap fail with a StorageException (shard closed).
     */
    public void recoverShardSnapshot(int shardId, java.net.URI location, String expectedSha256OrNull,
            Path snapshotsDir) {
        recoverShardSnapshot(shardId, location, expectedSha256OrNull, snapshotsDir, -1);
    }

    /**
     * {@link #recoverShardSnapshot(int, java.net.URI, String, Path)} from shard {@code archiveShardId} of an archive
     * that may hold several shards (a cluster node's collection snapshot); {@code -1}: the archive's only shard.
     */
    public void recoverShardSnapshot(int shardId, java.net.URI location, String expectedSha256OrNull,
            Path snapshotsDir, int archiveShardId) {
        shardRecovery.recover(shardId, location, expectedSha256OrNull, snapshotsDir, archiveShardId);
    }

    /** The complete snapshots of this collection, by name. */
    public List<SnapshotDescription> listSnapshots(Path snapshotsDir) {
        return snapshots.store(snapshotsDir).list();
    }

    /** Deletes a snapshot and its checksum file; false when absent. BadRequest for a name with a path separator. */
    public boolean deleteSnapshot(Path snapshotsDir, String snapshotName) {
        return snapshots.store(snapshotsDir).delete(snapshotName);
    }

    /** The snapshot file to download; NotFound when absent, BadRequest for a name with a path separator. */
    public Path snapshotFile(Path snapshotsDir, String snapshotName) {
        return snapshots.store(snapshotsDir).file(snapshotName);
    }

    /** The segments of every shard: vectors, live points, sealed, indexed (diagnostics and optimizer tests). */
    public List<Shard.SegmentInfo> segmentInfos() {
        List<Shard.SegmentInfo> out = new ArrayList<>();
        for (Shard s : shards.all()) {
            out.addAll(s.segmentInfos());
        }
        return out;
    }

    /** Blocks until no segment of this collection waits for or runs an index build. */
    public void awaitIndexing() {
        for (Shard s : shards.all()) {
            s.awaitIndexing();
        }
    }

    /** Number of HNSW graphs this collection built since it was opened (0 after a clean reopen). */
    public long indexBuildCount() {
        return shards.indexBuildCount();
    }

    /** Number of points (exact), as info().pointsCount() without the rest of the info. */
    public long pointsCount() {
        return count(null);
    }

    /** Number of points in one local shard ({@code 0 <= shard < shard_number}). */
    public long shardPointsCount(int shard) {
        shards.check(shard);
        return shards.get(shard).count(null);
    }

    /** fsyncs of the shards' WALs since open (diagnostics: concurrent wait=true writers share them). */
    public long walFsyncCount() {
        long n = 0;
        for (Shard s : shards.all()) {
            n += s.walFsyncCount();
        }
        return n;
    }

    void close() {
        shards.close();
    }

    Path dir() {
        return dir;
    }
}
