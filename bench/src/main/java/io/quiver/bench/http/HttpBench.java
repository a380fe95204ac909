package io.quiver.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.LocalCollectionService;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.SearchRequest;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.io.VecsReader;
import io.quiver.server.QuiverConfig;
import io.quiver.server.QuiverServer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./quiver bench http}: the HTTP overhead as a ratio. Loads a data set into a server started in this JVM, then
 * measures search and upsert through the embedded API ({@code C} threads) and over HTTP with {@code wrk}
 * ({@code C} connections) on 127.0.0.1, each for {@code S} seconds, and prints one JSON line per (operation, path)
 * plus one ratio line per operation. Needs {@code wrk} (Debian package {@code wrk}). Single-threaded driver.
 */
public final class HttpBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("../shared/data/fashion-mnist-10k");
        int seconds = 10;
        int clients = 2;
        int base = Integer.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--base" -> base = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: bench http [--data DIR] [--seconds S] [--clients C] [--base N])");
            }
        }
        float[][] vectors = VecsReader.readVectors(data.resolve("base.bvecs"), base);
        float[][] queries = VecsReader.readVectors(data.resolve("query.bvecs"), 200);
        Path dir = Files.createTempDirectory("quiver-http-bench");
        QuiverServer server = QuiverServer.start(QuiverConfig.load(null, Map.of(
                "QUIVER__SERVICE__HTTP_PORT", "0",
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve("storage").toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snapshots").toString()), Map.of()));
        try {
            Collection collection = load(server, vectors);
            String url = "http://127.0.0.1:" + server.port();
            int dim = vectors[0].length;

            Result embeddedSearch = embedded(clients, seconds, () -> collection.search(
                    SearchRequest.topK(queries[ThreadLocalRandom.current().nextInt(queries.length)], 10)));
            Result httpSearch = wrk(url + "/collections/bench/points/search", clients, seconds,
                    searchScript(queries), dir);
            print("search", "embedded", clients, embeddedSearch);
            print("search", "http", clients, httpSearch);
            ratio("search", httpSearch, embeddedSearch);

            AtomicLong ids = new AtomicLong(10_000_000L);
            Result embeddedUpsert = embedded(clients, seconds, () -> collection.upsert(List.of(new Point(
                    PointId.of(ids.incrementAndGet()), randomVector(dim), null)), true));
            Result httpUpsert = wrk(url + "/collections/bench/points?wait=true", clients, seconds,
                    upsertScript(dim), dir);
            print("upsert", "embedded", clients, embeddedUpsert);
            print("upsert", "http", clients, httpUpsert);
            ratio("upsert", httpUpsert, embeddedUpsert);
        } finally {
            server.close();
        }
    }

    private static Collection load(QuiverServer server, float[][] vectors) throws InterruptedException {
        server.catalog().create("bench", CollectionConfig.of(vectors[0].length, Distance.EUCLID));
        Collection collection = ((LocalCollectionService) server.catalog().find("bench").orElseThrow())
                .engineCollection();
        for (int from = 0; from < vectors.length; from += 1000) {
            List<Point> batch = new ArrayList<>();
            for (int i = from; i < Math.min(vectors.length, from + 1000); i++) {
                batch.add(new Point(PointId.of(i), vectors[i], null));
            }
            collection.upsert(batch, true);
        }
        collection.awaitIndexing();
        System.err.println("loaded " + vectors.length + " points; collection " + collection.info().status());
        return collection;
    }

    /** Throughput and latency percentiles of one measured run. */
    record Result(double opsPerSecond, double p50Micros, double p99Micros) {
    }

    private static Result embedded(int threads, int seconds, Runnable op) throws InterruptedException {
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(3, seconds));
        runFor(threads, warmEnd, op, null);
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long ops = runFor(threads, end, op, histogram);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(ops / elapsed, histogram.getValueAtPercentile(50) / 1e3,
                histogram.getValueAtPercentile(99) / 1e3);
    }

    private static long runFor(int threads, long endNanos, Runnable op, Histogram histogram) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        AtomicLong ops = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                Histogram local = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                long n = 0;
                while (System.nanoTime() < endNanos) {
                    long s = System.nanoTime();
                    op.run();
                    local.recordValue(Math.min(System.nanoTime() - s, TimeUnit.SECONDS.toNanos(10)));
                    n++;
                }
                ops.addAndGet(n);
                if (histogram != null) {
                    synchronized (histogram) {
                        histogram.add(local);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return ops.get();
    }

    private static Result wrk(String url, int connections, int seconds, String script, Path dir)
            throws IOException, InterruptedException {
        Path lua = Files.writeString(dir.resolve("wrk-" + System.nanoTime() + ".lua"), script);
        run(List.of("wrk", "-t", "1", "-c", Integer.toString(connections), "-d", Math.min(3, seconds) + "s",
                "-s", lua.toString(), url), seconds + 30); // warm-up
        String out = run(List.of("wrk", "-t", Integer.toString(Math.max(1, connections / 2)), "-c",
                Integer.toString(connections), "-d", seconds + "s", "--latency", "-s", lua.toString(), url), seconds + 30);
        if (out.contains("Non-2xx")) {
            throw new IllegalStateException("wrk saw error responses:\n" + out);
        }
        return new Result(number(out, "Requests/sec:\\s+([0-9.]+)"), latencyMicros(out, "50%"), latencyMicros(out, "99%"));
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " timed out");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed:\n" + out);
        }
        return out;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no match for " + regex + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double latencyMicros(String text, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + percentile + " latency in:\n" + text);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            default -> v * 1e6;
        };
    }

    private static String searchScript(float[][] queries) throws IOException {
        StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        lua.append("bodies = {}\n");
        for (int i = 0; i < queries.length; i++) {
            ObjectNode body = JSON.createObjectNode();
            var vector = body.putArray("vector");
            for (float x : queries[i]) {
                vector.add(x);
            }
            body.put("limit", 10);
            lua.append("bodies[").append(i + 1).append("] = [[").append(JSON.writeValueAsString(body)).append("]]\n");
        }
        lua.append("counter = 0\nrequest = function()\n  counter = counter % #bodies + 1\n"
                + "  return wrk.format(nil, nil, nil, bodies[counter])\nend\n");
        return lua.toString();
    }

    private static String upsertScript(int dim) {
        return "wrk.method = \"PUT\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "math.randomseed(os.time())\nnext_id = 20000000 + math.random(1, 1000000) * 1000\n"
                + "request = function()\n  next_id = next_id + 1\n  local v = {}\n"
                + "  for i = 1, " + dim + " do v[i] = string.format(\"%.3f\", math.random()) end\n"
                + "  return wrk.format(nil, nil, nil, '{\"points\":[{\"id\":' .. next_id .. ',\"vector\":[' .. table.concat(v, ',') .. ']}]}')\n"
                + "end\n";
    }

    private static float[] randomVector(int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = ThreadLocalRandom.current().nextFloat();
        }
        return v;
    }

    private static void print(String op, String via, int clients, Result r) {
        System.out.printf("{\"op\":\"%s\",\"via\":\"%s\",\"clients\":%d,\"ops_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}%n",
                op, via, clients, r.opsPerSecond(), r.p50Micros(), r.p99Micros());
    }

    private static void ratio(String op, Result http, Result embedded) {
        System.out.printf("{\"op\":\"%s\",\"http_vs_embedded_ops\":%.3f}%n", op, http.opsPerSecond() / embedded.opsPerSecond());
    }
}
