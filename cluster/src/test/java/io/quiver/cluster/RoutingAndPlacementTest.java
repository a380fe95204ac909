package io.quiver.cluster;

import io.quiver.engine.PointId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The point → shard function is pinned (it decides where stored data lives) and spreads ids evenly; placement rules. */
class RoutingAndPlacementTest {

    @Test
    void routingHashIsPinnedAndEven() {
        // pinned values: changing the function would strand every stored point on the wrong shard
        long[] pinned = {ShardRouter.hash(PointId.of(0)), ShardRouter.hash(PointId.of(1)),
                ShardRouter.hash(PointId.of(UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8")))};
        assertEquals(List.of(PINNED_0, PINNED_1, PINNED_UUID), List.of(pinned[0], pinned[1], pinned[2]),
                "ShardRouter.hash changed");
        assertEquals(ShardRouter.shardOf(PointId.of(UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8")), 7),
                ShardRouter.shardOf(PointId.parseText("936DA01F9ABD4D9D80C702AF85C822A8"), 7), "canonical bytes, not text");
        int[] counts = new int[5];
        for (long id = 0; id < 50_000; id++) {
            counts[ShardRouter.shardOf(PointId.of(id), 5)]++;
        }
        for (int c : counts) {
            assertTrue(c > 9_500 && c < 10_500, "uneven: " + java.util.Arrays.toString(counts));
        }
        assertEquals(0, ShardRouter.shardOf(PointId.of(-1L), 1));
        assertTrue(ShardRouter.shardOf(PointId.of(-1L), 3) >= 0, "unsigned ids above 2^63");
    }

    // computed independently from the documented definition (FNV-1a 64 + murmur3 fmix64)
    static final long PINNED_0 = 8922497616986557598L;
    static final long PINNED_1 = 5348651604043249702L;
    static final long PINNED_UUID = 8809816120078761527L;

    @Test
    void placementSpreadsReplicasOverDistinctPeers() {
        SortedMap<Integer, SortedMap<Long, ReplicaState>> placement = ShardPlacement.place(List.of(30L, 10L, 20L), 6, 2);
        Map<Long, Integer> perPeer = new TreeMap<>();
        placement.values().forEach(r -> {
            assertEquals(2, r.size());
            r.keySet().forEach(p -> perPeer.merge(p, 1, Integer::sum));
        });
        assertEquals(Map.of(10L, 4, 20L, 4, 30L, 4), perPeer);
        assertEquals(placement, ShardPlacement.place(List.of(10L, 20L, 30L), 6, 2), "deterministic");
        assertEquals(2, ShardPlacement.place(List.of(1L, 2L), 1, 5).get(0).size(), "capped at the peer count");

        ClusterMetadata metadata = ClusterMetadata.empty()
                .apply(new MetadataOperation.AddPeer(1, "http://127.0.0.1:1", NodeType.Normal))
                .apply(new MetadataOperation.AddPeer(2, "http://127.0.0.1:2", NodeType.Listener));
        SortedMap<Integer, SortedMap<Long, ReplicaState>> withListener = ShardPlacement.place(metadata, 2, 2);
        for (SortedMap<Long, ReplicaState> r : withListener.values()) {
            assertEquals(Map.of(1L, ReplicaState.Active, 2L, ReplicaState.Listener), r);
        }
        assertEquals(Map.of(0, Map.of(1L, ReplicaState.Active)), ShardPlacement.place(metadata, 1, 1));
    }
}
