package io.quiver.cluster;

import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.Quiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * This peer's shard replicas: one single-shard engine collection per replica, named {@code <collection>~<shardId>},
 * in the replica store (a {@link Quiver} of its own, {@code <storage>/replicas/} in a server). A registry file kept
 * outside the store ({@code <storage>/replicas.held}) lists the replicas this peer has created, so that replicas whose
 * data vanished while the node was down (a deleted data directory) are told apart from replicas never held: the
 * former must not be served as if empty were their content. Creating, resetting and dropping replicas is serialized
 * by this object's monitor; reads of an existing replica need no lock.
 */
final class LocalReplicas {
    private static final Logger LOG = LoggerFactory.getLogger(LocalReplicas.class);
    static final char SEPARATOR = '~';
    static final String REGISTRY_FILE = "replicas.held";
    /** Registry line prefix of a replica whose data is lost and not yet refilled (kept across restarts). */
    private static final String LOST_MARK = "!";

    private final Quiver store;
    private final java.nio.file.Path registryFile;
    private final Set<String> held = new java.util.TreeSet<>();
    private final Set<String> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The replicas (by name) whose data was on disk when the store was opened; fixed after the constructor. */
    private final Set<String> presentAtOpen = new HashSet<>();

    /**
     * Opens the replicas of {@code store}; {@code registryFileOrNull} (outside the store's directory) records which
     * replicas this peer holds; without it no loss is detected.
     */
    LocalReplicas(Quiver store, java.nio.file.Path registryFileOrNull) {
        this.store = store;
        this.registryFile = registryFileOrNull;
        Set<String> present = new HashSet<>(store.collectionNames());
        present.stream().filter(name -> name.indexOf(SEPARATOR) >= 0).forEach(presentAtOpen::add);
        if (registryFile != null) {
            for (String line : readRegistry(registryFile)) {
                boolean markedLost = line.startsWith(LOST_MARK);
                String name = markedLost ? line.substring(LOST_MARK.length()) : line;
                held.add(name);
                if (markedLost || !present.contains(name)) {
                    lost.add(name);
                }
            }
            for (String name : present) {
                if (name.indexOf(SEPARATOR) >= 0) {
                    held.add(name);
                }
            }
            if (!lost.isEmpty()) {
                LOG.warn("the data of local replicas {} is missing (deleted while the node was down?)", lost);
            }
            writeRegistry();
        }
    }

    LocalReplicas(Quiver store) {
        this(store, null);
    }

    /**
     * True while the replica is one this peer held when it stopped but whose data was gone at open, and it has not
     * been refilled by a transfer ({@link #reset}) or dropped since: it must serve neither reads nor ordering.
     */
    boolean isLost(String collection, int shardId) {
        return lost.contains(name(collection, shardId));
    }

    /**
     * Whether the replica's data was on disk when this peer opened its store: a replica created since (the node's own
     * catch-up, or a collection created while it ran) either received every write from its creation or, having missed
     * one, was marked Dead by that write's failure.
     */
    boolean presentAtOpen(String collection, int shardId) {
        return presentAtOpen.contains(name(collection, shardId));
    }

    /** The replicas {@link #isLost} holds for, by name. */
    Set<String> lost() {
        return Set.copyOf(lost);
    }

    private static List<String> readRegistry(java.nio.file.Path file) {
        try {
            if (!java.nio.file.Files.exists(file)) {
                return List.of();
            }
            return java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList();
        } catch (java.io.IOException e) {
            throw new io.quiver.engine.StorageException("cannot read the replica registry " + file, e);
        }
    }

