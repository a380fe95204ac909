package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.hnsw.Distance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a unit test): upsert latency while snapshots are being taken vs without, on fashion-mnist through
 * the embedded API. Preloads {@code --preload} points (indexed), then alternates phases of {@code --batches} upserts of
 * {@code --batch} points (wait=true, one writer): "idle" phases, and "snapshot" phases during which another thread
 * takes snapshots back to back. Prints p50/p99/max per phase kind and the snapshots' duration and size. Single
 * driver thread plus the snapshot thread.
 *
 * <p>Usage: {@code java <quiver.jvm.flags> -cp <engine test classpath> io.quiver.engine.SnapshotUpsertLatencyBench
 * [--data DIR] [--preload N] [--batches N] [--batch N] [--rounds N]}
 */
public final class SnapshotUpsertLatencyBench {
    private SnapshotUpsertLatencyBench() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of("../shared/data/fashion-mnist");
        int preload = 30_000;
        int batches = 200;
        int batch = 100;
        int rounds = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--preload" -> preload = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        float[][] base = AnnData.bvecs(data.resolve("base.bvecs"));
        Path storage = Files.createTempDirectory("quiver-snapbench");
        Path snapshots = Files.createTempDirectory("quiver-snapbench-snapshots");
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("bench", CollectionConfig.of(784, Distance.EUCLID));
            long t0 = System.nanoTime();
            for (int from = 0; from < preload; from += 500) {
                c.upsert(points(base, from, Math.min(preload, from + 500)), false);
            }
            c.flush();
            c.awaitIndexing();
            System.out.printf("preloaded %d points in %.1f s: %s%n", preload, (System.nanoTime() - t0) / 1e9,
                    c.info().toJson().without("config"));
            List<Long> idle = new ArrayList<>();
            List<Long> during = new ArrayList<>();
            List<Long> snapshotNanos = new ArrayList<>();
            long snapshotBytes = 0;
            int next = preload;
            for (int round = 0; round < rounds; round++) {
                next = run(c, base, next, batches, batch, idle);
                c.awaitIndexing();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong bytes = new AtomicLong();
                List<Long> took = new ArrayList<>();
                Thread snapper = Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        SnapshotDescription d = c.createSnapshot(snapshots);
                        took.add(System.nanoTime() - s);
                        bytes.set(d.size());
                        c.deleteSnapshot(snapshots, d.name());
                    }
                });
                next = run(c, base, next, batches, batch, during);
                stop.set(true);
                snapper.join();
                snapshotNanos.addAll(took);
                snapshotBytes = bytes.get();
                c.awaitIndexing();
            }
            System.out.printf("upsert of %d points, wait=true, 1 writer, %d batches per phase kind:%n", batch,
                    idle.size());
            System.out.println("  no snapshot:        " + summary(idle));
            System.out.println("  snapshots running:  " + summary(during));
            System.out.printf("  %d snapshots, %.0f ms each on average (max %.0f ms), %.1f MB each%n",
                    snapshotNanos.size(), snapshotNanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
                    snapshotNanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6, snapshotBytes / 1e6);
        } finally {
            deleteTree(storage);
            deleteTree(snapshots);
        }
    }

    private static List<Point> points(float[][] base, int from, int to) {
        List<Point> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(new Point(PointId.of(i), base[i % base.length],
                    JsonNodeFactory.instance.objectNode().put("i", i)));
        }
        return out;
    }

    private static int run(Collection c, float[][] base, int next, int batches, int batch, List<Long> latencies) {
        for (int b = 0; b < batches; b++) {
            List<Point> points = points(base, next, next + batch);
            long s = System.nanoTime();
            c.upsert(points, true);
            latencies.add(System.nanoTime() - s);
            next += batch;
        }
        return next;
    }

    private static String summary(List<Long> nanos) {
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", a[a.length / 2] / 1e6,
                a[(int) Math.min(a.length - 1, Math.ceil(a.length * 0.99) - 1)] / 1e6, a[a.length - 1] / 1e6);
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
