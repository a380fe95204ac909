package io.quiver.cluster;

import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.Quiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * This peer's shard replicas: one single-shard engine collection per replica, named {@code <collection>~<shardId>},
 * in the replica store (a {@link Quiver} of its own, {@code <storage>/replicas/} in a server). Creating, resetting
 * and dropping replicas is serialized by this object's monitor; reads of an existing replica need no lock.
 */
final class LocalReplicas {
    private static final Logger LOG = LoggerFactory.getLogger(LocalReplicas.class);
    static final char SEPARATOR = '~';

    private final Quiver store;

    LocalReplicas(Quiver store) {
        this.store = store;
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
                c.quantizationOrNull());
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
        try {
            return store.createCollection(name(collection, shardId), replicaConfig(config));
        } catch (AlreadyExistsException e) {
            return store.collection(name(collection, shardId));
        }
    }

    /** Drops the replica's data and starts it again empty (the target of a transfer). */
    synchronized Collection reset(String collection, int shardId, CollectionConfig config) {
        store.deleteCollection(name(collection, shardId));
        return store.createCollection(name(collection, shardId), replicaConfig(config));
    }

    synchronized void drop(String collection, int shardId) {
        if (store.deleteCollection(name(collection, shardId))) {
            LOG.info("dropped local replica {}", name(collection, shardId));
        }
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
                LOG.info("dropped local replica {} (no longer placed on peer {})", name, peerId);
            }
        }
    }

    /** Brings a replica's tunable settings (optimizers, hnsw, quantization) to the collection's. */
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
        try {
            replica.updateConfig(patch);
        } catch (RuntimeException e) {
            LOG.warn("cannot update the config of replica {}: {}", replica.name(), e.getMessage());
        }
    }
}
