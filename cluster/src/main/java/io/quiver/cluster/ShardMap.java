package io.quiver.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The placement of one collection: for each shard id, the peers holding a replica and each replica's state.
 * Immutable (every change returns a new map); threadsafe.
 */
public final class ShardMap {
    private static final ShardMap EMPTY = new ShardMap(new TreeMap<>());

    private final SortedMap<Integer, SortedMap<Long, ReplicaState>> shards;

    private ShardMap(SortedMap<Integer, SortedMap<Long, ReplicaState>> shards) {
        this.shards = shards;
    }

    /** The map with no shards. */
    public static ShardMap empty() {
        return EMPTY;
    }

    /** Builds a map from shard id → (peer id → state); the argument is copied. */
    public static ShardMap of(Map<Integer, ? extends Map<Long, ReplicaState>> placement) {
        SortedMap<Integer, SortedMap<Long, ReplicaState>> copy = new TreeMap<>();
        placement.forEach((shard, replicas) -> copy.put(shard, Collections.unmodifiableSortedMap(new TreeMap<>(replicas))));
        return new ShardMap(copy);
    }

    /** Shard ids in ascending order. */
    public java.util.Set<Integer> shardIds() {
        return Collections.unmodifiableSet(shards.keySet());
    }

    /** Number of shards. */
    public int shardCount() {
        return shards.size();
    }

    /** Replicas of one shard (peer id → state), empty when the shard does not exist. */
    public SortedMap<Long, ReplicaState> replicas(int shardId) {
        SortedMap<Long, ReplicaState> replicas = shards.get(shardId);
        return replicas == null ? Collections.emptySortedMap() : replicas;
    }

    /** The state of one replica, or null when that peer holds no replica of the shard. */
    public ReplicaState state(int shardId, long peerId) {
        return replicas(shardId).get(peerId);
    }

    /** Whether the shard exists. */
    public boolean hasShard(int shardId) {
        return shards.containsKey(shardId);
    }

    /** Whether the peer holds any replica. */
    public boolean hasReplicaOn(long peerId) {
        return shards.values().stream().anyMatch(replicas -> replicas.containsKey(peerId));
    }

    /** A copy with the replica (shard, peer) set to {@code state} (added when absent). */
    public ShardMap withReplica(int shardId, long peerId, ReplicaState state) {
        Objects.requireNonNull(state, "state");
        SortedMap<Integer, SortedMap<Long, ReplicaState>> copy = new TreeMap<>(shards);
        SortedMap<Long, ReplicaState> replicas = new TreeMap<>(replicas(shardId));
        replicas.put(peerId, state);
        copy.put(shardId, Collections.unmodifiableSortedMap(replicas));
        return new ShardMap(copy);
    }

    /** A copy without the replica (shard, peer); the shard itself stays (possibly with no replica). */
    public ShardMap withoutReplica(int shardId, long peerId) {
        if (!replicas(shardId).containsKey(peerId)) {
            return this;
        }
        SortedMap<Integer, SortedMap<Long, ReplicaState>> copy = new TreeMap<>(shards);
        SortedMap<Long, ReplicaState> replicas = new TreeMap<>(replicas(shardId));
        replicas.remove(peerId);
        copy.put(shardId, Collections.unmodifiableSortedMap(replicas));
        return new ShardMap(copy);
    }

    /** A copy without any replica on {@code peerId}. */
    public ShardMap withoutPeer(long peerId) {
        ShardMap result = this;
        for (int shardId : shards.keySet()) {
            result = result.withoutReplica(shardId, peerId);
        }
        return result;
    }

    /** The whole placement, shard id → (peer id → state), unmodifiable. */
    public SortedMap<Integer, SortedMap<Long, ReplicaState>> asMap() {
        return Collections.unmodifiableSortedMap(shards);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ShardMap map && shards.equals(map.shards);
    }

    @Override
    public int hashCode() {
        return shards.hashCode();
    }

    @Override
    public String toString() {
        return shards.toString();
    }
}
