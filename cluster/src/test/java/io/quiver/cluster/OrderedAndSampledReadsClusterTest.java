package io.quiver.cluster;

import static io.quiver.cluster.DataPlaneTestSupport.DIM;
import static io.quiver.cluster.DataPlaneTestSupport.SEED;
import static io.quiver.cluster.DataPlaneTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.OrderBy;
import io.quiver.engine.OrderedScroll;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.Quiver;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order_by and random-sample reads of {@link CollectionService} on real nodes: a collection of three shards spread
 * over two nodes orders points by a payload value (through either node, so shards are read over the data plane)
 * exactly as one local collection holding the same points does, and samples distinct points passing a filter from
 * every shard, points without a vector included, and, without a filter, draws from every shard's slots.
 */
class OrderedAndSampledReadsClusterTest {

    @Test
    void orderedScrollsAndSamplesReachEveryShard(@TempDir Path dir) throws Exception {
        System.out.println("OrderedAndSampledReadsClusterTest seed " + SEED);
        Random random = new Random(SEED);
        try (DataNodes cluster = new DataNodes(dir, 2);
             Quiver reference = Quiver.open(dir.resolve("reference"), EngineOptions.defaults())) {
            cluster.catalogs.get(0).create("x", DataNodes.config(DIM, Distance.DOT, 3, 1, 1));
            Collection ref = reference.createCollection("x", CollectionConfig.of(DIM, Distance.DOT));
            cluster.awaitAllActive("x", Duration.ofSeconds(30));
            List<Point> points = new ArrayList<>();
            Map<PointId, ObjectNode> payloads = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                ObjectNode payload = TestCluster.MAPPER.createObjectNode().put("n", (i * 7) % 41)
                        .put("even", i % 2 == 0);
                points.add(new Point(PointId.of(i), i % 9 == 4 ? null : vector(random), payload));
                payloads.put(PointId.of(i), payload);
            }
            CollectionService via0 = cluster.catalogs.get(0).find("x").orElseThrow();
            via0.upsert(points, true);
            ref.upsert(points, true);
            via0.createPayloadIndex("n", TextNode.valueOf("integer"), true);
            ref.createPayloadIndex("n", TextNode.valueOf("integer"), true);

            Filter even = FilterParser.parse(TestCluster.MAPPER.readTree(
                    "{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}"));
            for (String spec : new String[] {"\"n\"", "{\"key\":\"n\",\"direction\":\"desc\",\"start_from\":30}"}) {
                OrderBy orderBy = OrderBy.parse(TestCluster.MAPPER.readTree(spec));
                List<String> expected = lines(OrderedScroll.scroll(ref, orderBy, even, 60, WithPayload.ALL, true));
                assertEquals(60, expected.size());
                for (int via = 0; via < 2; via++) {
                    CollectionService service = cluster.catalogs.get(via).find("x").orElseThrow();
                    assertEquals(expected, lines(service.scrollOrdered(orderBy, even, 60, WithPayload.ALL, true,
                            ReadConsistency.ONE)), spec + " via node " + via);
                }
            }
            BadRequestException unindexed = assertThrows(BadRequestException.class, () -> cluster.catalogs.get(1)
                    .find("x").orElseThrow().scrollOrdered(OrderBy.parse(TextNode.valueOf("even")), null, 5,
                            WithPayload.NONE, false, ReadConsistency.ONE));
            assertTrue(unindexed.getMessage().contains("No range index for `order_by` key: `even`"));

            Set<Integer> shardsSeen = new HashSet<>();
            boolean vectorless = false;
            CollectionService via1 = cluster.catalogs.get(1).find("x").orElseThrow();
            for (int draw = 0; draw < 30; draw++) {
                List<Record> sample = via1.sample(even, 20, WithPayload.ALL, true, ReadConsistency.ONE);
                assertEquals(20, sample.size());
                Set<PointId> distinct = new HashSet<>();
                for (Record r : sample) {
                    assertTrue(distinct.add(r.id()), "distinct " + r.id());
                    assertEquals(payloads.get(r.id()), r.payloadOrNull(), "stored payload of " + r.id());
                    assertTrue(r.payloadOrNull().get("even").asBoolean(), "passes the filter: " + r.id());
                    shardsSeen.add(ShardRouter.shardOf(r.id(), 3));
                    vectorless |= r.vectorMissing();
                }
            }
            // 600 picks among 150 points spread over three shards, one in nine without a vector
            assertEquals(Set.of(0, 1, 2), shardsSeen);
            assertTrue(vectorless, "a point without a vector was drawn");
            assertEquals(150, via1.sample(even, 500, WithPayload.NONE, false, ReadConsistency.ONE).size());

            // without a filter (drawn from each shard's slots, split over the shards): distinct stored points, and
            // over 400 draws of 20 among 300 every point comes up (a point missed has probability e^-26.7)
            Set<PointId> everDrawn = new HashSet<>();
            for (int draw = 0; draw < 400; draw++) {
                List<Record> sample = cluster.catalogs.get(draw % 2).find("x").orElseThrow().sample(null, 20,
                        WithPayload.ALL, false, ReadConsistency.ONE);
                assertEquals(20, sample.size());
                Set<PointId> distinct = new HashSet<>();
                for (Record r : sample) {
                    assertTrue(distinct.add(r.id()), "distinct " + r.id());
                    assertEquals(payloads.get(r.id()), r.payloadOrNull(), "stored payload of " + r.id());
                    everDrawn.add(r.id());
                }
            }
            assertEquals(300, everDrawn.size(), "every point drawn at least once");
            assertEquals(300, via1.sample(null, 500, WithPayload.NONE, false, ReadConsistency.ONE).size());
        }
    }

    /** "id value payload vector" of each result, in order. */
    private static List<String> lines(List<OrderedScroll.OrderedRecord> records) {
        List<String> out = new ArrayList<>();
        for (OrderedScroll.OrderedRecord r : records) {
            out.add(r.record().id() + " " + r.orderValue() + " " + r.record().payloadOrNull() + " "
                    + (r.record().vectorMissing() ? "{}" : java.util.Arrays.toString(r.record().vectorOrNull())));
        }
        return out;
    }
}
