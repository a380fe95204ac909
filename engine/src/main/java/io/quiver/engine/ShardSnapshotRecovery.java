package io.quiver.engine;

import io.quiver.engine.shard.Shard;
import io.quiver.engine.snapshot.SnapshotArchive;
import io.quiver.engine.snapshot.SnapshotSource;
import io.quiver.engine.snapshot.SnapshotStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * Replaces the data of one local shard by a shard of a snapshot archive (fetched, checked, extracted under
 * {@code <dir>/.shard-recovery/}, then swapped in), and puts back a shard directory a crash left moved aside.
 * Threading: threadsafe; the swap holds the config lock, so config, payload_schema and shard slots stay as they are.
 */
final class ShardSnapshotRecovery {
    private static final String WORK_DIR = ".shard-recovery";

    private final String name;
    private final Path dir;
    private final CollectionShards shards;
    private final CollectionConfigStore configStore;

    ShardSnapshotRecovery(String name, Path dir, CollectionShards shards, CollectionConfigStore configStore) {
        this.name = name;
        this.dir = dir;
        this.shards = shards;
        this.configStore = configStore;
    }

    /** {@link Collection#recoverShardSnapshot(int, URI, String, Path, int)}. */
    void recover(int shardId, URI location, String expectedSha256OrNull, Path snapshotsDir, int archiveShardId) {
        shards.check(shardId);
        Path work = dir.resolve(WORK_DIR);
        SnapshotSource.Local local = SnapshotSource.fetch(
                location, (snapshotsDir != null ? snapshotsDir : work).resolve(".downloads"));
        Path staging = work.resolve("staging-" + UUID.randomUUID());
        try {
            SnapshotStore.checkSha256(local.file(), expectedSha256OrNull);
            CollectionConfig current = configStore.config();
            var extracted = SnapshotArchive.extract(local.file(), staging, configJson -> {
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
            swap(shardId, staging.resolve(Integer.toString(source)), work);
        } finally {
            deleteQuietly(staging);
            if (local.temporary()) {
                deleteQuietly(local.file());
            }
        }
    }

    private void swap(int shardId, Path newShardDir, Path work) {
        synchronized (configStore.lock()) {
            Path target = dir.resolve(Integer.toString(shardId));
            Path aside = work.resolve("replaced-" + UUID.randomUUID() + "-" + shardId);
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
                fresh = shards.open(shardId, configStore.config());
                fresh.syncPayloadSchema(configStore.payloadFieldSchemas());
            } catch (RuntimeException e) {
                deleteQuietly(target);
                try {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException io) {
                    throw new StorageException("cannot restore shard " + shardId + " of " + name, io);
                }
                shards.replace(shardId, shards.open(shardId, configStore.config()));
                shards.get(shardId).syncPayloadSchema(configStore.payloadFieldSchemas());
                throw new BadRequestException("the shard snapshot cannot be opened: " + e.getMessage());
            }
            shards.replace(shardId, fresh); // its open raised the collection's operation ids past every id it holds
            deleteQuietly(aside);
        }
    }

    /**
     * After a crash during {@link #recover}: a shard directory moved aside
     * ({@code .shard-recovery/replaced-<uuid>-<id>}) whose place stayed empty is put back; the rest is dropped.
     * Runs before the collection's shards are opened.
     */
    static void repairInterrupted(Path dir) {
        Path work = dir.resolve(WORK_DIR);
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
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(ShardSnapshotRecovery.class).warn("cannot delete {}", p, e);
        }
    }
}
