package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.io.VecsReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Shard-transfer benchmark (BENCHMARKS.md § Cluster): three nodes in one JVM on 127.0.0.1, a one-shard Euclid
 * collection of the data set's base vectors (default fashion-mnist, 60 000 × 784) on one peer, then
 * {@code replicate_shard} to the second peer by {@code stream_records} and then to the third by {@code snapshot}, each
 * timed from the request to the new replica being Active everywhere. Property {@code bench.data} (default {@code ../shared/data/fashion-mnist}).
 * Run with {@code ./cluster/run-benchmark.sh transfer}. Single-threaded driver.
 */
public final class ShardTransferBenchmark {
    private ShardTransferBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(System.getProperty("bench.data", "../shared/data/fashion-mnist"));
        float[][] base = VecsReader.readVectors(data.resolve("base.bvecs"));
        Path dir = Files.createTempDirectory("quiver-transfer-bench");
        try (DataNodes cluster = new DataNodes(dir, 3)) {
            ClusterCollectionCatalog catalog = cluster.catalogs.get(0);
            catalog.create("t", DataNodes.config(base[0].length, Distance.EUCLID, 1, 1, 1));
            CollectionService service = catalog.find("t").orElseThrow();
            long loadStart = System.nanoTime();
            for (int from = 0; from < base.length; from += 500) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < Math.min(base.length, from + 500); i++) {
                    batch.add(new Point(PointId.of(i), base[i], null));
                }
                service.upsert(batch, true);
            }
            System.out.printf("loaded %d × %d points in %.1f s%n", base.length, base[0].length,
                    (System.nanoTime() - loadStart) / 1e9);
            var replicas = cluster.nodes.get(0).metadata().collection("t").shards().replicas(0);
            long holder = replicas.firstKey();
            List<Long> targets = cluster.nodes.stream().map(ClusterNode::peerId).filter(p -> p != holder).toList();
            String[] methods = {"stream_records", "snapshot"};
            for (int i = 0; i < methods.length; i++) {
                long target = targets.get(i);
                long start = System.nanoTime();
                catalog.clusterOperation("t", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,"
                        + "\"from_peer_id\":" + holder + ",\"to_peer_id\":" + target + ",\"method\":\""
                        + methods[i] + "\"}}"));
                cluster.awaitAllActive("t", Duration.ofMinutes(10));
                long millis = (System.nanoTime() - start) / 1_000_000;
                int targetIndex = 0;
                while (cluster.nodes.get(targetIndex).peerId() != target) {
                    targetIndex++;
                }
                ObjectNode count = DataPlane.message("t", 0);
                count.putNull("filter");
                long held = cluster.catalogs.get(0).dataPlane().call(target, "count", count, Duration.ofSeconds(30))
                        .get("count").asLong();
                System.out.printf("replicate_shard of %d × %d points (%s): %d ms to Active; target replica "
                        + "holds %d points%n", base.length, base[0].length, methods[i], millis, held);
            }
        }
    }
}
