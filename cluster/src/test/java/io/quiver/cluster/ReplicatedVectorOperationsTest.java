package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.Collection;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.ValidationException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.indexOf;
import static io.quiver.cluster.DataPlaneTestSupport.payload;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Updates and deletes of vectors on SOFAJRaft nodes in this JVM (127.0.0.1): written through any node, they reach
 * every replica of their shards through the ordering replica, as the other point writes do; reads through any node
 * show a deleted vector as missing and never return its point from a search; rejected requests change no replica;
 * and both kinds of shard transfer (streamed records, snapshot) copy points without a vector as they are.
 */
class ReplicatedVectorOperationsTest {
    private static final String NAME = "v";
    private static final int POINTS = 40;

    /** What every replica must hold for one point: its vector (null: deleted) and payload. */
    private record Expected(float[] vector, ObjectNode payload) {}

    @Test
    void vectorWritesReachEveryReplicaAndSurviveTransfers(@TempDir Path dir) throws Exception {
        System.out.println("ReplicatedVectorOperationsTest seed " + SEED);
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create(NAME, DataNodes.config(DIM, Distance.EUCLID, 2, 2, 2));
            cluster.awaitAllActive(NAME, Duration.ofSeconds(30));
            SortedMap<PointId, Expected> expected = new TreeMap<>();
            List<Point> points = new ArrayList<>();
            for (long i = 0; i < POINTS; i++) {
                Point p = new Point(PointId.of(i), vector(random), payload(i));
                points.add(p);
                // as stored and read back (JSON numbers of the smallest type)
                ObjectNode stored = (ObjectNode) TestCluster.MAPPER.readTree(p.payload().toString());
                expected.put(p.id(), new Expected(p.vector(), stored));
            }
            service(cluster, 0).upsert(points, true);

            // updates through node 1 (both shards), deletes by ids through node 2 and by filter through node 0
            List<PointVectors> updates = new ArrayList<>();
            for (long i = 0; i < POINTS; i += 5) {
                float[] v = vector(random);
                updates.add(new PointVectors(PointId.of(i), v));
                expected.put(PointId.of(i), new Expected(v, expected.get(PointId.of(i)).payload()));
            }
            assertTrue(service(cluster, 1).updateVectors(updates, true).operationId() > 0);
            List<PointId> deleted = List.of(PointId.of(1), PointId.of(2), PointId.of(10), PointId.of(500));
            service(cluster, 2).deleteVectors(PointsSelector.ids(deleted), List.of(""), true);
            service(cluster, 0).deleteVectors(PointsSelector.filter(FilterParser.parse(TestCluster.MAPPER.readTree(
                    "{\"must\":[{\"key\":\"i\",\"range\":{\"gte\":30,\"lt\":33}}]}"))), List.of(""), true);
            for (long i : new long[] {1, 2, 10, 30, 31, 32}) {
                expected.put(PointId.of(i), new Expected(null, expected.get(PointId.of(i)).payload()));
            }
            assertEveryReplicaHolds(cluster, expected);
            assertReadsThroughEveryNode(cluster, expected);

            // rejected requests change no replica
            PointId inShard0 = firstIdOfShard(0);
            PointId inShard1 = firstIdOfShard(1);
            PointId missingInOtherShard = PointId.of(1_000_000);
            while (ShardRouter.shardOf(missingInOtherShard, 2) == ShardRouter.shardOf(inShard0, 2)) {
                missingInOtherShard = PointId.of(Long.parseLong(missingInOtherShard.toString()) + 1);
            }
            PointId missing = missingInOtherShard;
            NotFoundException notFound = assertThrows(NotFoundException.class, () -> service(cluster, 1).updateVectors(
                    List.of(new PointVectors(inShard0, vector(random)), new PointVectors(missing, vector(random))),
                    true));
            assertEquals("Not found: No point with id " + missing + " found", notFound.getMessage());
            assertThrows(BadRequestException.class, () -> service(cluster, 2).updateVectors(List.of(
                    new PointVectors(inShard1, vector(random)), new PointVectors(inShard0, new float[DIM - 1])), true));
            float[] withNaN = vector(random);
            withNaN[3] = Float.NaN;
            assertThrows(BadRequestException.class, () -> service(cluster, 0).updateVectors(
                    List.of(new PointVectors(inShard1, withNaN)), true));
            assertThrows(ValidationException.class, () -> service(cluster, 0).updateVectors(List.of(), true));
            BadRequestException name = assertThrows(BadRequestException.class, () -> service(cluster, 0)
                    .deleteVectors(PointsSelector.ids(inShard0, inShard1), List.of("image"), true));
            assertEquals("Wrong input: Not existing vector name error: image", name.getMessage());
            assertEveryReplicaHolds(cluster, expected);

            // a streamed and a snapshot transfer copy the points without a vector as they are
            CollectionMetadata meta = cluster.nodes.get(0).metadata().collection(NAME);
            ClusterCollectionCatalog catalog = cluster.catalogs.get(1);
            for (int shard = 0; shard < 2; shard++) {
                SortedMap<Long, ReplicaState> replicas = meta.shards().replicas(shard);
                long spare = cluster.nodes.stream().mapToLong(ClusterNode::peerId)
                        .filter(p -> !replicas.containsKey(p)).findFirst().orElseThrow();
                String method = shard == 0 ? "stream_records" : "snapshot";
                catalog.clusterOperation(NAME, TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":"
                        + shard + ",\"from_peer_id\":" + replicas.firstKey() + ",\"to_peer_id\":" + spare
                        + ",\"method\":\"" + method + "\"}}"));
            }
            cluster.awaitAllActive(NAME, Duration.ofSeconds(60));
            CollectionMetadata after = cluster.nodes.get(0).metadata().collection(NAME);
            assertEquals(3, after.shards().replicas(0).size());
            assertEquals(3, after.shards().replicas(1).size());
            assertEveryReplicaHolds(cluster, expected);

