package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.AliasAction;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One change to the cluster metadata, proposed through Raft and applied by every node in log order by {@link
 * ClusterMetadata#apply(MetadataOperation)}. Encoded on the wire and in the Raft log by {@link
 * MetadataOperationCodec}. Immutable values; threadsafe (the {@link ObjectNode}s they hold must not be mutated after
 * construction).
 */
public sealed interface MetadataOperation {

    /** Adds a peer, or updates the uri / node type of a known one. */
    record AddPeer(long peerId, String uri, NodeType nodeType) implements MetadataOperation {
        public AddPeer {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(nodeType, "nodeType");
        }
    }

    /**
     * Removes a peer. Without {@code force} it is rejected while the peer holds replicas; with it, the peer's
     * replicas and the transfers touching it are dropped too.
     */
    record RemovePeer(long peerId, boolean force) implements MetadataOperation {
    }

    /**
     * Creates a collection with its config and its initial placement (shard id → peer id → state); rejected when the
     * name is taken by a collection (CONFLICT) or an alias (BAD_REQUEST).
     */
    record CreateCollection(String name, ObjectNode config, SortedMap<Integer, SortedMap<Long, ReplicaState>> placement)
            implements MetadataOperation {
        public CreateCollection {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(config, "config");
            SortedMap<Integer, SortedMap<Long, ReplicaState>> copy = new TreeMap<>();
            placement.forEach((shard, replicas) -> copy.put(shard, Collections.unmodifiableSortedMap(new TreeMap<>(replicas))));
            placement = Collections.unmodifiableSortedMap(copy);
        }

        /** Convenience: placement given as any map (copied into sorted maps). */
        public static CreateCollection of(String name, ObjectNode config, Map<Integer, ? extends Map<Long, ReplicaState>> placement) {
            SortedMap<Integer, SortedMap<Long, ReplicaState>> sorted = new TreeMap<>();
            placement.forEach((shard, replicas) -> sorted.put(shard, new TreeMap<>(replicas)));
            return new CreateCollection(name, config, sorted);
        }
    }

    /**
     * Changes the collection aliases by Qdrant's actions, in order, all or nothing ({@link
     * io.quiver.engine.Aliases#apply}); rejected (NOT_FOUND, CONFLICT) with the first failing action's error.
     */
    record UpdateAliases(List<AliasAction> actions) implements MetadataOperation {
        public UpdateAliases {
            actions = List.copyOf(actions);
        }
    }

    /** Deletes a collection and its aliases (rejected when it does not exist). */
    record DeleteCollection(String name) implements MetadataOperation {
        public DeleteCollection {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Changes a collection's config by a JSON merge patch (RFC 7386: objects merge recursively, a {@code null} value
     * removes the key, anything else replaces).
     */
    record UpdateCollectionConfig(String name, ObjectNode patch) implements MetadataOperation {
        public UpdateCollectionConfig {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(patch, "patch");
        }
    }

    /**
     * Sets the state of replica (shard, peer), adding the replica when absent. When {@code expectedState} is not
     * null the change is rejected unless the replica is currently in that state (compare-and-set, as Qdrant's
     * {@code from_state}).
     */
    record SetReplicaState(String collection, int shardId, long peerId, ReplicaState state, ReplicaState expectedState)
            implements MetadataOperation {
        public SetReplicaState {
            Objects.requireNonNull(collection, "collection");
            Objects.requireNonNull(state, "state");
        }
    }

    /** Removes replica (shard, peer); rejected when it would remove the shard's last replica. */
    record DropReplica(String collection, int shardId, long peerId) implements MetadataOperation {
        public DropReplica {
            Objects.requireNonNull(collection, "collection");
        }
    }

    /** Starts a shard transfer: the target replica becomes {@link ReplicaState#Partial}. */
    record StartTransfer(String collection, ShardTransfer transfer) implements MetadataOperation {
        public StartTransfer {
            Objects.requireNonNull(collection, "collection");
            Objects.requireNonNull(transfer, "transfer");
        }
    }

    /**
     * Finishes a transfer: the target replica becomes {@link ReplicaState#Active}; for a move ({@code sync == false})
     * the source replica is dropped.
     */
    record FinishTransfer(String collection, int shardId, long from, long to) implements MetadataOperation {
        public FinishTransfer {
            Objects.requireNonNull(collection, "collection");
        }
    }

    /** Aborts a transfer: it is forgotten and the target's partial replica is dropped. */
    record AbortTransfer(String collection, int shardId, long from, long to) implements MetadataOperation {
        public AbortTransfer {
            Objects.requireNonNull(collection, "collection");
        }
    }
}
