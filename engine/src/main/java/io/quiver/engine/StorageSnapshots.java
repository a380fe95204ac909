package io.quiver.engine;

import io.quiver.engine.snapshot.FullSnapshotArchive;
import io.quiver.engine.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Qdrant's full storage snapshots: every collection's snapshot and the aliases in one archive
 * ({@link FullSnapshotArchive}), kept at the root of the snapshots directory as {@code full-snapshot-<time>.snapshot}
 * with a {@code .checksum} sidecar ({@link SnapshotStore#unnumbered}); and their recovery into a storage before it
 * serves ({@link #recover}, Qdrant's {@code --storage-snapshot}). Each collection's snapshot is taken as
 * {@code POST /collections/{c}/snapshots} takes it (consistent per shard), one collection after another, into a private
 * staging directory ({@code <snapshots>/.full-snapshot-staging/}) that is removed afterwards, so no collection snapshot
 * is left behind. Threadsafe: snapshots may be taken concurrently (each has its own staging directory and name).
 */
public final class StorageSnapshots {
    /** Qdrant's {@code FULL_SNAPSHOT_FILE_NAME}: full snapshots are named {@code full-snapshot-<time>.snapshot}. */
    public static final String PREFIX = "full-snapshot";
    private static final String STAGING = ".full-snapshot-staging";

    /** What a full snapshot is taken of: a local {@link Quiver} ({@link #of}) or a cluster node's catalog. */
    public interface Source {
        /** The collections to take, at the time the snapshot begins. */
        List<String> collectionNames();

        /**
         * Takes a snapshot of {@code collection} into {@code dir} (as a collection snapshot is kept under a snapshots
         * directory) and returns its archive file, or null when the collection no longer exists.
         */
        Path snapshotInto(String collection, Path dir);

        /** The aliases, as of now. */
        Aliases aliases();
    }

    private final Path snapshotsDir;
    private final SnapshotStore store;

    /** The full snapshots under {@code snapshotsDir} ({@code storage.snapshots_path}). */
    public StorageSnapshots(Path snapshotsDir) {
        this.snapshotsDir = snapshotsDir;
        this.store = SnapshotStore.unnumbered(snapshotsDir, PREFIX);
    }

    /** A local engine as a snapshot source. */
    public static Source of(Quiver quiver) {
        return new Source() {
            @Override
            public List<String> collectionNames() {
                return quiver.collectionNames();
            }

            @Override
            public Path snapshotInto(String collection, Path dir) {
                return quiver.findCollection(collection)
                        .map(c -> c.snapshotFile(dir, c.createSnapshot(dir).name()))
                        .orElse(null);
            }

            @Override
            public Aliases aliases() {
                return quiver.aliases();
            }
        };
    }

    /**
     * Takes a full snapshot: a snapshot of each collection of {@code source} (one deleted meanwhile is left out), then
     * the aliases of the collections taken, written to a new {@code full-snapshot-<time>.snapshot} and its checksum.
     * A failure leaves no file behind.
     */
    public SnapshotDescription create(Source source) {
        Path staging = snapshotsDir.resolve(STAGING).resolve(UUID.randomUUID().toString());
        try {
            Map<String, Path> taken = new TreeMap<>();
            for (String name : source.collectionNames()) {
                Path file;
                try {
                    file = source.snapshotInto(name, staging);
                } catch (NotFoundException deletedMeanwhile) {
                    file = null;
                }
                if (file != null) {
                    taken.put(name, file);
                }
            }
            Map<String, String> aliases = new TreeMap<>();
            source.aliases().asMap().forEach((alias, collection) -> {
                if (taken.containsKey(collection)) {
                    aliases.put(alias, collection);
                }
            });
            return store.create(out -> {
                try (var w = new FullSnapshotArchive.Writer(out)) {
                    for (var e : taken.entrySet()) {
                        w.addCollection(e.getKey(), e.getValue());
                    }
                    w.finish(aliases);
                }
            });
        } finally {
            deleteTree(staging);
        }
    }

    /** Every full snapshot, by name. */
    public List<SnapshotDescription> list() {
        return store.list();
    }

    /** The archive of a full snapshot; NotFound when there is none of that name (or the name is no file name). */
    public Path file(String name) {
        try {
            return store.file(name);
        } catch (BadRequestException notASnapshotName) {
            throw new NotFoundException("Snapshot " + name + " not found"); // Qdrant: no such file in the directory
        }
    }

    /** Deletes a full snapshot and its checksum; NotFound when there is none of that name. */
    public boolean delete(String name) {
        file(name);
        return store.delete(name);
    }

    /** Removes the staging directories of snapshots interrupted by a crash; call before any snapshot is taken. */
    public void deleteLeftovers() {
        deleteTree(snapshotsDir.resolve(STAGING));
    }

    /**
     * Restores a full snapshot into {@code quiver} (Qdrant's {@code --storage-snapshot}, run before the storage
     * serves): every collection of the archive is recovered as {@code PUT /collections/{c}/snapshots/recover} would
     * recover it, then its aliases are set. Without {@code force}, a collection or alias of the archive that already
     * exists stops the restore before anything changed (Qdrant: "Use --force-snapshot to overwrite it"); with it, such
     * a collection is deleted (with its aliases) and recreated from the snapshot, and such an alias made to point to
     * the snapshot's collection. A missing or corrupt archive is a BadRequest. Returns the collections restored.
     */
    public static List<String> recover(Quiver quiver, Path archive, boolean force, Path snapshotsDir) {
        if (!Files.isRegularFile(archive)) {
            throw new BadRequestException(archive + " does not exist or is not a file");
        }
        Path staging = snapshotsDir.resolve(STAGING).resolve("recovery-" + UUID.randomUUID());
        try {
            FullSnapshotArchive.Contents contents = FullSnapshotArchive.extract(archive, staging);
            Aliases current = quiver.aliases();
            for (String name : contents.collections().keySet()) {
                if (current.collectionOf(name) != null) {
                    throw new BadRequestException("collection " + name + " of the storage snapshot is the name of an"
                            + " alias in this storage; delete the alias first");
                }
                if (!force && quiver.findCollection(name).isPresent()) {
                    throw new BadRequestException("Collection " + name + " already exists. Use --force-snapshot to"
                            + " overwrite it.");
                }
            }
            for (var a : contents.aliases().entrySet()) {
                String existing = current.collectionOf(a.getKey());
                if (!force && existing != null) {
                    throw new BadRequestException("Alias " + a.getKey() + " already exists. Use --force-snapshot to"
                            + " overwrite it.");
                }
            }
            List<String> restored = new ArrayList<>();
            for (var c : contents.collections().entrySet()) {
                if (quiver.findCollection(c.getKey()).isPresent()) {
                    quiver.deleteCollection(c.getKey()); // force: replaced whole, config and all, as Qdrant does
                }
                quiver.recoverSnapshot(c.getKey(), c.getValue().toUri(), null, snapshotsDir);
                restored.add(c.getKey());
            }
            List<AliasAction> actions = new ArrayList<>();
            Aliases now = quiver.aliases();
            for (var a : contents.aliases().entrySet()) {
                String existing = now.collectionOf(a.getKey());
                if (a.getValue().equals(existing)) {
                    continue;
                }
                if (existing != null) {
                    actions.add(new AliasAction.Delete(a.getKey()));
                }
                actions.add(new AliasAction.Create(a.getValue(), a.getKey()));
            }
            if (!actions.isEmpty()) {
                quiver.updateAliases(actions);
            }
            return restored;
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + p + ": " + e, e);
        }
    }
}
