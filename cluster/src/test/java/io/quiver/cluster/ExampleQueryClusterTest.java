package io.quiver.cluster;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.assertSameHits;
import static io.quiver.cluster.DataPlaneTestSupport.payload;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.Quiver;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches by example queries on real nodes: a collection of three shards spread over two nodes answers each query
 * kind (through either node, so shards are asked over the data plane) exactly as one local collection holding the
 * same points does — merged best (highest score) first under Euclid, whose nearest searches rank the other way —,
 * with offset and score threshold.
 */
class ExampleQueryClusterTest {

    @Test
    void exampleQueriesFanOutAndMergeByScore(@TempDir Path dir) throws Exception {
        System.out.println("ExampleQueryClusterTest seed " + SEED);
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 2);
             Quiver reference = Quiver.open(dir.resolve("reference"), EngineOptions.defaults())) {
            cluster.catalogs.get(0).create("x", DataNodes.config(DIM, Distance.EUCLID, 3, 1, 1));
            Collection ref = reference.createCollection("x", CollectionConfig.of(DIM, Distance.EUCLID));
            cluster.awaitAllActive("x", Duration.ofSeconds(30));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                points.add(new Point(PointId.of(i), vector(random), payload(i)));
            }
            cluster.catalogs.get(0).find("x").orElseThrow().upsert(points, true);
            ref.upsert(points, true);

            List<ExampleQuery> queries = List.of(
                    new ExampleQuery.BestScore(List.of(vector(random), vector(random)), List.of(vector(random))),
                    new ExampleQuery.BestScore(List.of(), List.of(vector(random))),
                    new ExampleQuery.SumScores(List.of(vector(random)), List.of(vector(random), vector(random))),
                    new ExampleQuery.Discover(vector(random), List.of(
                            new ExampleQuery.ContextPair(vector(random), vector(random)))),
                    new ExampleQuery.Context(List.of(new ExampleQuery.ContextPair(vector(random), vector(random)),
                            new ExampleQuery.ContextPair(vector(random), vector(random)))));
            for (ExampleQuery query : queries) {
                SearchRequest request = new SearchRequest(null, null, 7, 2, WithPayload.ALL, false, null, null, true,
                        null, false, query);
                List<ScoredPoint> expected = ref.search(request);
                assertEquals(7, expected.size());
                for (int via = 0; via < 2; via++) {
                    List<ScoredPoint> got = cluster.catalogs.get(via).find("x").orElseThrow().search(request);
                    assertSameHits(expected, got, query.kind() + " via node " + via);
                    for (int i = 1; i < got.size(); i++) {
                        assertTrue(got.get(i - 1).score() >= got.get(i).score(), "highest score first");
                    }
                }
                float threshold = expected.get(3).score();
                SearchRequest above = new SearchRequest(null, null, 50, 0, WithPayload.NONE, false, threshold, null,
                        true, null, false, query);
                assertSameHits(ref.search(above), cluster.catalogs.get(1).find("x").orElseThrow().search(above),
                        query.kind() + " with a score threshold");
            }
        }
    }
}
