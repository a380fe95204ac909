package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.shard.PayloadJson;
import io.quiver.engine.shard.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * One collection: its config ({@code config.json}) and its shards ({@code <shard_id>/}), all local. Routes each point
 * to a shard by a stable hash of its id, fans reads out to every shard and merges them. Obtained from {@link Quiver};
 * closed by it.
 *
 * <p>Threadsafe: any number of threads may write and read at once; each shard orders its writes through its single
 * update worker.
 */
public final class Collection {
    static final String CONFIG_FILE = "config.json";
    private static final int CONFIG_FORMAT_VERSION = 1;

    private final String name;
    private final Path dir;
    private final CollectionShards shards;
    private final CollectionWriter writer;
    private final CollectionReader reader;
    private final Object configLock = new Object();
    private volatile CollectionConfig config;
    private volatile ObjectNode payloadSchema;
    private volatile long lastFlushNanos = System.nanoTime();

    private Collection(String name, Path dir, CollectionConfig config, ObjectNode payloadSchema, EngineOptions options,
            ExecutorService indexExecutor) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.payloadSchema = payloadSchema;
        repairShardRecovery(dir);
        this.shards = new CollectionShards(name, dir, config, options, indexExecutor);
        this.writer = new CollectionWriter(shards, () -> this.config);
        this.reader = new CollectionReader(shards, () -> this.config);
        try {
            syncPayloadSchema(payloadSchema);
        } catch (RuntimeException e) {
            shards.close();
            throw e;
        }
    }

    /** The persisted payload_schema as field → schema (also reads the older {"data_type", "params"} entries). */
    private static Map<String, io.quiver.engine.index.PayloadFieldSchema> parseSchema(ObjectNode schema) {
        Map<String, io.quiver.engine.index.PayloadFieldSchema> out = new LinkedHashMap<>();
        schema.properties().forEach(e -> {
            JsonNode n = e.getValue();
            JsonNode fieldSchema = n.has("data_type") ? (n.has("params") ? n.get("params") : n.get("data_type")) : n;
            out.put(e.getKey(), io.quiver.engine.index.PayloadFieldSchema.parse(fieldSchema));
        });
        return out;
    }

    private void syncPayloadSchema(ObjectNode schema) {
        shards.syncPayloadSchema(parseSchema(schema));
    }

    static Collection create(String name, Path dir, CollectionConfig config, EngineOptions options,
            ExecutorService indexExecutor) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create " + dir, e);
        }
        ObjectNode schema = PayloadJson.MAPPER.createObjectNode();
        writeConfig(dir, config, schema);
        return new Collection(name, dir, config, schema, options, indexExecutor);
    }

    static Collection open(String name, Path dir, EngineOptions options, ExecutorService indexExecutor) {
        JsonNode n;
        try {
            n = PayloadJson.MAPPER.readTree(Files.readAllBytes(dir.resolve(CONFIG_FILE)));
        } catch (IOException e) {
            throw new StorageException("cannot read " + dir.resolve(CONFIG_FILE), e);
        }
        if (n.path("format_version").asInt() != CONFIG_FORMAT_VERSION) {
            throw new StorageException("unsupported config format in " + dir.resolve(CONFIG_FILE));
        }
        CollectionConfig config = CollectionConfig.fromJson(n.get("config"));
        ObjectNode schema = n.get("payload_schema") instanceof ObjectNode o ? o
                : PayloadJson.MAPPER.createObjectNode();
        return new Collection(name, dir, config, schema, options, indexExecutor);
    }

    private static void writeConfig(Path dir, CollectionConfig config, ObjectNode schema) {
        ObjectNode root = PayloadJson.MAPPER.createObjectNode();
        root.put("format_version", CONFIG_FORMAT_VERSION);
        root.set("config", config.toJson());
        root.set("payload_schema", schema);
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        try {
            Files.write(tmp, PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(CONFIG_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            io.quiver.engine.segment.PointsFile.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new StorageException("cannot write " + dir.resolve(CONFIG_FILE), e);
        }
    }

    public String name() {
        return name;
    }

    public CollectionConfig config() {
        return config;
    }

    /** Applies Qdrant's PATCH body; persisted; new thresholds apply to later seals and searches. */
    public void updateConfig(JsonNode patchBody) {
        synchronized (configLock) {
            CollectionConfig next = config.applyUpdate(patchBody);
            writeConfig(dir, next, payloadSchema);
            config = next;
            shards.applyConfig(next);
        }
    }

    // ---------------------------------------------------------------- writes

    /** Inserts or replaces points (vector and payload). BadRequest on a wrong dimension or a non-finite value. */
    public UpdateResult upsert(List<Point> points, boolean wait) {
        return writer.upsert(points, wait);
    }

    /** Deletes points; missing ids are ignored. */
    public UpdateResult delete(PointsSelector selector, boolean wait) {
        return writer.delete(selector, wait);
    }

    /** Merges {@code payload} into each selected point's payload (into the object at {@code keyOrNull} if given). */
    public UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait) {
        return writer.setPayload(selector, payload, keyOrNull, wait);
    }

    /** Replaces each selected point's payload. */
    public UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait) {
        return writer.overwritePayload(selector, payload, wait);
    }

    /** Removes keys (top-level names or dotted paths) from each selected point's payload. */
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
     * payload_schema and built in every segment from its payloads before this returns (so {@code wait} only
     * changes the reported status). Indexes change speed, never results.
     */
    public UpdateResult createPayloadIndex(String field, JsonNode fieldSchema, boolean wait) {
        if (field == null || field.isBlank()) {
            throw new BadRequestException("field_name must not be empty");
        }
        io.quiver.engine.index.PayloadFieldSchema parsed = io.quiver.engine.index.PayloadFieldSchema.parse(fieldSchema);
        io.quiver.engine.filter.JsonPath.parse(field); // BadRequest for an invalid key path
        synchronized (configLock) {
            ObjectNode next = payloadSchema.deepCopy();
            next.set(field, parsed.toJson());
            parseSchema(next);
            writeConfig(dir, config, next);
            payloadSchema = next;
            syncPayloadSchema(next);
        }
        return new UpdateResult(writer.lastOperationId(), wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /** Drops the payload index of {@code field} (persisted); nothing happens when there is none. */
    public UpdateResult deletePayloadIndex(String field, boolean wait) {
        synchronized (configLock) {
            ObjectNode next = payloadSchema.deepCopy();
            next.remove(field);
            writeConfig(dir, config, next);
            payloadSchema = next;
            syncPayloadSchema(next);
        }
        return new UpdateResult(writer.lastOperationId(), wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /** payload_schema as Qdrant reports it: per indexed field its type, params and the number of indexed points. */
    private ObjectNode payloadSchemaInfo() {
        Map<String, io.quiver.engine.index.PayloadIndexInfo> sum = new LinkedHashMap<>();
        for (Shard s : shards.all()) {
            s.payloadIndexInfo().forEach((f, i) -> sum.merge(f, i, io.quiver.engine.index.PayloadIndexInfo::plus));
        }
        ObjectNode out = PayloadJson.MAPPER.createObjectNode();
        parseSchema(payloadSchema).forEach((field, schema) -> {
            String key = io.quiver.engine.filter.JsonPath.parse(field).toString();
            io.quiver.engine.index.PayloadIndexInfo info = sum.getOrDefault(key, sum.get(field));
            out.set(field, (info != null ? info : new io.quiver.engine.index.PayloadIndexInfo(schema, 0)).toJson());
        });
        return out;
    }

    // ---------------------------------------------------------------- reads

    /** The points with these ids, in request order; missing ids are skipped. */
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        return reader.retrieve(ids, withPayload, withVector);
    }

    /** One point with payload and vector; NotFound when absent. */
    public Record retrieve(PointId id) {
        return reader.retrieve(id);
    }

    /** A page of points by ascending id from the request's offset, and the id where the next page starts. */
    public ScrollResult scroll(ScrollRequest request) {
        return reader.scroll(request);
    }

    /** Exact number of points (matching the filter when given). */
    public long count(Filter filterOrNull) {
        return reader.count(filterOrNull);
    }

    /** Top-k by the collection's distance across every segment and shard; superseded versions never appear. */
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
        return new CollectionInfo(status, error, points, indexed, segments, config, payloadSchemaInfo());
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
                : config.optimizers().flushIntervalSec() * 1_000_000_000L;
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
        return snapshotStore(snapshotsDir).create(out -> writeSnapshot(out, includeWal, null));
    }

    /** Snapshot of one shard (same archive format, one shard) under {@code <snapshotsDir>/<name>/shards/<id>/}. */
    public SnapshotDescription createShardSnapshot(Path snapshotsDir, int shardId, boolean includeWal) {
        shards.check(shardId);
        return shardSnapshotStore(snapshotsDir, shardId).create(out -> writeSnapshot(out, includeWal, shardId));
    }

    private void writeSnapshot(java.io.OutputStream out, boolean includeWal, Integer onlyShardOrNull)
            throws IOException {
        byte[] configJson;
        synchronized (configLock) {
            configJson = Files.readAllBytes(dir.resolve(CONFIG_FILE));
        }
        try (var w = new io.quiver.engine.snapshot.SnapshotArchive.Writer(out, name)) {
            w.writeConfig(configJson);
            for (Shard s : shards.all()) {
                if (onlyShardOrNull == null || onlyShardOrNull == s.shardId()) {
                    s.readCheckpoint(cp -> w.writeShard(cp, includeWal));
                }
            }
            w.finish();
        }
    }

    /**
     * This collection's {@code config.json} as an archive holds it, with {@code asConfig} in place of its own config
     * (the payload schema kept): a cluster node composes its snapshot of a collection from single-shard replicas.
     */
    public byte[] snapshotConfigJson(CollectionConfig asConfig) {
        ObjectNode root = PayloadJson.MAPPER.createObjectNode();
        root.put("format_version", CONFIG_FORMAT_VERSION);
        root.set("config", asConfig.toJson());
        root.set("payload_schema", payloadSchema.deepCopy());
        try {
            return PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new StorageException("cannot encode the config of " + name, e);
        }
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
        shards.check(shardId);
        return shards.get(shardId).readCheckpoint(cp -> writer.writeShard(cp, asShardId, includeWal), onCaptured);
    }

    /** The complete snapshots of one shard, by name. */
    public List<SnapshotDescription> listShardSnapshots(Path snapshotsDir, int shardId) {
        shards.check(shardId);
        return shardSnapshotStore(snapshotsDir, shardId).list();
    }

    /** A shard snapshot file; NotFound when absent, BadRequest for a name with a path separator. */
    public Path shardSnapshotFile(Path snapshotsDir, int shardId, String snapshotName) {
        shards.check(shardId);
        return shardSnapshotStore(snapshotsDir, shardId).file(snapshotName);
    }

    /** Deletes a shard snapshot; false when absent. */
    public boolean deleteShardSnapshot(Path snapshotsDir, int shardId, String snapshotName) {
        shards.check(shardId);
        return shardSnapshotStore(snapshotsDir, shardId).delete(snapshotName);
    }

    private io.quiver.engine.snapshot.SnapshotStore shardSnapshotStore(Path snapshotsDir, int shardId) {
        return new io.quiver.engine.snapshot.SnapshotStore(snapshotsDir.resolve(name).resolve("shards")
                .resolve(Integer.toString(shardId)), name + "-shard-" + shardId);
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
        shards.check(shardId);
        Path work = dir.resolve(".shard-recovery");
        io.quiver.engine.snapshot.SnapshotSource.Local local = io.quiver.engine.snapshot.SnapshotSource.fetch(
                location, (snapshotsDir != null ? snapshotsDir : work).resolve(".downloads"));
        Path staging = work.resolve("staging-" + java.util.UUID.randomUUID());
        try {
            if (expectedSha256OrNull != null && !expectedSha256OrNull.isBlank()) {
                String actual = io.quiver.engine.snapshot.SnapshotStore.sha256Hex(local.file());
                if (!actual.equalsIgnoreCase(expectedSha256OrNull.trim())) {
                    throw new BadRequestException("Snapshot checksum mismatch: expected " + expectedSha256OrNull
                            + ", got " + actual);
                }
            }
            CollectionConfig current = config;
            var extracted = io.quiver.engine.snapshot.SnapshotArchive.extract(local.file(), staging, configJson -> {
                CollectionConfig theirs = CollectionConfig.fromJson(configJson.get("config"));
                if (theirs.vectors().size() != current.vectors().size()
                        || theirs.vectors().distance() != current.vectors().distance()) {
                    throw new BadRequestException("the snapshot's vectors (" + theirs.vectors().size() + ", "
                            + theirs.vectors().distance() + ") do not match collection " + name);
                }
                return shards.walConfig(current);
            });
            int source;
            if (archiveShardId >= 0) {
                if (extracted.shards().stream().noneMatch(p -> p.shardId() == archiveShardId)) {
                    throw new BadRequestException("the snapshot holds no shard " + archiveShardId);
                }
                source = archiveShardId;
            } else if (extracted.shards().size() != 1) {
                throw new BadRequestException("a shard snapshot holds exactly one shard, this one holds "
                        + extracted.shards().size());
            } else {
                source = extracted.shards().getFirst().shardId();
            }
            swapShard(shardId, staging.resolve(Integer.toString(source)), work);
        } finally {
            deleteQuietly(staging);
            if (local.temporary()) {
                deleteQuietly(local.file());
            }
        }
    }

    private void swapShard(int shardId, Path newShardDir, Path work) {
        synchronized (configLock) {
            Path target = dir.resolve(Integer.toString(shardId));
            Path aside = work.resolve("replaced-" + java.util.UUID.randomUUID() + "-" + shardId);
            Shard old = shards.get(shardId);
            old.close();
            try {
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                Files.move(newShardDir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new StorageException("cannot swap shard " + shardId + " of " + name + ": " + e, e);
            }
            Shard fresh;
            try {
                fresh = shards.open(shardId, config);
                fresh.syncPayloadSchema(parseSchema(payloadSchema));
            } catch (RuntimeException e) {
                deleteQuietly(target);
                try {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException io) {
                    throw new StorageException("cannot restore shard " + shardId + " of " + name, io);
                }
                shards.replace(shardId, shards.open(shardId, config));
                shards.get(shardId).syncPayloadSchema(parseSchema(payloadSchema));
                throw new BadRequestException("the shard snapshot cannot be opened: " + e.getMessage());
            }
            shards.replace(shardId, fresh);
            writer.raiseOperationIds(fresh.lastLsn());
            deleteQuietly(aside);
        }
    }

    /**
     * After a crash during {@link #recoverShardSnapshot}: a shard directory moved aside
     * ({@code .shard-recovery/replaced-<uuid>-<id>}) whose place stayed empty is put back; the rest is dropped.
     */
    private static void repairShardRecovery(Path dir) {
        Path work = dir.resolve(".shard-recovery");
        if (!Files.isDirectory(work)) {
            return;
        }
        try (var children = Files.list(work)) {
            for (Path p : children.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("replaced-") && f.length() > "replaced-".length() + 37) {
                    Path target = dir.resolve(f.substring("replaced-".length() + 37));
                    if (!Files.exists(target)) {
                        Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                        continue;
                    }
                }
                deleteQuietly(p);
            }
        } catch (IOException e) {
            throw new StorageException("cannot repair an interrupted shard recovery in " + work, e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Collection.class).warn("cannot delete {}", p, e);
        }
    }

    /** The complete snapshots of this collection, by name. */
    public List<SnapshotDescription> listSnapshots(Path snapshotsDir) {
        return snapshotStore(snapshotsDir).list();
    }

    /** Deletes a snapshot and its checksum file; false when absent. BadRequest for a name with a path separator. */
    public boolean deleteSnapshot(Path snapshotsDir, String snapshotName) {
        return snapshotStore(snapshotsDir).delete(snapshotName);
    }

    /** The snapshot file to download; NotFound when absent, BadRequest for a name with a path separator. */
    public Path snapshotFile(Path snapshotsDir, String snapshotName) {
        return snapshotStore(snapshotsDir).file(snapshotName);
    }

    private io.quiver.engine.snapshot.SnapshotStore snapshotStore(Path snapshotsDir) {
        return new io.quiver.engine.snapshot.SnapshotStore(snapshotsDir.resolve(name), name);
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
