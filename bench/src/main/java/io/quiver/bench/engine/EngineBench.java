package io.quiver.bench.engine;

import io.quiver.hnsw.io.VecsReader;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.EngineOptions;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.Quiver;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.hnsw.Distance;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine benchmark through the embedded API on fashion-mnist (Euclid): upsert throughput (wait=true with 1 and 16
 * writers, wait=false), search QPS and recall@10 once indexed, the time to reopen the collection (and that it builds
 * no index), and the heap the reopened collection holds. Single-threaded driver; prints one line per figure.
 *
 * <p>Usage: {@code EngineBench [--data DIR] [--storage DIR] [--batch N] [--queries N] [--points N]
 *     [--indexing-threshold-kb KB] [--reopen-heap 64m] [--keep] [--reopen-only]}; the reopen phase runs in a child JVM with that heap.
 */
public final class EngineBench {
    private EngineBench() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of("../shared/data/fashion-mnist");
        Path storage = null;
        int batch = 100;
        int queryCount = 1000;
        int limitPoints = Integer.MAX_VALUE;
        long thresholdKb = 10_000;
        boolean reopenOnly = false;
        boolean keep = false;
        String reopenHeap = "64m";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--indexing-threshold-kb" -> thresholdKb = Long.parseLong(args[++i]);
                case "--reopen-only" -> reopenOnly = true;
                case "--keep" -> keep = true;
                case "--reopen-heap" -> reopenHeap = args[++i];
                case "--data" -> data = Path.of(args[++i]);
                case "--storage" -> storage = Path.of(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--queries" -> queryCount = Integer.parseInt(args[++i]);
                case "--points" -> limitPoints = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (storage == null) {
            storage = Files.createTempDirectory("quiver-engine-bench");
        }
        boolean fullSet = limitPoints == Integer.MAX_VALUE;
        float[][] queries = VecsReader.readVectors(data.resolve("query.bvecs"), queryCount);
        int[][] gt = VecsReader.readIvecs(data.resolve("gt-euclid.ivecs"));
        float[][] gtScores = VecsReader.readVectors(data.resolve("gt-euclid-scores.fvecs"));
        if (reopenOnly) {
            reopen(storage, queries, fullSet ? gt : null, gtScores);
            return;
        }
        float[][] base = VecsReader.readVectors(data.resolve("base.bvecs"), limitPoints);
        System.out.printf("engine bench: %d points of dim %d, %d queries, batch %d, storage %s, %d cores%n",
                base.length, base[0].length, queries.length, batch, storage, Runtime.getRuntime()
                        .availableProcessors());

        System.out.printf("indexing_threshold %d KB = %d vectors per sealed segment%n", thresholdKb,
                thresholdKb * 1024 / (base[0].length * 4L));
        try (Quiver q = Quiver.open(storage)) {
            // each run on a fresh collection, alone: the previous one is deleted (its index builds stopped) first;
            // the run's own background index builds compete with it, as they would in production
            upsertRun(q, "wait_true_1", base, batch, 1, true, thresholdKb);
            q.deleteCollection("wait_true_1");
            upsertRun(q, "wait_false_1", base, batch, 1, false, thresholdKb);
            q.deleteCollection("wait_false_1");
            upsertRun(q, "wait_true_16", base, batch, 16, true, thresholdKb);
            Collection c = q.collection("wait_true_16");
            long t0 = System.nanoTime();
            c.awaitIndexing();
            System.out.printf("indexing finished %.1f s after the last upsert: %s%n", (System.nanoTime() - t0) / 1e9,
                    c.info().toJson().without("config"));
            for (Integer ef : new Integer[] {null, 64, 200}) {
                for (int threads : new int[] {1, 2}) {
                    searchRun(c, queries, fullSet ? gt : null, gtScores, ef, threads);
                }
            }
        }
        // reopen in a fresh JVM with a small heap: the open time, the heap the open collection holds, and search
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + reopenHeap);
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Xmx")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineBench.class.getName(), "--reopen-only",
                "--data", data.toString(), "--storage", storage.toString(), "--queries", Integer.toString(queryCount)));
        if (!fullSet) {
            cmd.addAll(List.of("--points", Integer.toString(limitPoints)));
        }
        int exit = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("reopen child failed with " + exit);
        }
        if (!keep) {
            deleteTree(storage);
        }
    }

    private static void reopen(Path storage, float[][] queries, int[][] gt, float[][] gtScores) throws Exception {
        long heapBefore = usedHeapAfterGc();
        long t0 = System.nanoTime();
        Quiver first = Quiver.open(storage);
        double firstMs = (System.nanoTime() - t0) / 1e6;
        long firstBuilds = first.collection("wait_true_16").indexBuildCount();
        first.close();
        for (boolean verify : new boolean[] {true, false}) {
            long t1 = System.nanoTime();
            try (Quiver again = Quiver.open(storage, EngineOptions.defaults().withVerifyVectorsOnOpen(verify))) {
                System.out.printf("reopen in a warm JVM, verifyVectorsOnOpen=%s: %.0f ms, index builds: %d%n", verify,
                        (System.nanoTime() - t1) / 1e6, again.collection("wait_true_16").indexBuildCount());
            }
        }
        System.out.printf("first open in a fresh JVM (class loading included): %.0f ms, index builds: %d%n", firstMs,
                firstBuilds);
        t0 = System.nanoTime();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("wait_true_16");
            double openMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf("reopen (-Xmx%dm JVM): %.0f ms for %d points in %d segments, index builds after open: "
                    + "%d, status %s%n", Runtime.getRuntime().maxMemory() >> 20, openMs, c.info().pointsCount(),
                    c.info().segmentsCount(), c.indexBuildCount(), c.info().status().jsonName());
            searchRun(c, queries, gt, gtScores, null, 1);
            long heapAfter = usedHeapAfterGc();
            System.out.printf("heap: %.1f MiB used with the collection open and searched (%.1f MiB before opening: "
                    + "the collection holds %.1f MiB)%n", heapAfter / 1048576.0, heapBefore / 1048576.0,
                    (heapAfter - heapBefore) / 1048576.0);
        }
    }

    private static void upsertRun(Quiver q, String name, float[][] base, int batch, int writers, boolean wait,
            long thresholdKb) throws Exception {
        Collection c = q.createCollection(name, CollectionConfig.of(base[0].length, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(thresholdKb)));
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            futures.add(pool.submit(() -> {
                int from;
                while ((from = next.getAndAdd(batch)) < base.length) {
                    List<Point> points = new ArrayList<>(batch);
                    for (int i = from; i < Math.min(base.length, from + batch); i++) {
                        points.add(new Point(PointId.of(i), base[i],
                                JsonNodeFactory.instance.objectNode().put("i", i)));
                    }
                    c.upsert(points, wait);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("upsert %-13s %d writers, wait=%s: %,.0f points/s (%d points in %.2f s, %d WAL fsyncs)%n",
                name, writers, wait, base.length / s, base.length, s, c.walFsyncCount());
    }

    private static void searchRun(Collection c, float[][] queries, int[][] gt, float[][] gtScores, Integer ef,
            int threads) throws Exception {
        // warm-up
        for (int i = 0; i < Math.min(200, queries.length); i++) {
            c.search(SearchRequest.topK(queries[i], 10).withHnswEf(ef));
        }
        List<List<ScoredPoint>> results = new ArrayList<>();
        for (int i = 0; i < queries.length; i++) {
            results.add(null);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < queries.length) {
                    results.set(i, c.search(SearchRequest.topK(queries[i], 10).withHnswEf(ef)));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        String recall = gt == null ? "n/a (subset)" : String.format("%.4f", recall(results, gt, gtScores));
        System.out.printf("search hnsw_ef=%-7s %d threads: %,.0f QPS, recall@10 %s%n", ef == null ? "default" : ef,
                threads, queries.length / s, recall);
    }

    private static double recall(List<List<ScoredPoint>> results, int[][] gt, float[][] gtScores) {
        int hits = 0;
        for (int i = 0; i < results.size(); i++) {
            Set<Long> truth = new HashSet<>();
            for (int j = 0; j < 10; j++) {
                truth.add((long) gt[i][j]);
            }
            float kth = gtScores[i][9];
            for (ScoredPoint p : results.get(i)) {
                if (truth.contains(((PointId.Num) p.id()).unsigned()) || p.score() <= kth * (1 + 1e-5f)) {
                    hits++;
                }
            }
        }
        return hits / (10.0 * results.size());
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
