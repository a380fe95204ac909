package io.quiver.cluster;

import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.io.VecsReader;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listener write-latency benchmark (BENCHMARKS.md § Cluster, issue "Listener nodes"): two normal nodes and one
 * Listener node in this JVM on 127.0.0.1, a one-shard collection replicated on all three and preloaded with the data
 * set's base vectors; then batches of upserts sent through a normal node ({@code wait=true}, as a client asks) and
 * through the Listener node ({@code wait=false}, the Listener's rule), each without and while that same node takes
 * collection snapshots back to back. Prints p50 / p99 / max per (node, phase). Properties: {@code bench.data}
 * (default {@code ../shared/data/fashion-mnist}), {@code bench.preload} (20 000), {@code bench.batches} (150 per
 * phase and round), {@code bench.batch} (100 points), {@code bench.rounds} (2). Run with
 * {@code ./cluster/run-benchmark.sh listener}. Single-threaded driver plus one snapshot thread.
 */
public final class ListenerLatencyBenchmark {
    private ListenerLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(System.getProperty("bench.data", "../shared/data/fashion-mnist"));
        int preload = Integer.getInteger("bench.preload", 20_000);
        int batches = Integer.getInteger("bench.batches", 150);
        int batchSize = Integer.getInteger("bench.batch", 100);
        int rounds = Integer.getInteger("bench.rounds", 2);
        float[][] base = VecsReader.readVectors(data.resolve("base.bvecs"));
        Path dir = Files.createTempDirectory("quiver-listener-bench");
        try (TestCluster cluster = new TestCluster(dir)) {
            int port0 = TestCluster.freePort();
            ClusterNode normal0 = cluster.start("n0", port0, null);
            normal0.ready().get(20, TimeUnit.SECONDS);
            ClusterNode normal1 = cluster.start("n1", TestCluster.freePort(), port0);
            ClusterNode listener = cluster.start(TestCluster.options(dir.resolve("l"), TestCluster.freePort(), port0)
                    .withNodeType(NodeType.Listener));
            normal1.ready().get(20, TimeUnit.SECONDS);
            listener.ready().get(20, TimeUnit.SECONDS);
            TestCluster.await("listener registered", Duration.ofSeconds(10), () -> normal0.metadata().peers().size() == 3);
            try (ClusterCollectionCatalog c0 = DataNodes.openCatalog(normal0, dir.resolve("n0"), false);
                 ClusterCollectionCatalog c1 = DataNodes.openCatalog(normal1, dir.resolve("n1"), false);
                 ClusterCollectionCatalog cl = DataNodes.openCatalog(listener, dir.resolve("l"), false)) {
                c0.create("l", DataNodes.config(base[0].length, Distance.EUCLID, 1, 3, 1));
                CollectionService viaNormal = c1.find("l").orElseThrow();
                CollectionService viaListener = cl.find("l").orElseThrow();
                AtomicInteger nextId = new AtomicInteger();
                long loadStart = System.nanoTime();
                while (nextId.get() < preload) {
                    viaNormal.upsert(batch(base, nextId, batchSize), true);
                }
                System.out.printf("preloaded %d × %d points on 2 normal nodes + 1 Listener in %.1f s%n", preload,
                        base[0].length, (System.nanoTime() - loadStart) / 1e9);
                Path snapshots = dir.resolve("snapshots");
                String[] names = {"normal node, wait=true", "Listener node, wait=false"};
                Histogram[][] latency = new Histogram[2][2]; // [node][0 idle, 1 snapshotting]
                int[] snapshotsTaken = new int[2];
                for (int round = 0; round < rounds; round++) {
                    for (int node = 0; node < 2; node++) {
                        CollectionService service = node == 0 ? viaNormal : viaListener;
                        boolean wait = node == 0;
                        for (int phase = 0; phase < 2; phase++) {
                            if (latency[node][phase] == null) {
                                latency[node][phase] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                            }
                            AtomicBoolean stop = new AtomicBoolean();
                            AtomicInteger taken = new AtomicInteger();
                            Thread snapshotter = phase == 0 ? null : Thread.ofPlatform().start(() -> {
                                while (!stop.get()) {
                                    var d = service.createSnapshot(snapshots);
                                    service.deleteSnapshot(snapshots, d.name());
                                    taken.incrementAndGet();
                                }
                            });
                            for (int b = 0; b < batches; b++) {
                                List<Point> points = batch(base, nextId, batchSize);
                                long start = System.nanoTime();
                                service.upsert(points, wait);
                                latency[node][phase].recordValue(System.nanoTime() - start);
                            }
                            if (snapshotter != null) {
                                stop.set(true);
                                snapshotter.join();
                                snapshotsTaken[node] += taken.get();
                            }
                        }
                    }
                }
                System.out.printf("%d rounds of %d batches of %d points per (node, phase); %d points at the end%n",
                        rounds, batches, batchSize, nextId.get());
                for (int node = 0; node < 2; node++) {
                    System.out.printf("%-26s idle: p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms | while snapshotting (%d "
                            + "snapshots): p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms%n", names[node],
                            ms(latency[node][0], 50), ms(latency[node][0], 99), latency[node][0].getMaxValue() / 1e6,
                            snapshotsTaken[node], ms(latency[node][1], 50), ms(latency[node][1], 99),
                            latency[node][1].getMaxValue() / 1e6);
                }
            }
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    /** The next {@code size} points, cycling through the data set's vectors with fresh ids. */
    private static List<Point> batch(float[][] base, AtomicInteger nextId, int size) {
        List<Point> points = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int id = nextId.getAndIncrement();
            points.add(new Point(PointId.of(id), base[id % base.length], null));
        }
        return points;
    }
}
