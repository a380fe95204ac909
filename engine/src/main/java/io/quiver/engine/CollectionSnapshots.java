package io.quiver.engine;

import io.quiver.engine.shard.Shard;
import io.quiver.engine.snapshot.SnapshotArchive;
import io.quiver.engine.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The snapshots of a collection and of its shards: writes them in the {@link SnapshotArchive} format (config.json,
 * then per shard a fresh checkpoint) and keeps them under {@code <snapshotsDir>/<name>/}. Threading: threadsafe;
 * config.json is read under the config lock, and each shard pauses its writes only to capture its checkpoint.
 */
final class CollectionSnapshots {
    private final String name;
    private final CollectionShards shards;
    private final CollectionConfigStore configStore;

    CollectionSnapshots(String name, CollectionShards shards, CollectionConfigStore configStore) {
        this.name = name;
        this.shards = shards;
        this.configStore = configStore;
    }

    /** {@link Collection#createSnapshot(Path, boolean)}. */
    SnapshotDescription create(Path snapshotsDir, boolean includeWal) {
        return store(snapshotsDir).create(out -> write(out, includeWal, null));
    }

    /** {@link Collection#createShardSnapshot}. */
    SnapshotDescription createOfShard(Path snapshotsDir, int shardId, boolean includeWal) {
        return shardStore(snapshotsDir, shardId).create(out -> write(out, includeWal, shardId));
    }

    private void write(OutputStream out, boolean includeWal, Integer onlyShardOrNull) throws IOException {
        byte[] configJson = configStore.readFile();
        try (var w = new SnapshotArchive.Writer(out, name)) {
            w.writeConfig(configJson);
            for (Shard s : shards.all()) {
                if (onlyShardOrNull == null || onlyShardOrNull == s.shardId()) {
                    s.readCheckpoint(cp -> w.writeShard(cp, includeWal));
                }
            }
            w.finish();
        }
    }

    /** {@link Collection#snapshotConfigJson}. */
    byte[] configJson(CollectionConfig asConfig) {
        try {
            return configStore.encodeWith(asConfig);
        } catch (IOException e) {
            throw new StorageException("cannot encode the config of " + name, e);
        }
    }

    /** {@link Collection#writeShardSnapshot(SnapshotArchive.Writer, int, int, boolean, Runnable)}. */
    SnapshotArchive.ShardPart writeShard(SnapshotArchive.Writer writer, int shardId, int asShardId,
            boolean includeWal, Runnable onCaptured) throws IOException {
        shards.check(shardId);
        return shards.get(shardId).readCheckpoint(cp -> writer.writeShard(cp, asShardId, includeWal), onCaptured);
    }

    /** The snapshot files of the whole collection. */
    SnapshotStore store(Path snapshotsDir) {
        return new SnapshotStore(snapshotsDir.resolve(name), name);
    }

    /** The snapshot files of shard {@code shardId}; NotFound when the collection has no such shard. */
    SnapshotStore shardStore(Path snapshotsDir, int shardId) {
        shards.check(shardId);
        return new SnapshotStore(snapshotsDir.resolve(name).resolve("shards").resolve(Integer.toString(shardId)),
                name + "-shard-" + shardId);
    }
}
