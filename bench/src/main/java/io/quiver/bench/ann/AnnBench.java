package io.quiver.bench.ann;

import io.quiver.bench.FlameGraphProfiler;
import io.quiver.bench.WarmUp;
import io.quiver.hnsw.BinaryQuantizationConfig;
import io.quiver.hnsw.ProductQuantizationConfig;
import io.quiver.hnsw.QuantizationSearchParams;
import io.quiver.hnsw.ScalarQuantizationConfig;
import io.quiver.hnsw.VectorKernels;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ./quiver bench ann}: builds each system's index on a data set's base vectors, warms it up, then runs the first
 * N queries at each ef, single-threaded unless {@code --search-threads} says otherwise, and prints one JSON line per
 * (system, ef) to stdout (progress to stderr). {@code --threads T} is the build's thread count (default: every core).
 * At each ef the systems take turns, {@code --repeats} times, and the pass with the best queries/s is reported.
 * Besides wall-clock figures each line carries {@code cpu_us}, the search threads' CPU time per query, which a loaded
 * shared machine disturbs far less than queries/s. Recall@1/10 come from the timed k=10 searches, recall@100 from one
 * untimed k=100 search per query (candidate list max(ef, 100)); ties at the k-th ground-truth distance count as the
 * data README says. {@code rss_bytes} is the whole process's resident set after the system's build and warm-up
 * (it includes the data set, the JVM and any index built before it), {@code rss_delta_bytes} its growth during them,
 * {@code heap_delta_bytes} the growth of the live Java heap (after a GC) over the same span.
 * Optionally writes the recall/queries-per-second chart ({@code --chart}) and an async-profiler flame graph of the
 * measured search passes ({@code --profile}). Runs on the calling thread plus a pool of S search threads.
 *
 * <pre>
 * ./quiver bench ann --data DIR --metric euclid|cosine [--queries N] [--ef 16,32,64,...] [--m 16]
 *                    [--ef-construct 100] [--systems quiver,quiver-int8,lucene,jvector] [--threads T]
 *                    (also quiver-binary and quiver-pq, only when named: sign-bit or x16 product codes,
 *                    rescored as quiver-int8)
 *                    [--build-threads B] [--search-threads S]   (build: T = B = available processors; search: S = 1)
 *                    [--warmup N] [--oversampling X]   (warm-up: N queries at every ef, repeated for >= 3 s;
 *                                                      quiver-int8: candidates rescored = ceil(10 * X))
 *                    [--repeats R]        (systems take turns at each ef R times; the best pass is reported)
 *                    [--centre]           (euclid only: base and queries minus the base's mean, which changes no
 *                                          distance; sign-bit codes need zero-centred data)
 *                    [--one-at-a-time]    (build, measure and release each system before the next: clean rss_bytes)
 *                    [--chart FILE.svg|FILE.png] [--profile FILE.html] [--profile-event cpu|itimer|wall|alloc|lock]
 * </pre>
 */
public final class AnnBench {

