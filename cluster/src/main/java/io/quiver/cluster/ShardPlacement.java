package io.quiver.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where the replicas of a new collection go: the peers in ascending id order (Normal peers before Listener peers)
 * take the shards round-robin: replica {@code j} of shard {@code s} is on peer {@code (s + j) mod n}, so every shard
 * has {@code min(replication_factor, n)} distinct peers and the replica counts of two peers differ by at most one.
 * Deterministic; stateless.
 */
public final class ShardPlacement {
    private ShardPlacement() {
    }

    /**
     * The placement of a new collection on the peers of {@code metadata}: Normal peers first (ascending ids), then
     * Listener peers, round-robin as above; a replica on a Listener peer is in state Listener, except when the
     * shard would otherwise have no Active replica.
     */
    public static SortedMap<Integer, SortedMap<Long, ReplicaState>> place(ClusterMetadata metadata, int shardNumber,
            int replicationFactor) {
        List<Long> peers = new ArrayList<>();
        List<Long> listeners = new ArrayList<>();
        metadata.peers().forEach((id, peer) -> (peer.nodeType() == NodeType.Listener ? listeners : peers).add(id));
        List<Long> order = new ArrayList<>(peers);
        order.addAll(listeners);
        SortedMap<Integer, SortedMap<Long, ReplicaState>> placement = place(order, shardNumber, replicationFactor, false);
        for (SortedMap<Long, ReplicaState> replicas : placement.values()) {
            boolean hasActiveNormal = replicas.keySet().stream().anyMatch(p -> !listeners.contains(p));
            for (Long peer : replicas.keySet()) {
                if (listeners.contains(peer) && hasActiveNormal) {
                    replicas.put(peer, ReplicaState.Listener);
                }
            }
        }
        return placement;
    }

    /** The placement over {@code peers} (ascending ids). */
    public static SortedMap<Integer, SortedMap<Long, ReplicaState>> place(List<Long> peers, int shardNumber,
            int replicationFactor) {
        return place(peers, shardNumber, replicationFactor, true);
    }

    private static SortedMap<Integer, SortedMap<Long, ReplicaState>> place(List<Long> peers, int shardNumber,
            int replicationFactor, boolean sort) {
        if (peers.isEmpty()) {
            throw new ClusterException(ClusterException.Kind.UNAVAILABLE, "no peer can hold shards");
        }
        List<Long> sorted = sort ? peers.stream().sorted().toList() : List.copyOf(peers);
        int replicas = Math.min(Math.max(1, replicationFactor), sorted.size());
        SortedMap<Integer, SortedMap<Long, ReplicaState>> placement = new TreeMap<>();
        for (int shard = 0; shard < shardNumber; shard++) {
            SortedMap<Long, ReplicaState> holders = new TreeMap<>();
            for (int j = 0; j < replicas; j++) {
                holders.put(sorted.get((shard + j) % sorted.size()), ReplicaState.Active);
            }
            placement.put(shard, holders);
        }
        return placement;
    }
}
