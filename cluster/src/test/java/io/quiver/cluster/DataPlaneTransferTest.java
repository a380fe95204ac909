package io.quiver.cluster;

import io.quiver.cluster.DataPlaneTestSupport.Writer;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.hnsw.Distance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.assertAcknowledgedEverywhere;
import static io.quiver.cluster.DataPlaneTestSupport.assertReplicasSearchAlike;
import static io.quiver.cluster.DataPlaneTestSupport.indexOf;
import static io.quiver.cluster.DataPlaneTestSupport.payload;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shard transfers between in-JVM nodes: {@code replicate_shard} and {@code move_shard} (streamed and by snapshot)
 * while writes go on lose no acknowledged write, {@code drop_replica} refuses to drop the last replica,
 * {@code abort_transfer} stops a transfer (or comes after its end), and {@code wal_delta} or an unknown shard is
 * refused.
 */
class DataPlaneTransferTest {
    /** A two-shard collection {@code c}, one replica each, on a 3-node cluster: the shards' peers and the third. */
    private record Placement(long holder0, long holder1, long spare) {
        static Placement create(DataNodes cluster, Distance distance) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, distance, 2, 1, 1));
            CollectionMetadata meta = cluster.nodes.get(0).metadata().collection("c");
            long holder0 = meta.shards().replicas(0).firstKey();
            long holder1 = meta.shards().replicas(1).firstKey();
            long spare = cluster.nodes.stream().mapToLong(ClusterNode::peerId)
                    .filter(p -> p != holder0 && p != holder1).findFirst().orElseThrow();
            return new Placement(holder0, holder1, spare);
        }
    }

    @Test
    void moveReplicateAndDropDuringWrites(@TempDir Path dir) throws Exception {
        System.out.println("DataPlaneTest seed " + SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            Placement placement = Placement.create(cluster, Distance.DOT);
            long holder0 = placement.holder0();
            long holder1 = placement.holder1();
            long spare = placement.spare();
            Writer writer = new Writer(cluster, indexOf(cluster, spare), 1_000_000, SEED);
            Thread thread = Thread.ofVirtual().start(writer);
            TestCluster.await("writes before the transfers", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 300);

            ClusterCollectionCatalog catalog = cluster.catalogs.get(1);
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,\"from_peer_id\":"
                    + holder0 + ",\"to_peer_id\":" + spare + "}}"));
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"move_shard\":{\"shard_id\":1,\"from_peer_id\":"
                    + holder1 + ",\"to_peer_id\":" + spare + ",\"method\":\"stream_records\"}}"));
            assertFalse(catalog.find("c").orElseThrow().clusterInfoJson().get("shard_transfers").isEmpty()
                    && cluster.nodes.get(1).metadata().collection("c").shards().state(1, spare) == null,
                    "the move shows as a transfer or is already done");
            int atStart = writer.acknowledged.size();
            TestCluster.await("writes during the transfers", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= atStart + 100);
            cluster.awaitAllActive("c", Duration.ofSeconds(60));
            writer.finish(thread);
            System.out.println("acknowledged " + writer.acknowledged.size() + " points, " + writer.failures.get()
                    + " failed attempts");

            CollectionMetadata after = cluster.nodes.get(0).metadata().collection("c");
            assertEquals(Set.of(holder0, spare), after.shards().replicas(0).keySet());
            assertEquals(Set.of(spare), after.shards().replicas(1).keySet());
            assertAcknowledgedEverywhere(cluster, "c", writer.acknowledged);
            TestCluster.await("the moved replica dropped from its old peer", Duration.ofSeconds(10), () -> cluster.catalogs
                    .get(indexOf(cluster, holder1)).dataPlane().replicas().find("c", 1).isEmpty());

            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"drop_replica\":{\"shard_id\":0,\"peer_id\":" + holder0 + "}}"));
            assertEquals(Set.of(spare), cluster.nodes.get(1).metadata().collection("c").shards().replicas(0).keySet());
            assertThrows(io.quiver.engine.BadRequestException.class, () -> catalog.clusterOperation("c",
                    TestCluster.MAPPER.readTree("{\"drop_replica\":{\"shard_id\":0,\"peer_id\":" + spare + "}}")));
            assertEquals(writer.acknowledged.size(), cluster.catalogs.get(0).find("c").orElseThrow().count(null));
            assertNotNull(catalog.find("c").orElseThrow().infoJson());
        }
    }

    @Test
    void snapshotTransfersDuringWritesLoseNoWrite(@TempDir Path dir) throws Exception {
        System.out.println("DataPlaneTest seed " + SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            Placement placement = Placement.create(cluster, Distance.EUCLID);
            long holder0 = placement.holder0();
            long holder1 = placement.holder1();
            long spare = placement.spare();
            Writer writer = new Writer(cluster, indexOf(cluster, spare), 2_000_000, SEED);
            Thread thread = Thread.ofVirtual().start(writer);
            TestCluster.await("writes before the transfers", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 300);

            ClusterCollectionCatalog catalog = cluster.catalogs.get(2);
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,"
                    + "\"from_peer_id\":" + holder0 + ",\"to_peer_id\":" + spare + ",\"method\":\"snapshot\"}}"));
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"move_shard\":{\"shard_id\":1,"
                    + "\"from_peer_id\":" + holder1 + ",\"to_peer_id\":" + spare + ",\"method\":\"snapshot\"}}"));
            int atStart = writer.acknowledged.size();
            TestCluster.await("writes during the transfers", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= atStart + 100);
            cluster.awaitAllActive("c", Duration.ofSeconds(60));
            int atEnd = writer.acknowledged.size();
            TestCluster.await("writes after the transfers", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= atEnd + 50);
            writer.finish(thread);
            System.out.println("acknowledged " + writer.acknowledged.size() + " points, " + writer.failures.get()
                    + " failed attempts");

            CollectionMetadata after = cluster.nodes.get(0).metadata().collection("c");
            assertEquals(Set.of(holder0, spare), after.shards().replicas(0).keySet());
            assertEquals(Set.of(spare), after.shards().replicas(1).keySet());
            assertAcknowledgedEverywhere(cluster, "c", writer.acknowledged);
            assertReplicasSearchAlike(cluster.catalogs.get(0).dataPlane(), "c", new Random(SEED));
            assertEquals(writer.acknowledged.size(), cluster.catalogs.get(0).find("c").orElseThrow().count(null));
            assertThrows(io.quiver.engine.BadRequestException.class, () -> catalog.clusterOperation("c",
                    TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":1,\"from_peer_id\":" + spare
                            + ",\"to_peer_id\":" + holder1 + ",\"method\":\"wal_delta\"}}")));
        }
    }

    @Test
    void dropReplicaRefusesToRemoveTheLastActiveReplica(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 2)) {
            ClusterCollectionCatalog catalog = cluster.catalogs.get(0);
            catalog.create("c", DataNodes.config(DIM, Distance.DOT, 1, 2, 1));
            cluster.awaitAllActive("c", Duration.ofSeconds(30));
            long first = cluster.nodes.get(0).peerId();
            long second = cluster.nodes.get(1).peerId();
            cluster.nodes.get(0).propose(new MetadataOperation.SetReplicaState("c", 0, second, ReplicaState.Partial,
                    ReplicaState.Active)).get(30, java.util.concurrent.TimeUnit.SECONDS);
            io.quiver.engine.BadRequestException refused = assertThrows(io.quiver.engine.BadRequestException.class,
                    () -> catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"drop_replica\":{\"shard_id\":0,"
                            + "\"peer_id\":" + first + "}}")));
            assertEquals("Wrong input: Shard 0 must have at least one active replica after removing " + first,
                    refused.getMessage());
            assertEquals(ReplicaState.Active, cluster.nodes.get(0).metadata().collection("c").shards().state(0, first));
        }
    }

    @Test
    void snapshotTransferFromTheNonOrderingReplica(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            ClusterCollectionCatalog catalog = cluster.catalogs.get(0);
            catalog.create("c", DataNodes.config(DIM, Distance.DOT, 1, 2, 1));
            cluster.awaitAllActive("c", Duration.ofSeconds(30));
            CollectionMetadata meta = cluster.nodes.get(0).metadata().collection("c");
            long notOrderer = meta.shards().replicas(0).lastKey(); // the ordering replica is the lowest Active id
            long spare = cluster.nodes.stream().mapToLong(ClusterNode::peerId)
                    .filter(p -> !meta.shards().replicas(0).containsKey(p)).findFirst().orElseThrow();
            Random random = new Random(SEED);
            List<Point> points = new ArrayList<>();
            for (int j = 0; j < 300; j++) {
                points.add(new Point(PointId.of(j), vector(random), payload(j)));
            }
            catalog.find("c").orElseThrow().upsert(points, true);
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,"
                    + "\"from_peer_id\":" + notOrderer + ",\"to_peer_id\":" + spare + ",\"method\":\"snapshot\"}}"));
            TestCluster.await("the snapshot transfer ends", Duration.ofSeconds(30),
                    () -> cluster.nodes.get(0).metadata().collection("c").transfers().isEmpty());
            assertEquals(ReplicaState.Active, cluster.nodes.get(0).metadata().collection("c").shards().state(0, spare),
                    "the transfer from a non-ordering source completed");
            int s = indexOf(cluster, spare);
            assertEquals(300, cluster.catalogs.get(s).dataPlane().replicas().find("c", 0).orElseThrow().count(null));
        }
    }

    @Test
    void defaultShardNumberIsThePeerCount(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            for (ClusterCollectionCatalog catalog : cluster.catalogs) {
                assertEquals(3, catalog.defaultShardNumber(), "Qdrant's default shard_number: one per peer");
            }
        }
    }

    @Test
    void snapshotNamesCarryThePeerId(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 2)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.DOT, 1, 2, 1));
            cluster.awaitAllActive("c", Duration.ofSeconds(30));
            for (int i = 0; i < 2; i++) {
                long peer = cluster.nodes.get(i).peerId();
                int node = i;
                TestCluster.await("the collection open on node " + i, Duration.ofSeconds(10),
                        () -> cluster.catalogs.get(node).find("c").isPresent());
                CollectionService service = cluster.catalogs.get(i).find("c").orElseThrow();
                String name = service.createSnapshot(dir.resolve("snapshots" + i)).name();
                assertTrue(name.startsWith("c-" + peer + "-"), name + " names peer " + peer);
                String shardName = service.createShardSnapshot(dir.resolve("snapshots" + i), 0).name();
                assertTrue(shardName.startsWith("c-shard-0-" + peer + "-"), shardName + " names peer " + peer);
            }
        }
    }

    @Test
    void abortTransferStopsIt(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 2)) {
            ClusterCollectionCatalog catalog = cluster.catalogs.get(0);
            catalog.create("c", DataNodes.config(DIM, Distance.DOT, 1, 1, 1));
            long holder = cluster.nodes.get(0).metadata().collection("c").shards().replicas(0).firstKey();
            long target = cluster.nodes.stream().mapToLong(ClusterNode::peerId).filter(p -> p != holder).findFirst().orElseThrow();
            Random random = new Random(SEED);
            for (int batch = 0; batch < 20; batch++) {
                List<Point> points = new ArrayList<>();
                for (int j = 0; j < 250; j++) {
                    points.add(new Point(PointId.of(batch * 250L + j), vector(random), payload(j)));
                }
                catalog.find("c").orElseThrow().upsert(points, false);
            }
            catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,"
                    + "\"from_peer_id\":" + holder + ",\"to_peer_id\":" + target + "}}"));
            boolean aborted;
            try {
                catalog.clusterOperation("c", TestCluster.MAPPER.readTree("{\"abort_transfer\":{\"shard_id\":0,"
                        + "\"from_peer_id\":" + holder + ",\"to_peer_id\":" + target + "}}"));
                aborted = true;
            } catch (io.quiver.engine.NotFoundException finishedFirst) {
                aborted = false;
            }
            System.out.println("abort_transfer " + (aborted ? "aborted the transfer" : "came after its end"));
            CollectionMetadata after = cluster.nodes.get(0).metadata().collection("c");
            assertTrue(after.transfers().isEmpty());
            if (aborted) {
                assertEquals(null, after.shards().state(0, target), "the aborted target is removed");
                int t = indexOf(cluster, target);
                TestCluster.await("the aborted replica dropped", Duration.ofSeconds(10),
                        () -> cluster.catalogs.get(t).dataPlane().replicas().find("c", 0).isEmpty());
            } else {
                assertEquals(ReplicaState.Active, after.shards().state(0, target));
            }
            assertEquals(5000, catalog.find("c").orElseThrow().count(null));
            assertThrows(io.quiver.engine.BadRequestException.class, () -> catalog.clusterOperation("c",
                    TestCluster.MAPPER.readTree("{\"move_shard\":{\"shard_id\":0,\"from_peer_id\":" + holder
                            + ",\"to_peer_id\":" + target + ",\"method\":\"wal_delta\"}}")));
            assertThrows(io.quiver.engine.BadRequestException.class, () -> catalog.clusterOperation("c",
                    TestCluster.MAPPER.readTree("{\"move_shard\":{\"shard_id\":7,\"from_peer_id\":1,\"to_peer_id\":2}}")));
        }
    }

    @Test
    void aTransferToAPeerThatIsDownFailsAtOnceAndLeavesTheShardAsItWas(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.DOT, 1, 1, 1));
            long holder = cluster.nodes.get(0).metadata().collection("c").shards().replicas(0).firstKey();
            int down = -1;
            int other = -1;
            for (int i = 0; i < 3; i++) {
                if (cluster.nodes.get(i).peerId() != holder) {
                    if (down < 0) {
                        down = i;
                    } else {
                        other = i;
                    }
                }
            }
            long target = cluster.nodes.get(down).peerId();
            TestCluster.await("the collection on every node", Duration.ofSeconds(10),
                    () -> cluster.nodes.stream().allMatch(n -> n.metadata().collection("c") != null));
            cluster.stop(down);
            // asked on the ordering replica itself, then on a peer that forwards to it
            List<Integer> live = List.of(indexOf(cluster, holder), other);
            for (int asked : live) {
                ClusterCollectionCatalog catalog = cluster.catalogs.get(asked);
                long start = System.nanoTime();
                ClusterException e = assertThrows(ClusterException.class, () -> catalog.clusterOperation("c",
                        TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,\"from_peer_id\":" + holder
                                + ",\"to_peer_id\":" + target + "}}")));
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertEquals(ClusterException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains(Long.toString(target)), e.getMessage());
                // the target's refused connection is the answer: no retries for the whole retry window
                assertTrue(millis < DataPlane.RETRY_WINDOW.toMillis() / 3, "failed after " + millis + " ms");
                // the abort is applied on every live node, and the shard keeps its one replica
                TestCluster.await("the transfer aborted everywhere", Duration.ofSeconds(10), () -> live.stream()
                        .map(i -> cluster.nodes.get(i).metadata().collection("c"))
                        .allMatch(m -> m.transfers().isEmpty() && m.shards().replicas(0).keySet().equals(Set.of(holder))));
            }
        }
    }
}
