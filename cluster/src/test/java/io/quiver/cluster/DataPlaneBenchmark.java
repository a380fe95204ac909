package io.quiver.cluster;

import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.Quiver;
import io.quiver.engine.SearchRequest;
import io.quiver.hnsw.Distance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Data-plane benchmark (BENCHMARKS.md § Cluster): three nodes in one JVM on 127.0.0.1, a collection of random
 * 128-d Cosine vectors, shard_number 3, replication_factor 2, against one standalone engine collection with 3 shards.
 * Measures upsert throughput (batches of 100, wait=true, 1 and 8 clients), search latency (top 10) and the time
 * to recover a stopped node's replicas. Properties: {@code bench.points} (default 30000). Single-threaded driver.
 */
public final class DataPlaneBenchmark {
    static final int DIM = 128;

    private DataPlaneBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int points = Integer.getInteger("bench.points", 30_000);
        Path dir = Files.createTempDirectory("quiver-data-bench");
        Random random = new Random(42);
        try (DataNodes cluster = new DataNodes(dir, 3);
             Quiver standalone = Quiver.open(dir.resolve("standalone"), EngineOptions.defaults())) {
            CollectionConfig clusterConfig = DataNodes.config(DIM, Distance.COSINE, 3, 2, 1);
            cluster.catalogs.get(0).create("c", clusterConfig);
            Collection local = standalone.createCollection("c", DataNodes.config(DIM, Distance.COSINE, 3, 1, 1));
            CollectionService remote = cluster.catalogs.get(1).find("c").orElseThrow();

            System.out.printf("upsert %d points, batches of 100, wait=true%n", points);
            for (int clients : new int[] {1, 8}) {
                long base = clients == 1 ? 0 : points;
                double s = upserts(points / 2, clients, base, random, batch -> local.upsert(batch, true));
                double c = upserts(points / 2, clients, base, random, batch -> remote.upsert(batch, true));
                System.out.printf("  %d client(s): standalone %.0f points/s, cluster rf=2 %.0f points/s%n", clients,
                        points / 2 / s, points / 2 / c);
            }
            for (String exact : new String[] {"hnsw", "exact"}) {
                boolean isExact = exact.equals("exact");
                double[] s = searches(300, random, q -> local.search(SearchRequest.topK(q, 10).withExact(isExact)));
                double[] c = searches(300, random, q -> remote.search(SearchRequest.topK(q, 10).withExact(isExact)));
                System.out.printf("search top-10 %s (%d points): standalone p50 %.2f ms p99 %.2f ms; cluster fan-out "
                        + "p50 %.2f ms p99 %.2f ms%n", exact, local.count(null), s[0], s[1], c[0], c[1]);
            }

            cluster.stop(2);
            long extra = 2 * (long) points;
            upserts(2_000, 1, extra, random, batch -> cluster.catalogs.get(0).find("c").orElseThrow().upsert(batch, true));
            long start = System.nanoTime();
            cluster.restart(2);
            cluster.awaitAllActive("c", Duration.ofSeconds(300));
            System.out.printf("recovery of a restarted node (2 replicas, %d points in the collection): %d ms from "
                    + "restart to all Active%n", cluster.catalogs.get(0).find("c").orElseThrow().count(null),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    static double upserts(int count, int clients, long firstId, Random seedSource, Consumer<List<Point>> write)
            throws Exception {
        AtomicLong next = new AtomicLong(firstId);
        long end = firstId + count;
        long seed = seedSource.nextLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed + client);
                    long id;
                    while ((id = next.getAndAdd(100)) < end) {
                        List<Point> batch = new ArrayList<>(100);
                        for (long i = id; i < Math.min(end, id + 100); i++) {
                            batch.add(new Point(PointId.of(i), vector(random)));
                        }
                        write.accept(batch);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    static double[] searches(int count, Random random, Consumer<float[]> search) {
        for (int i = 0; i < 30; i++) {
            search.accept(vector(random));
        }
        double[] millis = new double[count];
        for (int i = 0; i < count; i++) {
            float[] q = vector(random);
            long start = System.nanoTime();
            search.accept(q);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {millis[count / 2], millis[count * 99 / 100]};
    }

    static float[] vector(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
