package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.hnsw.Distance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A replica filled by a shard transfer (streamed or by snapshot) has the payload indexes of its source: the target
 * is reset with the source's payload schema, as a snapshot recovery's re-sync relies on.
 */
class TransferPayloadIndexTest {
    @Test
    void aTransferredReplicaKeepsThePayloadIndexes(@TempDir Path dir) throws Exception {
        try (DataNodes cluster = new DataNodes(dir, 2)) {
            for (String method : List.of("stream_records", "snapshot")) {
                String name = "c_" + method;
                cluster.catalogs.get(0).create(name, DataNodes.config(2, Distance.DOT, 1, 1, 1));
                CollectionService service = cluster.catalogs.get(0).find(name).orElseThrow();
                service.createPayloadIndex("city", JsonNodeFactory.instance.textNode("keyword"), true);
                service.createPayloadIndex("n", JsonNodeFactory.instance.textNode("integer"), true);
                List<Point> points = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    points.add(new Point(PointId.of(i), new float[] {i, 1},
                            JsonNodeFactory.instance.objectNode().put("city", i % 2 == 0 ? "Berlin" : "Paris").put("n", i)));
                }
                service.upsert(points, true);
                long holder = cluster.nodes.get(0).metadata().collection(name).shards().replicas(0).firstKey();
                int holderIndex = cluster.nodes.get(0).peerId() == holder ? 0 : 1;
                int targetIndex = 1 - holderIndex;
                long target = cluster.nodes.get(targetIndex).peerId();
                cluster.catalogs.get(0).clusterOperation(name, TestCluster.MAPPER.readTree(
                        "{\"replicate_shard\":{\"shard_id\":0,\"from_peer_id\":" + holder + ",\"to_peer_id\":" + target
                                + ",\"method\":\"" + method + "\"}}"));
                cluster.awaitAllActive(name, Duration.ofSeconds(60));

                io.quiver.engine.Collection copy = cluster.catalogs.get(targetIndex).dataPlane().replicas()
                        .find(name, 0).orElseThrow();
                assertEquals(50, copy.pointsCount(), method);
                JsonNode schema = copy.info().toJson().get("payload_schema");
                assertEquals("keyword", schema.at("/city/data_type").asText(), method + ": " + schema);
                assertEquals("integer", schema.at("/n/data_type").asText(), method + ": " + schema);
                assertEquals(50, schema.at("/city/points").asInt(), method + ": " + schema);
                assertEquals(50, schema.at("/n/points").asInt(), method + ": " + schema);
            }
        }
    }
}