    static final int K = 10;
    static final int K_WIDE = 100;
    static final List<String> ALL_SYSTEMS = List.of("quiver", "quiver-int8", "lucene", "jvector");
    /**
     * Systems run only when named: binary codes of sign bits suit zero-centred embeddings, not every data set; product
     * codes (x16) take long to train.
     */
    static final List<String> EXTRA_SYSTEMS = List.of("quiver-binary", "quiver-pq");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AnnBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out, System.err);
    }

    /** Parsed command line. */
    record Options(Path data, String metric, int queries, int[] efs, int m, int efConstruct, List<String> systems,
                   int buildThreads, int searchThreads, int warmupQueries, double oversampling, int repeats,
                   boolean oneAtATime, Path chart, Path profile, String profileEvent, boolean centre) {

        static Options parse(String[] args) {
            Path data = null;
            String metric = "euclid";
            int queries = 1000;
            int[] efs = {16, 32, 64, 128, 256};
            int m = 16;
            int efConstruct = 100;
            List<String> systems = ALL_SYSTEMS;
            int buildThreads = Runtime.getRuntime().availableProcessors();
            int searchThreads = 1; // the harness measures single-threaded search
            int warmup = 1000;
            double oversampling = QuantizationSearchParams.defaults().oversampling();
            int repeats = 3;
            boolean oneAtATime = false;
            boolean centre = false;
            Path chart = null;
            Path profile = null;
            String profileEvent = "cpu";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--one-at-a-time")) {
                    oneAtATime = true;
                    continue;
                }
                if (a.equals("--centre")) {
                    centre = true;
                    continue;
                }
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--data" -> data = Path.of(need(a, v));
                    case "--metric" -> metric = need(a, v);
                    case "--queries" -> queries = Integer.parseInt(need(a, v));
                    case "--ef" -> efs = Arrays.stream(need(a, v).split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--m" -> m = Integer.parseInt(need(a, v));
                    case "--ef-construct" -> efConstruct = Integer.parseInt(need(a, v));
                    case "--systems" -> systems = List.of(need(a, v).split(","));
                    case "--threads", "--build-threads" -> buildThreads = Integer.parseInt(need(a, v));
                    case "--search-threads" -> searchThreads = Integer.parseInt(need(a, v));
                    case "--warmup" -> warmup = Integer.parseInt(need(a, v));
                    case "--oversampling" -> oversampling = Double.parseDouble(need(a, v));
                    case "--repeats" -> repeats = Integer.parseInt(need(a, v));
                    case "--chart" -> chart = Path.of(need(a, v));
                    case "--profile" -> profile = Path.of(need(a, v));
                    case "--profile-event" -> profileEvent = need(a, v);
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
                }
                i++;
            }
            if (data == null) {
                throw new IllegalArgumentException("--data DIR is required\n" + usage());
            }
            if (buildThreads < 1 || searchThreads < 1 || repeats < 1 || queries < 1) {
                throw new IllegalArgumentException("--threads, --search-threads, --repeats and --queries must be >= 1");
            }
            for (String s : systems) {
                if (!ALL_SYSTEMS.contains(s) && !EXTRA_SYSTEMS.contains(s)) {
                    throw new IllegalArgumentException("unknown system '" + s + "' (" + String.join("|", ALL_SYSTEMS)
                            + ")");
                }
            }
            return new Options(data, metric, queries, efs, m, efConstruct, systems,
                    buildThreads, searchThreads, warmup,
                    oversampling, repeats, oneAtATime, chart, profile, profileEvent, centre);
        }

        private static String need(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        static String usage() {
            return "usage: ann --data DIR --metric euclid|cosine [--queries N] [--ef 16,32,64] [--m 16] "
                    + "[--ef-construct 100] [--systems quiver,quiver-int8,lucene,jvector] [--threads T] "
                    + "[--build-threads B] [--search-threads S] [--warmup N] [--oversampling 2.0] [--repeats 3] "
                    + "[--one-at-a-time] [--centre] [--chart FILE.svg|.png] [--profile FILE.html] "
                    + "[--profile-event cpu|itimer|wall|alloc|lock]";
        }
    }

    /** What the harness knows about one built system. */
    private static final class Built {
        final AnnSystem system;
        double buildSeconds;
        double buildCpuSeconds;
        long indexBytes;
        long rssBytes;
        long rssDeltaBytes;
        long heapDeltaBytes;

        Built(AnnSystem system) {
            this.system = system;
        }
    }

    static void run(String[] args, PrintStream out, PrintStream log) throws Exception {
        Options o = Options.parse(args);
        log.printf(Locale.ROOT, "ann: loading %s (%s)%n", o.data(), o.metric());
        AnnDataset loaded = AnnDataset.load(o.data(), o.metric(), o.queries());
        AnnDataset data = o.centre() ? loaded.centred() : loaded;
        if (o.centre()) {
            log.printf(Locale.ROOT, "ann: base and queries centred on the base's mean%n");
        }
        log.printf(Locale.ROOT, "ann: %d base vectors, %d queries, dim %d; kernels %s; %d cores; build threads %d, "
                        + "search threads %d%n", data.base.length, data.queries.length, data.dimension(),
                VectorKernels.active().name(), Runtime.getRuntime().availableProcessors(), o.buildThreads(),
                o.searchThreads());
        List<List<String>> groups = o.oneAtATime()
                ? o.systems().stream().map(List::of).toList() : List.of(o.systems());
        Map<String, List<AnnChart.Point>> chartPoints = new LinkedHashMap<>();
        FlameGraphProfiler profiler = null;
        ExecutorService pool = Executors.newFixedThreadPool(o.searchThreads(), r -> {
            Thread t = new Thread(r, "ann-search");
            t.setDaemon(true);
            return t;
        });
        try {
            if (o.profile() != null) {
                // Load and start the profiler before the builds, so that a machine where it cannot run fails fast.
                profiler = FlameGraphProfiler.start(o.profileEvent(), o.profile(), log);
                profiler.pause();
            }
            for (List<String> group : groups) {
                List<Built> built = new ArrayList<>();
                try {
                    for (String name : group) {
                        built.add(buildAndWarmUp(name, data, o, pool, log));
                    }
                    if (profiler != null) {
                        profiler.resume();
                    }
                    measureGroup(built, data, o, pool, out, log, chartPoints, profiler);
                    if (profiler != null) {
                        profiler.pause();
                    }
                } finally {
                    for (Built b : built) {
                        b.system.close();
                    }
                }
            }
            if (profiler != null) {
                Path written = profiler.stop();
                profiler = null;
                log.printf(Locale.ROOT, "ann: flame graph written to %s%n", written);
            }
        } finally {
            pool.shutdownNow();
            if (profiler != null) {
                try {
                    profiler.stop();
                } catch (Exception e) {
                    log.println("ann: could not stop the profiler: " + e);
                }
            }
        }
        if (o.chart() != null) {
            List<AnnChart.Series> series = new ArrayList<>();
            chartPoints.forEach((system, points) -> series.add(new AnnChart.Series(system, points)));
            String name = o.data().toAbsolutePath().normalize().getFileName().toString();
            AnnChart.write(o.chart(), String.format(Locale.ROOT, "%s (%s): recall@10 vs queries/s", name, o.metric()),
                    String.format(Locale.ROOT, "%d base × %d dim, %d queries, %d search thread%s, m=%d, "
                                    + "ef_construct=%d, best of %d; %d cores, %s", data.base.length, data.dimension(),
                            data.queries.length, o.searchThreads(), o.searchThreads() == 1 ? "" : "s", o.m(),
                            o.efConstruct(), o.repeats(), Runtime.getRuntime().availableProcessors(),
                            java.time.LocalDate.now(java.time.ZoneOffset.UTC)), series);
            log.printf(Locale.ROOT, "ann: chart written to %s%n", o.chart().toAbsolutePath());
        }
    }

    private static Built buildAndWarmUp(String name, AnnDataset data, Options o, ExecutorService pool,
                                        PrintStream log) throws Exception {
        Built b = new Built(create(name, o.oversampling()));
        System.gc();
        long rss0 = ResidentMemory.bytes();
        long heap0 = heapUsedBytes();
        log.printf(Locale.ROOT, "ann: %s: building (m=%d, ef_construct=%d, threads=%d)%n", name, o.m(),
                o.efConstruct(), o.buildThreads());
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try {
            b.system.build(data, o.m(), o.efConstruct(), o.buildThreads());
        } catch (Exception | Error e) {
            b.system.close();
            throw e;
        }
        b.buildSeconds = (System.nanoTime() - t0) / 1e9;
        b.buildCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        b.indexBytes = b.system.indexBytes();
        log.printf(Locale.ROOT, "ann: %s: built in %.2f s (%.2f CPU s), index %d bytes; warming up%n", name,
                b.buildSeconds, b.buildCpuSeconds, b.indexBytes);
        // the warm-up queries at every ef, repeated for at least WarmUp.MIN_NANOS
        int n = Math.min(o.warmupQueries(), data.queries.length);
        if (n > 0) {
            WarmUp.repeat(() -> {
                for (int ef : o.efs()) {
                    runQueries(b.system, data, n, K, ef, pool, o.searchThreads());
                }
            });
        }
        System.gc();
        b.rssBytes = ResidentMemory.bytes();
        b.rssDeltaBytes = rss0 < 0 || b.rssBytes < 0 ? -1 : b.rssBytes - rss0;
        b.heapDeltaBytes = heapUsedBytes() - heap0;
        log.printf(Locale.ROOT, "ann: %s: resident set %d MiB (%+d MiB), live heap %+d MiB%n", name,
                b.rssBytes >> 20, b.rssDeltaBytes >> 20, b.heapDeltaBytes >> 20);
        return b;
    }

    /** Systems take turns at each ef, repeated; the best pass of each is reported. */
    private static void measureGroup(List<Built> built, AnnDataset data, Options o, ExecutorService pool,
                                     PrintStream out, PrintStream log, Map<String, List<AnnChart.Point>> chart,
                                     FlameGraphProfiler profiler) throws Exception {
        for (int ef : o.efs()) {
            Measurement[] best = new Measurement[built.size()];
            for (int rep = 0; rep < o.repeats(); rep++) {
                for (int s = 0; s < built.size(); s++) {
                    Measurement m = measure(built.get(s).system, data, ef, pool, o.searchThreads());
                    if (best[s] == null || m.qps() > best[s].qps()) {
                        best[s] = m;
                    }
                }
            }
            for (int s = 0; s < built.size(); s++) {
                Built b = built.get(s);
                if (profiler != null) {
                    profiler.pause(); // the flame graph shows the timed k=10 passes only
                }
                double recall100 = wideRecall(b.system, data, ef, pool, o.searchThreads());
                if (profiler != null) {
                    profiler.resume();
                }
                out.println(json(b, data, ef, best[s], recall100, o));
                out.flush();
                chart.computeIfAbsent(b.system.name(), k -> new ArrayList<>())
                        .add(new AnnChart.Point(ef, best[s].recall10(), best[s].qps()));
            }
            log.printf(Locale.ROOT, "ann: ef %d done%n", ef);
        }
    }

    static AnnSystem create(String name, double oversampling) {
        return switch (name) {
            case "quiver" -> new QuiverAnnSystem("quiver", null, 1.0);
            case "quiver-int8" -> new QuiverAnnSystem("quiver-int8", ScalarQuantizationConfig.defaults(), oversampling);
            case "quiver-binary" -> new QuiverAnnSystem("quiver-binary", BinaryQuantizationConfig.defaults(),
                    oversampling);
            case "quiver-pq" -> new QuiverAnnSystem("quiver-pq", ProductQuantizationConfig.ofCompression(16),
                    oversampling);
            case "lucene" -> new LuceneAnnSystem();
            case "jvector" -> new JVectorAnnSystem();
            default -> throw new IllegalArgumentException("unknown system '" + name + "' ("
                    + String.join("|", ALL_SYSTEMS) + ")");
        };
    }

    /** Java heap in use (call right after a System.gc(): then it is the live heap). */
    private static long heapUsedBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** CPU time of the whole process (all threads), for build figures that survive a loaded machine. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0L;
    }

    /** One timed pass over the queries at one ef. */
    record Measurement(double recall1, double recall10, double qps, double p50Micros, double p99Micros,
                       double cpuMicros) {
    }

    /** Result of running queries 0..n-1 on the pool: ids per query, latency per query, CPU time of all workers. */
    private record Pass(int[][] results, long[] latencies, long cpuNanos, double seconds) {
    }

    private static Pass runQueries(AnnSystem system, AnnDataset data, int n, int k, int ef, ExecutorService pool,
                                   int workers) throws Exception {
        int[][] results = new int[n][];
        long[] latencies = new long[n];
        AtomicInteger next = new AtomicInteger();
        LongAdder cpu = new LongAdder();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            tasks.add(() -> {
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    long t = System.nanoTime();
                    results[i] = system.search(data.queries[i], k, ef);
                    latencies[i] = System.nanoTime() - t;
                }
                cpu.add(THREADS.getCurrentThreadCpuTime() - cpuStart);
                return null;
            });
        }
        long start = System.nanoTime();
        for (Future<Void> f : pool.invokeAll(tasks)) {
            f.get(); // rethrows a search failure
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Pass(results, latencies, cpu.sum(), seconds);
    }

    private static Measurement measure(AnnSystem system, AnnDataset data, int ef, ExecutorService pool, int threads)
            throws Exception {
        int n = data.queries.length;
        Pass pass = runQueries(system, data, n, K, ef, pool, threads);
        double recall1 = 0;
        double recall10 = 0;
        for (int i = 0; i < n; i++) {
            recall1 += data.recall(i, pass.results()[i], 1);
            recall10 += data.recall(i, pass.results()[i], K);
        }
        long[] latencies = pass.latencies();
        Arrays.sort(latencies);
        double p50 = latencies[(int) Math.min(n - 1, Math.floor(0.50 * n))] / 1e3;
        double p99 = latencies[(int) Math.min(n - 1, Math.floor(0.99 * n))] / 1e3;
        return new Measurement(recall1 / n, recall10 / n, n / pass.seconds(), p50, p99, pass.cpuNanos() / 1e3 / n);
    }

    /** Recall@100 of an untimed k=100 search per query; NaN when the ground truth or the base is narrower. */
    private static double wideRecall(AnnSystem system, AnnDataset data, int ef, ExecutorService pool, int threads)
            throws Exception {
        if (data.groundTruthWidth() < K_WIDE || data.base.length < K_WIDE) {
            return Double.NaN;
        }
        int n = data.queries.length;
        Pass pass = runQueries(system, data, n, K_WIDE, ef, pool, threads);
        double recall = 0;
        for (int i = 0; i < n; i++) {
            recall += data.recall(i, pass.results()[i], K_WIDE);
        }
        return recall / n;
    }

    private static String json(Built b, AnnDataset data, int ef, Measurement m, double recall100, Options o) {
        return String.format(Locale.ROOT,
                "{\"system\":\"%s\",\"metric\":\"%s\",\"ef\":%d,\"recall1\":%.4f,\"recall10\":%.4f,\"recall100\":%s,"
                        + "\"qps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"cpu_us\":%.1f,\"threads\":%d,"
                        + "\"build_s\":%.2f,\"build_cpu_s\":%.2f,\"build_threads\":%d,\"index_bytes\":%d,"
                        + "\"rss_bytes\":%d,\"rss_delta_bytes\":%d,\"heap_delta_bytes\":%d,\"vector_bytes\":%d,"
                        + "\"m\":%d,\"ef_construct\":%d,"
                        + "\"queries\":%d,\"repeats\":%d,\"one_at_a_time\":%s,\"profiled\":%s%s%s}",
                b.system.name(), data.metric, ef, m.recall1(), m.recall10(),
                Double.isNaN(recall100) ? "null" : String.format(Locale.ROOT, "%.4f", recall100),
                m.qps(), m.p50Micros(), m.p99Micros(), m.cpuMicros(), o.searchThreads(),
                b.buildSeconds, b.buildCpuSeconds, b.system.buildThreads(), b.indexBytes, b.rssBytes,
                b.rssDeltaBytes, b.heapDeltaBytes, 4L * data.base.length * data.dimension(), o.m(), o.efConstruct(),
                data.queries.length, o.repeats(), o.oneAtATime(), o.profile() != null, b.system.jsonSettings(),
                o.centre() ? ",\"centred\":true" : "");
    }
}
