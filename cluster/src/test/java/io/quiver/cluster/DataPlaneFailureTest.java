package io.quiver.cluster;

import io.quiver.cluster.DataPlaneTestSupport.Writer;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
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
import static io.quiver.cluster.DataPlaneTestSupport.assertSameHits;
import static io.quiver.cluster.DataPlaneTestSupport.indexOf;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopped and restarted nodes: a stopped node's replicas are marked Dead while writes go on and recovered by transfers
 * after its restart, a restart of the whole cluster keeps every acknowledged point and the same search results, and
 * {@code write_consistency_factor} refuses a write at once while a replica is down.
 */
class DataPlaneFailureTest {
    @Test
    void stoppedReplicaIsMarkedDeadAndRecoveredByTransfer(@TempDir Path dir) throws Exception {
        System.out.println("DataPlaneTest seed " + SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.COSINE, 3, 2, 1));
            Writer writer = new Writer(cluster, 0, 0, SEED);
            Thread thread = Thread.ofVirtual().start(writer);
            TestCluster.await("writes before the stop", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 200);
            long stoppedPeer = cluster.nodes.get(2).peerId();
            cluster.stop(2);
            TestCluster.await("the stopped node's replicas marked Dead", Duration.ofSeconds(30), () -> {
                CollectionMetadata c = cluster.nodes.get(0).metadata().collection("c");
                return c.shards().asMap().values().stream().filter(r -> r.containsKey(stoppedPeer))
                        .allMatch(r -> r.get(stoppedPeer) == ReplicaState.Dead);
            });
            int before = writer.acknowledged.size();
            TestCluster.await("writes while it is down", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= before + 200);
            cluster.restart(2);
            int afterRestart = writer.acknowledged.size();
            TestCluster.await("writes during the recovery", Duration.ofSeconds(20),
                    () -> writer.acknowledged.size() >= afterRestart + 100);
            cluster.awaitAllActive("c", Duration.ofSeconds(60));
            writer.finish(thread);
            System.out.println("acknowledged " + writer.acknowledged.size() + " points, " + writer.failures.get()
                    + " failed attempts");
            assertAcknowledgedEverywhere(cluster, "c", writer.acknowledged);
            Random random = new Random(SEED + 1);
            CollectionService through2 = cluster.catalogs.get(2).find("c").orElseThrow();
            CollectionService through0 = cluster.catalogs.get(0).find("c").orElseThrow();
            assertEquals(writer.acknowledged.size(), through2.count(null));
            for (int q = 0; q < 5; q++) {
                SearchRequest request = new SearchRequest(vector(random), null, 10, 0, WithPayload.NONE, false, null,
                        null, true);
                assertSameHits(through0.search(request), through2.search(request), "through the restarted node");
            }
        }
    }

    @Test
    void wholeClusterRestartKeepsEveryPointAndConverges(@TempDir Path dir) throws Exception {
        System.out.println("DataPlaneTest seed " + SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.EUCLID, 3, 2, 2));
            Writer writer = new Writer(cluster, 1, 0, SEED);
            Thread thread = Thread.ofVirtual().start(writer);
            TestCluster.await("writes", Duration.ofSeconds(20), () -> writer.acknowledged.size() >= 300);
            writer.finish(thread);
            Random random = new Random(SEED);
            List<SearchRequest> probes = new ArrayList<>();
            List<List<ScoredPoint>> before = new ArrayList<>();
            for (int q = 0; q < 5; q++) {
                probes.add(new SearchRequest(vector(random), null, 10, 0, WithPayload.NONE, false, null, null, true));
                before.add(cluster.catalogs.get(0).find("c").orElseThrow().search(probes.get(q)));
            }
            for (int i = 0; i < 3; i++) {
                cluster.stop(i);
            }
            // all nodes start together (one alone has no quorum), then each opens its catalog distrusting its replicas
            for (int i = 0; i < 3; i++) {
                cluster.nodes.set(i, cluster.cluster.start(cluster.cluster.optionsOf.get(cluster.nodes.get(i))));
            }
            for (int i = 0; i < 3; i++) {
                cluster.nodes.get(i).ready().get(30, java.util.concurrent.TimeUnit.SECONDS);
                cluster.catalogs.set(i, DataNodes.openCatalog(cluster.nodes.get(i), cluster.storages.get(i), true));
            }
            cluster.awaitAllActive("c", Duration.ofSeconds(60));
            assertAcknowledgedEverywhere(cluster, "c", writer.acknowledged);
            for (int i = 0; i < 3; i++) {
                CollectionService service = cluster.catalogs.get(i).find("c").orElseThrow();
                assertEquals(writer.acknowledged.size(), service.count(null));
                for (int q = 0; q < probes.size(); q++) {
                    assertSameHits(before.get(q), service.search(probes.get(q)), "after the restart, node " + i);
                }
            }
        }
    }

    @Test
    void writeConsistencyFactorIsEnforced(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.EUCLID, 1, 2, 2));
            Random random = new Random(SEED);
            Set<Long> holders = cluster.nodes.get(0).metadata().collection("c").shards().replicas(0).keySet();
            int victim = holders.stream().map(p -> indexOf(cluster, p)).filter(i -> i != 0).findFirst().orElseThrow();
            int via = victim == 1 ? 2 : 1;
            CollectionService service = cluster.catalogs.get(via).find("c").orElseThrow();
            service.upsert(List.of(new Point(PointId.of(1), vector(random))), true);
            cluster.stop(victim);
            long start = System.nanoTime();
            ClusterException refused = assertThrows(ClusterException.class,
                    () -> service.upsert(List.of(new Point(PointId.of(2), vector(random))), true));
            assertEquals(ClusterException.Kind.UNAVAILABLE, refused.kind());
            assertTrue(refused.getMessage().contains("consistency") || refused.getMessage().contains("last active"),
                    refused.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(12).toNanos(), "refused without the retry window");
            assertTrue(service.infoJson().get("points_count").asLong() >= 1, "info still served by the Active replica");
            cluster.restart(victim);
            cluster.awaitAllActive("c", Duration.ofSeconds(30));
            service.upsert(List.of(new Point(PointId.of(3), vector(random))), true);
            long count = service.count(null, ReadConsistency.parse("all"));
            assertTrue(count == 2 || count == 3, "points 1 and 3 acknowledged; the refused 2 may or may not be there: " + count);
        }
    }
}