    /** Rewrites the registry atomically (temporary file, fsync, rename); caller holds the monitor or constructs. */
    private void writeRegistry() {
        if (registryFile == null) {
            return;
        }
        java.nio.file.Path tmp = registryFile.resolveSibling(registryFile.getFileName() + ".tmp");
        try {
            StringBuilder lines = new StringBuilder();
            for (String name : held) {
                lines.append(lost.contains(name) ? LOST_MARK : "").append(name).append('\n');
            }
            java.nio.file.Files.write(tmp, lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            java.nio.file.Files.move(tmp, registryFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new io.quiver.engine.StorageException("cannot write the replica registry " + registryFile, e);
        }
    }

    private void registered(String name, boolean present) {
        boolean changed = present ? held.add(name) : held.remove(name) | lost.remove(name);
        if (registryFile != null && changed) {
            writeRegistry();
        }
    }

    /** The replica's data was replaced by a snapshot's: no longer lost. */
    synchronized void recovered(String collection, int shardId) {
        refilled(name(collection, shardId));
    }

    /** A replica reset to be filled by a transfer, or recovered from a snapshot: no longer lost. */
    private void refilled(String name) {
        boolean changed = held.add(name) | lost.remove(name);
        if (registryFile != null && changed) {
            writeRegistry();
        }
    }

    Quiver store() {
        return store;
    }

    static String name(String collection, int shardId) {
        return collection + SEPARATOR + shardId;
    }

    /** The engine config of one replica: the collection's config as one shard, replicated by the cluster, not by it. */
    static CollectionConfig replicaConfig(CollectionConfig c) {
        return new CollectionConfig(c.vectors(), 1, 1, 1, c.onDiskPayload(), c.hnsw(), c.optimizers(), c.wal(),
                c.quantizationOrNull(), null);
    }

    Optional<Collection> find(String collection, int shardId) {
        return store.findCollection(name(collection, shardId));
    }

    /** The replica, created empty when missing. */
    synchronized Collection ensure(String collection, int shardId, CollectionConfig config) {
        Optional<Collection> existing = find(collection, shardId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Collection created;
        try {
            created = store.createCollection(name(collection, shardId), replicaConfig(config));
        } catch (AlreadyExistsException e) {
            created = store.collection(name(collection, shardId));
        }
        registered(name(collection, shardId), true);
        return created;
    }

    /** Drops the replica's data and starts it again empty (the target of a transfer). */
    synchronized Collection reset(String collection, int shardId, CollectionConfig config) {
        store.deleteCollection(name(collection, shardId));
        Collection fresh = store.createCollection(name(collection, shardId), replicaConfig(config));
        refilled(name(collection, shardId));
        return fresh;
    }

    synchronized void drop(String collection, int shardId) {
        if (store.deleteCollection(name(collection, shardId))) {
            LOG.info("dropped local replica {}", name(collection, shardId));
        }
        registered(name(collection, shardId), false);
    }

    /**
     * Makes the local replicas match the metadata: a replica exists for every shard the metadata places on
     * {@code peerId} (whatever its state), and no other replica exists.
     */
    synchronized void reconcile(ClusterMetadata metadata, long peerId) {
        Set<String> wanted = new HashSet<>();
        for (CollectionMetadata c : metadata.collections().values()) {
            CollectionConfig config = null;
            for (Map.Entry<Integer, java.util.SortedMap<Long, ReplicaState>> shard : c.shards().asMap().entrySet()) {
                if (!shard.getValue().containsKey(peerId)) {
                    continue;
                }
                wanted.add(name(c.name(), shard.getKey()));
                if (config == null) {
                    config = CollectionConfig.fromJson(c.config());
                }
                Collection replica = ensure(c.name(), shard.getKey(), config);
                syncConfig(replica, config);
            }
        }
        for (String name : store.collectionNames()) {
            if (name.indexOf(SEPARATOR) >= 0 && !wanted.contains(name)) {
                store.deleteCollection(name);
                registered(name, false);
                LOG.info("dropped local replica {} (no longer placed on peer {})", name, peerId);
            }
        }
    }

    /**
     * Brings a replica's tunable settings (optimizers, hnsw, quantization, and the vector's own on_disk, hnsw_config
     * and quantization_config) to the collection's.
     */
    private static void syncConfig(Collection replica, CollectionConfig wanted) {
        CollectionConfig target = replicaConfig(wanted);
        if (replica.config().equals(target)) {
            return;
        }
        var config = target.toJson();
        var patch = DataCodec.JSON.objectNode();
        patch.set("optimizers_config", config.get("optimizer_config"));
        patch.set("hnsw_config", config.get("hnsw_config"));
        if (config.get("quantization_config").isNull()) {
            patch.put("quantization_config", "Disabled");
        } else {
            patch.set("quantization_config", config.get("quantization_config"));
        }
        patch.putObject("params").put("on_disk_payload", target.onDiskPayload());
        // the vector's own on_disk / hnsw_config / quantization_config (a diff over the replica's, under name "")
        var vector = config.at("/params/vectors");
        var vectorDiff = patch.putObject("vectors").putObject("");
        for (String key : List.of("on_disk", "hnsw_config", "quantization_config")) {
            if (vector.has(key)) {
                vectorDiff.set(key, vector.get(key));
            }
        }
        if (!vector.has("quantization_config")) {
            vectorDiff.put("quantization_config", "Disabled");
        }
        try {
            replica.updateConfig(patch);
        } catch (RuntimeException e) {
            LOG.warn("cannot update the config of replica {}: {}", replica.name(), e.getMessage());
        }
    }
}
