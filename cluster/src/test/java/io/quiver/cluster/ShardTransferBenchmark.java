package io.quiver.cluster;

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
 * {@code replicate_shard} to another peer (method {@code stream_records}), timed from the request to the new replica
 * being Active everywhere. Property {@code bench.data} (default {@code ../shared/data/fashion-mnist}).
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
            long target = cluster.nodes.stream().mapToLong(ClusterNode::peerId).filter(p -> p != holder)
                    .findFirst().orElseThrow();
            long start = System.nanoTime();
            catalog.clusterOperation("t", TestCluster.MAPPER.readTree("{\"replicate_shard\":{\"shard_id\":0,"
                    + "\"from_peer_id\":" + holder + ",\"to_peer_id\":" + target + "}}"));
            cluster.awaitAllActive("t", Duration.ofMinutes(10));
            long millis = (System.nanoTime() - start) / 1_000_000;
            int targetIndex = 0;
            while (cluster.nodes.get(targetIndex).peerId() != target) {
                targetIndex++;
            }
            System.out.printf("replicate_shard of %d × %d points (stream_records): %d ms to Active; target replica "
                    + "holds %d points%n", base.length, base[0].length, millis,
                    cluster.catalogs.get(targetIndex).find("t").orElseThrow().count(null));
        }
    }
}
