package io.quiver.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded database: a storage directory holding collections ({@code collections/<name>/}) and their aliases
 * ({@code aliases.json}, see {@link AliasStore}). {@link #open} recovers every collection (maps segments, replays
 * WALs); a background thread checkpoints each collection every {@code flush_interval_sec}; a small pool builds segment
 * indexes. Close it to checkpoint and release every file.
 *
 * <p>Threadsafe. Creating and deleting collections and changing aliases is serialised (this object's monitor);
 * everything else runs concurrently; readers see the aliases through one immutable {@link Aliases} value.
 */
public final class Quiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Quiver.class);

    private final Path collectionsDir;
    private final AliasStore aliasStore;
    private final EngineOptions options;
    private final ConcurrentHashMap<String, Collection> collections = new ConcurrentHashMap<>();
    private final ExecutorService indexExecutor;
    private final ScheduledExecutorService flusher;
    private volatile boolean closed;
    /** The aliases; replaced whole under this object's monitor, after {@link #aliasStore} holds the new value. */
    private volatile Aliases aliases = Aliases.empty();

    private Quiver(Path storageDir, EngineOptions options) {
        this.collectionsDir = storageDir.resolve("collections");
        this.aliasStore = new AliasStore(storageDir);
        this.options = options;
        AtomicInteger n = new AtomicInteger();
        this.indexExecutor = Executors.newFixedThreadPool(Math.max(1, options.indexBuildConcurrency()),
                r -> Thread.ofPlatform().daemon(true).name("quiver-indexer-" + n.incrementAndGet()).unstarted(r));
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon(true).name("quiver-flusher").unstarted(r));
    }

    /** Opens (creating if needed) a storage directory with default options. */
    public static Quiver open(Path storageDir) {
        return open(storageDir, EngineOptions.defaults());
    }

    /** Opens (creating if needed) a storage directory and recovers every collection in it. */
    public static Quiver open(Path storageDir, EngineOptions options) {
        Quiver q = new Quiver(storageDir, options == null ? EngineOptions.defaults() : options);
        try {
            Files.createDirectories(q.collectionsDir);
            q.cleanUpSnapshotRecovery();
            try (var dirs = Files.list(q.collectionsDir)) {
                for (Path d : dirs.sorted().toList()) {
                    if (Files.isRegularFile(d.resolve(CollectionConfigStore.FILE))) {
                        String name = d.getFileName().toString();
                        q.collections.put(name, openCollection(name, d, q.options, q.indexExecutor));
                    }
                }
            }
            q.aliases = q.loadAliases();
        } catch (IOException | RuntimeException e) {
            q.close();
            if (e instanceof QuiverException qe) {
                throw qe;
            }
            throw new StorageException("cannot open storage " + storageDir + ": " + e, e);
        }
        q.flusher.scheduleWithFixedDelay(q::flushDue, 1, 1, TimeUnit.SECONDS);
        return q;
    }

    /**
     * Opens one collection at start. A collection that cannot be opened stops the whole open, as a broken collection
     * stops Qdrant's start (it panics with "Can't read collection config"); the StorageException names the
     * collection and its directory so the operator can repair or move it.
     */
    private static Collection openCollection(String name, Path dir, EngineOptions options,
            ExecutorService indexExecutor) {
        try {
            return Collection.open(name, dir, options, indexExecutor);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open collection `" + name + "` in " + dir + ": " + describe(e)
                    + " (repair its config.json or move the directory away)", e);
        }
    }

    /** The messages of a failure and its causes, on one line, without the HTTP-facing prefixes. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()
                    .replace("Service internal error: ", "")
                    .replace("Validation error in JSON body: ", "invalid config.json: ")
                    .replace('\n', ' ');
            if (out.indexOf(m) < 0) {
                out.append(out.isEmpty() ? "" : ": ").append(m);
            }
        }
        return out.toString();
    }

    /**
     * The stored aliases, less those whose collection is gone (its directory removed by hand): they are dropped with a
     * warning, as they could resolve to nothing.
     */
    private Aliases loadAliases() {
        Aliases stored = aliasStore.read();
        Aliases kept = stored;
        for (var e : stored.asMap().entrySet()) {
            if (!collections.containsKey(e.getValue())) {
                LOG.warn("alias {} names collection {}, which does not exist: dropped", e.getKey(), e.getValue());
                kept = kept.withoutCollection(e.getValue());
            }
        }
        return kept;
    }

    private void flushDue() {
        long now = System.nanoTime();
        for (Collection c : collections.values()) {
            try {
                c.flushIfDue(now, options.flushIntervalOrNull());
            } catch (RuntimeException e) {
                LOG.error("checkpoint of collection {} failed", c.name(), e);
            }
        }
    }

    /** The options this engine was opened with (its defaults serve create requests). */
    public EngineOptions options() {
        return options;
    }

    /**
     * Creates a collection; AlreadyExists when the name is taken, Validation for a bad name or a config the engine
     * cannot run ({@link CollectionConfig#checkRunnable}), checked before anything is written. A create that fails
     * after that removes the collection's directory again, so no half-made collection stops the next {@link #open}.
     */
    public synchronized Collection createCollection(String name, CollectionConfig config) {
        checkOpen();
        checkName(name);
        if (collections.containsKey(name)) {
            throw new AlreadyExistsException(name);
        }
        if (aliases.collectionOf(name) != null) {
            throw aliasNameTaken(name);
        }
        checkRunnable(config, options);
        Path dir = collectionsDir.resolve(name);
        if (Files.exists(dir)) {
            deleteTree(dir); // left by an interrupted create or delete
        }
        Collection c;
        try {
            c = Collection.create(name, dir, config, options, indexExecutor);
        } catch (RuntimeException e) {
            try {
                if (Files.exists(dir)) {
                    deleteTree(dir);
                }
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        collections.put(name, c);
        return c;
    }

    /**
     * Validation when the engine cannot run {@code config}: its own ranges, then the shard settings built from it
     * (HNSW and WAL parameters), whose constructors are the final word.
     */
    static void checkRunnable(CollectionConfig config, EngineOptions options) {
        config.checkRunnable();
        try {
            CollectionShards.settings(config, options);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(List.of(e.getMessage()));
        }
    }

    /** The collection; NotFound when absent. */
    public Collection collection(String name) {
        Collection c = collections.get(name);
        if (c == null) {
            throw NotFoundException.collection(name);
        }
        return c;
    }

    public Optional<Collection> findCollection(String name) {
        return Optional.ofNullable(collections.get(name));
    }

    /**
     * Qdrant's answer to a collection named like an existing alias: a BadRequest (400), unlike a collection of that
     * name (409).
     */
    static BadRequestException aliasNameTaken(String name) {
        return new BadRequestException("Can't create collection with name " + name
                + ". Alias with the same name already exists");
    }

    /**
     * The collection {@code nameOrAlias} names: through the alias of that name when there is one (Qdrant resolves an
     * alias before a collection of the same name), else the collection of that name.
     */
    public Optional<Collection> resolveCollection(String nameOrAlias) {
        String target = aliases.collectionOf(nameOrAlias);
        return findCollection(target != null ? target : nameOrAlias);
    }

    /** The aliases, as of the last completed change. */
    public Aliases aliases() {
        return aliases;
    }

    /**
     * Applies Qdrant's alias actions ({@code POST /collections/aliases}) in order, all or nothing (see
     * {@link Aliases#apply}: NotFound, AlreadyExists), and persists the result before readers see it; returns the
     * aliases now in force.
     */
    public synchronized Aliases updateAliases(List<? extends AliasAction> actions) {
        checkOpen();
        Aliases next = aliases.apply(actions, collections::containsKey);
        if (!next.equals(aliases)) {
            aliasStore.write(next);
            aliases = next;
        }
        return next;
    }

    /**
     * Deletes a collection and its files, and its aliases (written first, as Qdrant drops them first: a crash in
     * between leaves the collection without its aliases, never an alias without its collection); false when it did
     * not exist. The name is not resolved through aliases (Qdrant deletes only a collection of that name).
     */
    public synchronized boolean deleteCollection(String name) {
        checkOpen();
        if (!collections.containsKey(name)) {
            return false;
        }
        Aliases without = aliases.withoutCollection(name);
        if (without != aliases) {
            aliasStore.write(without);
            aliases = without;
        }
        Collection c = collections.remove(name);
        c.close();
        deleteTree(c.dir());
        return true;
    }

    /** Names of all collections, sorted. */
    public List<String> collectionNames() {
        List<String> names = new ArrayList<>(collections.keySet());
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /**
     * Recovers a collection from a snapshot archive ({@code file://} path, or {@code http(s)://} on 127.0.0.1): checks
     * the SHA-256 when given (a mismatch is a BadRequest), extracts and validates the archive into a staging
     * directory, then creates the collection, or replaces an existing one's config and data. A checksum mismatch, a
     * corrupt archive, or a snapshot whose vectors (size, distance) or shard count differ from the existing
     * collection's (Qdrant's "Snapshot is not compatible with existing collection", a BadRequest) leaves an existing
     * collection untouched; a missing local file is a BadRequest, as in Qdrant. Downloads go to
     * {@code <snapshotsDir>/.downloads/}. A crash while an existing collection is swapped is repaired by the next
     * {@link #open}. An alias name recovers into its collection, as Qdrant resolves it.
     */
    public void recoverSnapshot(String nameOrAlias, java.net.URI location, String expectedSha256OrNull,
            Path snapshotsDir) {
        checkOpen();
        String aliased = aliases.collectionOf(nameOrAlias);
        String collectionName = aliased != null ? aliased : nameOrAlias;
        checkName(collectionName);
        Path work = collectionsDir.resolveSibling("snapshot-recovery");
        io.quiver.engine.snapshot.SnapshotSource.Local local = io.quiver.engine.snapshot.SnapshotSource.fetch(
                location, (snapshotsDir != null ? snapshotsDir : work).resolve(".downloads"));
        Path staging = work.resolve("staging-" + java.util.UUID.randomUUID());
        try {
            io.quiver.engine.snapshot.SnapshotStore.checkSha256(local.file(), expectedSha256OrNull);
            int[] shardNumber = {0};
            CollectionConfig[] snapshotConfig = {null};
            var extracted = io.quiver.engine.snapshot.SnapshotArchive.extract(local.file(), staging, configJson -> {
                if (configJson.path("format_version").asInt() != 1 || !configJson.has("config")) {
                    throw new BadRequestException("the snapshot's config.json is not a Quiver collection config");
                }
                CollectionConfig c = CollectionConfig.fromJson(configJson.get("config"));
                shardNumber[0] = c.shardNumber();
                snapshotConfig[0] = c;
                return CollectionShards.settings(c, options).wal();
            });
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            extracted.shards().forEach(p -> ids.add(p.shardId()));
            if (ids.size() != extracted.shards().size() || ids.size() != shardNumber[0]
                    || (!ids.isEmpty() && (ids.iterator().next() != 0 || ((java.util.TreeSet<Integer>) ids).last()
                            != shardNumber[0] - 1))) {
                throw new BadRequestException("the snapshot holds shards " + ids + " but the collection has "
                        + shardNumber[0] + " (a shard snapshot is recovered with Collection.recoverShardSnapshot)");
            }
            installRecovered(collectionName, staging, work, snapshotConfig[0]);
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
            if (local.temporary()) {
                try {
                    Files.deleteIfExists(local.file());
                } catch (IOException e) {
                    LOG.warn("cannot delete the downloaded snapshot {}", local.file(), e);
                }
            }
        }
    }

    /**
     * After a crash during a snapshot recovery: staging directories are dropped; a collection moved aside
     * ({@code replaced-<uuid>-<name>}) whose place stayed empty is put back, otherwise dropped.
     */
    private void cleanUpSnapshotRecovery() throws IOException {
        Path work = collectionsDir.resolveSibling("snapshot-recovery");
        if (!Files.isDirectory(work)) {
            return;
        }
        try (var children = Files.list(work)) {
            for (Path p : children.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("replaced-") && f.length() > "replaced-".length() + 37) {
                    Path target = collectionsDir.resolve(f.substring("replaced-".length() + 37));
                    if (!Files.exists(target.resolve(CollectionConfigStore.FILE))) {
                        if (Files.exists(target)) {
                            deleteTree(target);
                        }
                        Files.move(p, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        LOG.warn("restored collection {} left aside by an interrupted snapshot recovery", target);
                        continue;
                    }
                }
                if (Files.isDirectory(p)) {
                    deleteTree(p);
                } else {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Puts a validated, extracted collection directory in place of {@code name} (creating or replacing it). An
     * existing collection whose vectors or shard count differ from the snapshot's is left as it is (BadRequest).
     */
    private synchronized void installRecovered(String name, Path staging, Path work, CollectionConfig snapshotConfig) {
        checkOpen();
        Collection existing = collections.get(name);
        if (existing == null && aliases.collectionOf(name) != null) {
            throw aliasNameTaken(name); // the alias was made while the snapshot was being fetched
        }
        if (existing != null && snapshotConfig != null) {
            io.quiver.engine.snapshot.SnapshotArchive.checkCompatible(existing.config(), snapshotConfig);
        }
        Path target = collectionsDir.resolve(name);
        Path aside = null;
        try {
            Collection old = collections.remove(name);
            if (old != null) {
                old.close();
                aside = work.resolve("replaced-" + java.util.UUID.randomUUID() + "-" + name);
                Files.move(target, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else if (Files.exists(target)) {
                deleteTree(target);
            }
            Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            io.quiver.engine.segment.PointsFile.fsyncDirectory(collectionsDir);
        } catch (IOException e) {
            throw new StorageException("cannot install the recovered collection " + name + ": " + e, e);
        }
        try {
            collections.put(name, Collection.open(name, target, options, indexExecutor));
        } catch (RuntimeException e) {
            deleteTree(target);
            if (aside != null) {
                try {
                    Files.move(aside, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException io) {
                    throw new StorageException("cannot restore collection " + name + " after a failed recovery", io);
                }
                collections.put(name, Collection.open(name, target, options, indexExecutor));
            }
            throw new BadRequestException("the snapshot cannot be opened: " + e.getMessage());
        }
        if (aside != null) {
            deleteTree(aside);
        }
    }

    /** Checkpoints and closes every collection, then stops the background threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        flusher.shutdown();
        try {
            flusher.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeException first = null;
        for (Collection c : collections.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        collections.clear();
        indexExecutor.shutdown();
        try {
            indexExecutor.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (first != null) {
            throw first;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("Quiver is closed");
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(ch -> ch == '/' || ch == '\\' || ch == 0 || ch < 32)
                || !JsonText.isWellFormed(name)) { // a lone surrogate names no file and cannot be written as JSON
            throw new ValidationException(List.of("collection_name: value " + name + " invalid, must be 1 to 255 "
                    + "characters without / \\, control characters or unpaired surrogates"));
        }
    }

    private static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + p, e);
        }
    }
}
