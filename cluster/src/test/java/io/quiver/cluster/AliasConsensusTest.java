package io.quiver.cluster;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.assertSameHits;
import static io.quiver.cluster.DataPlaneTestSupport.payload;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.AliasAction;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collection aliases on real in-JVM SOFAJRaft nodes, each with its {@link ClusterCollectionCatalog}: an alias made
 * through one node resolves at once on the others (reads and writes), a switch of an alias is one metadata entry
 * every node applies whole, a failing request changes nothing anywhere, a deleted collection takes its aliases along,
 * and aliases survive snapshots, a restart of the whole group from them, and the install of the leader's snapshot on a
 * follower.
 */
class AliasConsensusTest {
    @TempDir
    Path dir;

    private static void awaitSameAliases(DataNodes cluster, Map<String, String> expected) {
        TestCluster.await("aliases " + expected + " on every node", Duration.ofSeconds(10),
                () -> cluster.nodes.stream().allMatch(n -> n.metadata().aliases().asMap().equals(expected)));
    }

    private static List<Point> points(Random random, int from, int count) {
        List<Point> points = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            points.add(new Point(PointId.of(i), vector(random), payload(i)));
        }
        return points;
    }

    @Test
    void anAliasMadeOnOneNodeResolvesOnEveryNode() throws Exception {
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            ClusterCollectionCatalog first = cluster.catalogs.get(0);
            first.create("blue", DataNodes.config(DIM, Distance.COSINE, 2, 2, 1));
            first.create("green", DataNodes.config(DIM, Distance.COSINE, 1, 1, 1));
            cluster.awaitAllActive("blue", Duration.ofSeconds(30));
            cluster.awaitAllActive("green", Duration.ofSeconds(30));
            first.find("blue").orElseThrow().upsert(points(random, 0, 50), true);
            first.find("green").orElseThrow().upsert(points(random, 100, 30), true);

            cluster.catalogs.get(1).updateAliases(List.of(new AliasAction.Create("blue", "prod")));
            SearchRequest query = new SearchRequest(vector(random), null, 5, 0, WithPayload.ALL, false, null, null,
                    true);
            for (ClusterCollectionCatalog catalog : cluster.catalogs) {
                // resolved at once, also on a node that had not applied the entry yet (it catches up first)
                CollectionService viaAlias = catalog.resolve("prod").orElseThrow();
                assertEquals("blue", viaAlias.name());
                assertSameHits(catalog.find("blue").orElseThrow().search(query), viaAlias.search(query), "prod");
                assertTrue(catalog.find("prod").isEmpty(), "find does not resolve aliases");
            }
            // a write through the alias on another node lands in the collection
            cluster.catalogs.get(2).resolve("prod").orElseThrow().upsert(points(random, 50, 1), true);
            assertEquals(51, first.find("blue").orElseThrow().count(null));

            // the switch: one request, one entry, applied whole everywhere
            long before = cluster.nodes.get(0).appliedIndex();
            cluster.catalogs.get(2).updateAliases(List.of(new AliasAction.Delete("prod"),
                    new AliasAction.Create("green", "prod"), new AliasAction.Create("blue", "old")));
            awaitSameAliases(cluster, Map.of("prod", "green", "old", "blue"));
            TestCluster.await("the switch applied on node 0", Duration.ofSeconds(10),
                    () -> cluster.nodes.get(0).appliedIndex() > before);
            for (ClusterCollectionCatalog catalog : cluster.catalogs) {
                assertEquals(30, catalog.resolve("prod").orElseThrow().count(null));
                assertEquals(51, catalog.resolve("old").orElseThrow().count(null));
            }

            // a failing request is rejected the same way through any node and changes nothing
            ClusterException missing = assertThrows(ClusterException.class, () -> cluster.catalogs.get(1)
                    .updateAliases(List.of(new AliasAction.Delete("prod"), new AliasAction.Create("nope", "x"))));
            assertEquals(Kind.NOT_FOUND, missing.kind());
            assertEquals("Not found: Collection `nope` doesn't exist!", missing.getMessage());
            ClusterException clash = assertThrows(ClusterException.class, () -> first.updateAliases(
                    List.of(new AliasAction.Create("blue", "green"))));
            assertEquals(Kind.CONFLICT, clash.kind());
            BadRequestException taken = assertThrows(BadRequestException.class,
                    () -> cluster.catalogs.get(2).create("prod", DataNodes.config(DIM, Distance.COSINE, 1, 1, 1)));
            assertTrue(taken.getMessage().contains("Alias with the same name already exists"), taken.getMessage());
            awaitSameAliases(cluster, Map.of("prod", "green", "old", "blue"));

            // deleting through an alias deletes nothing; deleting the collection drops its aliases everywhere
            assertTrue(!cluster.catalogs.get(1).delete("prod"));
            assertTrue(cluster.catalogs.get(1).delete("green"));
            awaitSameAliases(cluster, Map.of("old", "blue"));
            assertTrue(cluster.catalogs.get(0).resolve("prod").isEmpty());
        }
    }

    @Test
    void aliasesSurviveSnapshotsAGroupRestartAndASnapshotInstall() throws Exception {
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            cluster.catalogs.get(0).create("c", DataNodes.config(DIM, Distance.EUCLID, 1, 3, 1));
            cluster.awaitAllActive("c", Duration.ofSeconds(30));
            cluster.catalogs.get(0).find("c").orElseThrow().upsert(points(random, 0, 20), true);
            cluster.catalogs.get(1).updateAliases(List.of(new AliasAction.Create("c", "a1"),
                    new AliasAction.Create("c", "a2")));
            cluster.catalogs.get(2).updateAliases(List.of(new AliasAction.Rename("a2", "b")));
            Map<String, String> expected = Map.of("a1", "c", "b", "c");
            awaitSameAliases(cluster, expected);
            long aliasIndex = cluster.nodes.stream().mapToLong(ClusterNode::appliedIndex).max().orElseThrow();

            for (ClusterNode node : cluster.nodes) {
                node.snapshotNow().get(10, TimeUnit.SECONDS);
                MetadataSnapshotFile.Content snap = MetadataSnapshotFile.read(
                        node.raftDirectory().latestSnapshot().resolve(MetadataSnapshotFile.FILE_NAME));
                assertEquals(expected, snap.metadata().aliases().asMap(), "the snapshot of " + node.peerId());
            }

            // the whole group stops and starts again from its snapshots
            for (int i = 0; i < 3; i++) {
                cluster.stop(i);
            }
            List<ClusterNode> restarted = new ArrayList<>();
            for (ClusterNode node : List.copyOf(cluster.nodes)) {
                restarted.add(cluster.cluster.start(cluster.cluster.optionsOf.get(node)));
            }
            for (int i = 0; i < 3; i++) {
                restarted.get(i).ready().get(30, TimeUnit.SECONDS);
                cluster.nodes.set(i, restarted.get(i));
                cluster.catalogs.set(i, DataNodes.openCatalog(restarted.get(i), cluster.storages.get(i), true));
            }
            for (ClusterNode node : cluster.nodes) {
                assertTrue(node.stateMachine().snapshotsLoaded() >= 1, "node " + node.peerId() + " loaded a snapshot");
                assertTrue(TestCluster.snapshotIndexOf(node) >= aliasIndex, "the aliases are inside the snapshot");
            }
            awaitSameAliases(cluster, expected);
            cluster.awaitAllActive("c", Duration.ofSeconds(60));
            for (ClusterCollectionCatalog catalog : cluster.catalogs) {
                assertEquals(20, catalog.resolve("b").orElseThrow().count(null));
            }

            // a follower that installs the leader's snapshot gets the aliases made since
            ClusterNode leader = TestCluster.leaderOf(cluster.nodes);
            int followerIndex = cluster.nodes.indexOf(cluster.nodes.stream().filter(n -> n != leader).findFirst()
                    .orElseThrow());
            cluster.catalogs.get(cluster.nodes.indexOf(leader)).updateAliases(
                    List.of(new AliasAction.Create("c", "fresh"), new AliasAction.Delete("a1")));
            ClusterNode follower = cluster.nodes.get(followerIndex);
            List<ClusterMetadata> installed = new java.util.concurrent.CopyOnWriteArrayList<>();
            follower.addListener(new MetadataListener() {
                @Override
                public void onApplied(long index, MetadataOperation op, ClusterMetadata before, ClusterMetadata after) {
                }

                @Override
                public void onReset(long index, ClusterMetadata state) {
                    installed.add(state);
                }
            });
            assertTrue(follower.recover().get(30, TimeUnit.SECONDS));
            assertEquals(1, installed.size(), "the leader's snapshot was installed");
            assertEquals(Map.of("b", "c", "fresh", "c"), installed.get(0).aliases().asMap());
            assertEquals(Map.of("b", "c", "fresh", "c"), follower.metadata().aliases().asMap());
            assertEquals(20, cluster.catalogs.get(followerIndex).resolve("fresh").orElseThrow().count(null));
            assertInstanceOf(ClusterCollectionService.class, cluster.catalogs.get(followerIndex).resolve("fresh")
                    .orElseThrow());
        }
    }
}