            // a vector given back after the transfers reaches the new replicas too
            float[] back = vector(random);
            service(cluster, 2).updateVectors(List.of(new PointVectors(PointId.of(1), back)), true);
            expected.put(PointId.of(1), new Expected(back, expected.get(PointId.of(1)).payload()));
            assertEveryReplicaHolds(cluster, expected);
            assertReadsThroughEveryNode(cluster, expected);
        }
    }

    private static CollectionService service(DataNodes cluster, int node) {
        return cluster.catalogs.get(node).find(NAME).orElseThrow();
    }

    private static PointId firstIdOfShard(int shard) {
        for (long i = 0; ; i++) {
            if (ShardRouter.shardOf(PointId.of(i), 2) == shard && i % 5 != 0) {
                return PointId.of(i);
            }
        }
    }

    /** Every replica of every shard, read directly from its node's engine, holds exactly the expected points. */
    private static void assertEveryReplicaHolds(DataNodes cluster, SortedMap<PointId, Expected> expected) {
        CollectionMetadata meta = cluster.nodes.get(0).metadata().collection(NAME);
        meta.shards().asMap().forEach((shard, replicas) -> replicas.keySet().forEach(peer -> {
            Collection replica = cluster.catalogs.get(indexOf(cluster, peer)).dataPlane().replicas()
                    .find(NAME, shard).orElseThrow();
            String where = "shard " + shard + " on peer " + peer;
            List<Record> held = replica.scroll(new ScrollRequest(null, 1000, null, WithPayload.ALL, true)).points();
            Map<PointId, Expected> ofShard = new TreeMap<>();
            expected.forEach((id, e) -> {
                if (ShardRouter.shardOf(id, 2) == shard) {
                    ofShard.put(id, e);
                }
            });
            assertEquals(new ArrayList<>(ofShard.keySet()), held.stream().map(Record::id).toList(), where);
            for (Record r : held) {
                Expected e = ofShard.get(r.id());
                assertArrayEquals(e.vector(), r.vectorOrNull(), where + ", point " + r.id());
                assertEquals(e.vector() == null, r.vectorMissing(), where + ", point " + r.id());
                assertEquals(e.payload(), r.payloadOrNull(), where + ", point " + r.id());
            }
        }));
    }

    /** Retrieve, scroll, count and search through every node's service agree with the expected points. */
    private static void assertReadsThroughEveryNode(DataNodes cluster, SortedMap<PointId, Expected> expected) {
        List<PointId> ids = new ArrayList<>(expected.keySet());
        long withVector = expected.values().stream().filter(e -> e.vector() != null).count();
        for (int node = 0; node < cluster.catalogs.size(); node++) {
            CollectionService service = service(cluster, node);
            assertEquals(expected.size(), service.count(null), "count through node " + node);
            for (Record r : service.retrieve(ids, WithPayload.ALL, true)) {
                Expected e = expected.get(r.id());
                assertEquals(e.vector() == null, r.vectorMissing(), "node " + node + ", point " + r.id());
                assertTrue(Arrays.equals(e.vector(), r.vectorOrNull()), "node " + node + ", point " + r.id());
                if (e.vector() == null) {
                    assertEquals(TestCluster.MAPPER.createObjectNode(), r.toJson().get("vector"));
                }
            }
            Record one = service.scroll(new ScrollRequest(PointId.of(2), 1, null, WithPayload.NONE, true))
                    .points().get(0);
            assertEquals(expected.get(PointId.of(2)).vector() == null, one.vectorMissing());
            for (PointId id : ids) {
                Expected e = expected.get(id);
                if (e.vector() == null) {
                    assertNull(service.retrieve(List.of(id), WithPayload.NONE, true).get(0).vectorOrNull());
                }
            }
            List<ScoredPoint> all = service.search(new SearchRequest(new float[DIM], null, 1000, 0, WithPayload.NONE,
                    false, null, null, true));
            assertEquals(withVector, all.size(), "search through node " + node);
            for (ScoredPoint h : all) {
                assertFalse(expected.get(h.id()).vector() == null, h.id() + " found through node " + node);
            }
        }
    }
}
