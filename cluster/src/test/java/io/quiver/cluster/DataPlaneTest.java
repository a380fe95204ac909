package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.DataPlaneTestSupport.Writer;
import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Quiver;
import io.quiver.engine.Record;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.assertAcknowledgedEverywhere;
import static io.quiver.cluster.DataPlaneTestSupport.assertSameHits;
import static io.quiver.cluster.DataPlaneTestSupport.indexOf;
import static io.quiver.cluster.DataPlaneTestSupport.payload;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicated writes and reads on in-JVM nodes: placement, writes through any node, fan-out reads (also with
 * {@code read_fan_out_factor}) equal to a single-node reference, fencing of forwarded writes, read consistency, config
 * changes and drops reaching every replica, and Listener replicas that get every write but serve no reads.
 */
class DataPlaneTest {
    /**
     * Qdrant's {@code read_fan_out_factor}: without it a read of a one-shard, two-replica collection runs on one
     * replica; with factor 1 (set by a config update) it runs on both, the first answer wins, and results stay exact.
     */
    @Test
    void readFanOutFactorAsksMoreReplicasAtOnce(@TempDir Path dir) throws Exception {
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 2);
             Quiver reference = Quiver.open(dir.resolve("reference"), EngineOptions.defaults())) {
            cluster.catalogs.get(0).create("f", DataNodes.config(DIM, Distance.EUCLID, 1, 2, 2));
            Collection ref = reference.createCollection("f", CollectionConfig.of(DIM, Distance.EUCLID));
            cluster.awaitAllActive("f", Duration.ofSeconds(30));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                points.add(new Point(PointId.of(i), vector(random), payload(i)));
            }
            cluster.catalogs.get(0).find("f").orElseThrow().upsert(points, true);
            ref.upsert(points, true);

            SearchRequest request = new SearchRequest(vector(random), null, 10, 0, WithPayload.NONE, false, null, null,
                    true);
            long before = localSearches(cluster);
            assertSameHits(ref.search(request), cluster.catalogs.get(1).find("f").orElseThrow().search(request),
                    "one replica");
            assertEquals(before + 1, localSearches(cluster), "without fan-out one replica runs the search");

            cluster.catalogs.get(1).update("f", TestCluster.MAPPER.readTree("{\"params\":{\"read_fan_out_factor\":1}}"));
            TestCluster.await("the fan-out factor on both nodes", Duration.ofSeconds(10), () -> cluster.nodes.stream()
                    .allMatch(n -> n.metadata().collection("f").config().at("/params/read_fan_out_factor").asInt() == 1));
            for (int q = 0; q < 5; q++) {
                SearchRequest probe = new SearchRequest(vector(random), null, 10, 0, WithPayload.NONE, false, null,
                        null, true);
                long start = localSearches(cluster);
                assertSameHits(ref.search(probe), cluster.catalogs.get(q % 2).find("f").orElseThrow().search(probe),
                        "fan-out " + q);
                // the slower replica's search may still be running when the first answer returns
                TestCluster.await("both replicas searched", Duration.ofSeconds(10),
                        () -> localSearches(cluster) == start + 2);
            }
        }
    }

    private static long localSearches(DataNodes cluster) {
        return cluster.catalogs.stream().mapToLong(ClusterCollectionCatalog::localSearchCount).sum();
    }

    @Test
    void replicatedWritesAndFanOutReadsMatchASingleNode(@TempDir Path dir) throws Exception {
        System.out.println("DataPlaneTest seed " + SEED);
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 3);
             Quiver reference = Quiver.open(dir.resolve("reference"), EngineOptions.defaults())) {
            CollectionConfig config = DataNodes.config(DIM, Distance.EUCLID, 3, 2, 2);
            cluster.catalogs.get(0).create("c", config);
            assertThrows(AlreadyExistsException.class, () -> cluster.catalogs.get(1).create("c", config));
            assertThrows(io.quiver.engine.ValidationException.class, () -> cluster.catalogs.get(1).create("a~1", config));
            assertThrows(io.quiver.engine.ValidationException.class, () -> cluster.catalogs.get(1).create("x".repeat(254), config));
            Collection ref = reference.createCollection("c", CollectionConfig.of(DIM, Distance.EUCLID));

            // placement: 3 shards x 2 distinct peers, 2 replicas per peer, the same on every node
            CollectionMetadata meta = cluster.nodes.get(0).metadata().collection("c");
            Map<Long, Integer> perPeer = new java.util.HashMap<>();
            for (SortedMap<Long, ReplicaState> replicas : meta.shards().asMap().values()) {
                assertEquals(2, replicas.size());
                replicas.keySet().forEach(p -> perPeer.merge(p, 1, Integer::sum));
            }
            assertEquals(Map.of(2, 3), Map.of(2, perPeer.values().stream().filter(n -> n == 2).toList().size()));
            for (int i = 0; i < 3; i++) {
                ClusterNode node = cluster.nodes.get(i);
                Quiver store = cluster.catalogs.get(i).dataPlane().replicas().store();
                TestCluster.await("replicas on node " + i, Duration.ofSeconds(10), () -> store.collectionNames().size() == 2);
                assertTrue(cluster.catalogs.get(i).names().contains("c"));
                meta.shards().asMap().forEach((shard, replicas) -> assertEquals(replicas.containsKey(node.peerId()),
                        store.findCollection("c~" + shard).isPresent()));
            }

            CollectionService viaOne = cluster.catalogs.get(1).find("c").orElseThrow();
            for (int batch = 0; batch < 8; batch++) {
                List<Point> points = new ArrayList<>();
                for (int j = 0; j < 50; j++) {
                    long id = batch * 50L + j;
                    points.add(new Point(PointId.of(id), vector(random), payload(id)));
                }
                viaOne.upsert(points, true);
                ref.upsert(points, true);
            }
            List<Point> uuids = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                uuids.add(new Point(PointId.of(new java.util.UUID(random.nextLong(), random.nextLong())), vector(random),
                        payload(1000 + k)));
            }
            cluster.catalogs.get(2).find("c").orElseThrow().upsert(uuids, true);
            ref.upsert(uuids, true);
            assertReadsEqual(cluster, ref, random, 410);

            // deletes by filter and payload edits by ids, through other nodes
            var even = FilterParser.parse(TestCluster.MAPPER.readTree("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}"));
            cluster.catalogs.get(2).find("c").orElseThrow().delete(PointsSelector.filter(even), true);
            ref.delete(PointsSelector.filter(even), true);
            List<PointId> edited = List.of(PointId.of(1), PointId.of(33), PointId.of(399));
            ObjectNode extra = TestCluster.MAPPER.createObjectNode().put("tag", "x");
            cluster.catalogs.get(0).find("c").orElseThrow().setPayload(PointsSelector.ids(edited), extra, null, true);
            ref.setPayload(PointsSelector.ids(edited), extra, null, true);
            assertReadsEqual(cluster, ref, random, 205);

            // every replica of a shard holds the same points
            assertReplicasEqual(cluster, "c");

            // a forwarded write from a peer that is not the shard's ordering replica is refused (fencing)
            SortedMap<Long, ReplicaState> shard0 = meta.shards().replicas(0);
            long orderer0 = shard0.firstKey();
            long follower0 = shard0.lastKey();
            ObjectNode stale = DataPlane.message("c", 0).put("wait", true).put("from", follower0);
            stale.set("op", ShardOperation.delete(PointsSelector.ids(PointId.of(1))).json());
            DataPlane plane = cluster.catalogs.get(indexOf(cluster, orderer0)).dataPlane();
            assertThrows(DataPlane.NotOrdererException.class, () -> plane.call(orderer0, "apply", stale, Duration.ofSeconds(5)));
            DataPlane other = cluster.catalogs.get(indexOf(cluster, follower0)).dataPlane();
            assertThrows(DataPlane.NotOrdererException.class, () -> other.call(orderer0, "apply", stale, Duration.ofSeconds(5)));

            // read consistency: all replicas answer alike here; a point slipped into one replica behind the cluster's
            // back is seen with consistency 1 (local replica first) but not with "all"
            CollectionService via0 = cluster.catalogs.get(0).find("c").orElseThrow();
            SearchRequest probe = new SearchRequest(vector(random), null, 10, 0, WithPayload.ALL, false, null, null, true);
            assertSameHits(ref.search(probe), via0.search(probe, ReadConsistency.parse("all")), "consistency all");
            assertEquals(205, via0.count(null, ReadConsistency.parse("majority")));
            assertEquals(205, via0.count(null, ReadConsistency.parse("3")), "a factor above the replica count is clamped");
            long strayId = 1_000_000_000L;
            while (cluster.catalogs.get(0).dataPlane().replicas().find("c", ShardRouter.shardOf(PointId.of(strayId), 3)).isEmpty()) {
                strayId++;
            }
            PointId stray = PointId.of(strayId);
            Collection local = cluster.catalogs.get(0).dataPlane().replicas().find("c", ShardRouter.shardOf(stray, 3)).orElseThrow();
            {
                local.upsert(List.of(new Point(stray, vector(random), null)), true);
                assertEquals(206, via0.count(null, ReadConsistency.ONE));
                assertEquals(205, via0.count(null, ReadConsistency.parse("all")));
                assertEquals(List.of(), via0.retrieve(List.of(stray), WithPayload.NONE, false, ReadConsistency.parse("all")));
                assertEquals(List.of(), via0.retrieve(List.of(stray), WithPayload.NONE, false, ReadConsistency.parse("9")),
                        "factor 9 over 2 replicas asks both");
                assertEquals(1, via0.retrieve(List.of(stray), WithPayload.NONE, false, ReadConsistency.ONE).size());
                local.delete(PointsSelector.ids(stray), true);
            }
            assertEquals(205, cluster.catalogs.get(2).find("c").orElseThrow().infoJson().get("points_count").asLong());
            assertEquals(2, cluster.catalogs.get(0).find("c").orElseThrow().clusterInfoJson().get("local_shards").size());

            // a config change reaches the metadata and every replica
            cluster.catalogs.get(1).update("c", TestCluster.MAPPER.readTree(
                    "{\"optimizers_config\":{\"indexing_threshold\":1234},\"hnsw_config\":{\"ef_construct\":77}}"));
            assertEquals(1234, cluster.catalogs.get(0).find("c").orElseThrow().config().optimizers().indexingThresholdKb());
            for (int i = 0; i < 3; i++) {
                Quiver store = cluster.catalogs.get(i).dataPlane().replicas().store();
                TestCluster.await("config on the replicas of node " + i, Duration.ofSeconds(10), () -> store.collectionNames()
                        .stream().map(store::collection).allMatch(r -> r.config().optimizers().indexingThresholdKb() == 1234
                                && r.config().hnsw().efConstruct() == 77));
            }
            assertThrows(io.quiver.engine.NotFoundException.class, () -> cluster.catalogs.get(1).update("nope",
                    TestCluster.MAPPER.createObjectNode()));

            assertTrue(cluster.catalogs.get(2).delete("c"));
            assertFalse(cluster.catalogs.get(2).delete("c"));
            for (int i = 0; i < 3; i++) {
                Quiver store = cluster.catalogs.get(i).dataPlane().replicas().store();
                TestCluster.await("replicas dropped on node " + i, Duration.ofSeconds(10), () -> store.collectionNames().isEmpty());
            }
        }
    }

    static void assertReadsEqual(DataNodes cluster, Collection ref, Random random, long expectedCount) {
        for (int i = 0; i < cluster.catalogs.size(); i++) {
            CollectionService service = cluster.catalogs.get(i).find("c").orElseThrow();
            assertEquals(expectedCount, service.count(null), "count through node " + i);
            for (int q = 0; q < 4; q++) {
                SearchRequest request = new SearchRequest(vector(random), null, 10, q, WithPayload.ALL, false, null,
                        null, true);
                assertSameHits(ref.search(request), service.search(request), "node " + i);
            }
            List<Record> all = new ArrayList<>();
            PointId offset = null;
            do {
                ScrollResult page = service.scroll(new ScrollRequest(offset, 37, null, WithPayload.ALL, true));
                all.addAll(page.points());
                offset = page.nextPageOffsetOrNull();
            } while (offset != null);
            List<Record> expected = ref.scroll(new ScrollRequest(null, 10_000, null, WithPayload.ALL, true)).points();
            assertEquals(expected.size(), all.size());
            for (int k = 0; k < expected.size(); k++) {
                assertEquals(expected.get(k).id(), all.get(k).id());
                assertEquals(expected.get(k).payloadOrNull(), all.get(k).payloadOrNull());
                assertTrue(java.util.Arrays.equals(expected.get(k).vectorOrNull(), all.get(k).vectorOrNull()));
            }
            List<PointId> ids = List.of(PointId.of(399), PointId.of(7), PointId.of(123_456), PointId.of(1));
            assertEquals(ref.retrieve(ids, WithPayload.ALL, false).stream().map(Record::id).toList(),
                    service.retrieve(ids, WithPayload.ALL, false).stream().map(Record::id).toList());
        }
    }

    /** Every replica of every shard holds the same ids and payloads. */
    static void assertReplicasEqual(DataNodes cluster, String collection) {
        CollectionMetadata meta = cluster.nodes.get(0).metadata().collection(collection);
        meta.shards().asMap().forEach((shard, replicas) -> {
            List<List<Record>> contents = new ArrayList<>();
            replicas.keySet().forEach(peer -> {
                int i = indexOf(cluster, peer);
                Collection replica = cluster.catalogs.get(i).dataPlane().replicas().find(collection, shard).orElseThrow();
                contents.add(replica.scroll(new ScrollRequest(null, 100_000, null, WithPayload.ALL, false)).points());
            });
            for (List<Record> other : contents) {
                assertEquals(contents.get(0), other, "replicas of shard " + shard);
            }
        });
    }

    @Test
    void listenerReplicasReceiveEveryWriteButServeNoReads(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            int port0 = TestCluster.freePort();
            ClusterNode normal0 = cluster.start("n0", port0, null);
            normal0.ready().get(20, java.util.concurrent.TimeUnit.SECONDS);
            ClusterNode normal1 = cluster.start("n1", TestCluster.freePort(), port0);
            ClusterNode listener = cluster.start(TestCluster.options(dir.resolve("l"), TestCluster.freePort(), port0)
                    .withNodeType(NodeType.Listener));
            normal1.ready().get(20, java.util.concurrent.TimeUnit.SECONDS);
            listener.ready().get(20, java.util.concurrent.TimeUnit.SECONDS);
            TestCluster.await("listener registered", Duration.ofSeconds(10), () -> normal0.metadata().peers().size() == 3
                    && normal0.metadata().peer(listener.peerId()).nodeType() == NodeType.Listener);
            Map<Long, float[]> acknowledged = new java.util.HashMap<>();
            try (ClusterCollectionCatalog c0 = DataNodes.openCatalog(normal0, dir.resolve("n0"), false);
                 ClusterCollectionCatalog c1 = DataNodes.openCatalog(normal1, dir.resolve("n1"), false);
                 ClusterCollectionCatalog cl = DataNodes.openCatalog(listener, dir.resolve("l"), false)) {
                c0.create("c", DataNodes.config(DIM, Distance.COSINE, 2, 3, 2));
                CollectionMetadata meta = normal0.metadata().collection("c");
                for (SortedMap<Long, ReplicaState> replicas : meta.shards().asMap().values()) {
                    assertEquals(ReplicaState.Listener, replicas.get(listener.peerId()));
                    assertEquals(2, replicas.values().stream().filter(s -> s == ReplicaState.Active).count());
                }
                Writer writer = new Writer(() -> cl.find("c").orElseThrow(), 0, SEED);
                Thread thread = Thread.ofVirtual().start(writer);
                TestCluster.await("writes through the listener node", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 200);
                writer.finish(thread);
                acknowledged.putAll(writer.acknowledged);
                // the listener holds every write (checked over the data plane, as for any replica) ...
                assertAcknowledgedEverywhere(c0.dataPlane(), "c", writer.acknowledged);
                // ... and reads through it are served by the Active replicas
                assertEquals(writer.acknowledged.size(), cl.find("c").orElseThrow().count(null));
                assertEquals(meta.shards().asMap(), normal0.metadata().collection("c").shards().asMap(), "states unchanged");
            }
            // turned back into a Normal node (same storage and port), its replicas become Active through a transfer
            String endpoint = listener.endpoint();
            int listenerPort = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
            listener.close();
            ClusterNode turned = cluster.start(TestCluster.options(dir.resolve("l"), listenerPort, port0)
                    .withNodeType(NodeType.Normal));
            turned.ready().get(20, java.util.concurrent.TimeUnit.SECONDS);
            try (ClusterCollectionCatalog c0 = DataNodes.openCatalog(normal0, dir.resolve("n0"), false);
                 ClusterCollectionCatalog c1 = DataNodes.openCatalog(normal1, dir.resolve("n1"), false);
                 ClusterCollectionCatalog c2 = DataNodes.openCatalog(turned, dir.resolve("l"), true)) {
                TestCluster.await("the former Listener's replicas Active", Duration.ofSeconds(30), () -> {
                    CollectionMetadata c = normal0.metadata().collection("c");
                    return normal0.metadata().peer(turned.peerId()).nodeType() == NodeType.Normal
                            && c.transfers().isEmpty() && c.shards().asMap().values().stream()
                                    .allMatch(r -> r.get(turned.peerId()) == ReplicaState.Active);
                });
                assertAcknowledgedEverywhere(c0.dataPlane(), "c", acknowledged);
            }
        }
    }
}
