package io.quiver.bench.ann;

import io.quiver.hnsw.QuantizationSearchParams;
import io.quiver.hnsw.VectorKernels;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./quiver bench ann}: builds each system's index on a data set's base vectors, warms up, then runs the first N
 * queries single-threaded at each ef and prints one JSON line per (system, ef) to stdout (progress to stderr). At
 * each ef the systems take turns, {@code --repeats} times, and the pass with the best queries/s is reported. Besides
 * wall-clock figures each line carries {@code cpu_us}, the harness thread's CPU time per query, which a loaded shared
 * machine disturbs far less than queries/s.
 * Recall@10 counts ties at the 10th ground-truth distance as the data README says. Runs on the calling thread.
 *
 * <pre>
 * ./quiver bench ann --data DIR --metric euclid|cosine [--queries N] [--ef 16,32,64,...] [--m 16]
 *                    [--ef-construct 100] [--systems quiver,quiver-int8,lucene] [--threads T] [--warmup N]
 *                    [--oversampling X]   (quiver-int8: candidates rescored = ceil(10 * X))
 *                    [--repeats R]        (systems take turns at each ef R times; the best pass is reported)
 * </pre>
 */
public final class AnnBench {

    static final int K = 10;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AnnBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out, System.err);
    }

    /** Parsed command line. */
    record Options(Path data, String metric, int queries, int[] efs, int m, int efConstruct, List<String> systems,
                   int threads, int warmupQueries, double oversampling, int repeats) {

        static Options parse(String[] args) {
            Path data = null;
            String metric = "euclid";
            int queries = 1000;
            int[] efs = {16, 32, 64, 128, 256};
            int m = 16;
            int efConstruct = 100;
            List<String> systems = List.of("quiver", "quiver-int8", "lucene");
            int threads = Runtime.getRuntime().availableProcessors();
            int warmup = 1000;
            double oversampling = QuantizationSearchParams.defaults().oversampling();
            int repeats = 3;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--data" -> data = Path.of(need(a, v));
                    case "--metric" -> metric = need(a, v);
                    case "--queries" -> queries = Integer.parseInt(need(a, v));
                    case "--ef" -> efs = Arrays.stream(need(a, v).split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--m" -> m = Integer.parseInt(need(a, v));
                    case "--ef-construct" -> efConstruct = Integer.parseInt(need(a, v));
                    case "--systems" -> systems = List.of(need(a, v).split(","));
                    case "--threads" -> threads = Integer.parseInt(need(a, v));
                    case "--warmup" -> warmup = Integer.parseInt(need(a, v));
                    case "--oversampling" -> oversampling = Double.parseDouble(need(a, v));
                    case "--repeats" -> repeats = Integer.parseInt(need(a, v));
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
                }
                i++;
            }
            if (data == null) {
                throw new IllegalArgumentException("--data DIR is required\n" + usage());
            }
            return new Options(data, metric, queries, efs, m, efConstruct, systems, threads, warmup, oversampling, repeats);
        }

        private static String need(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        static String usage() {
            return "usage: ann --data DIR --metric euclid|cosine [--queries N] [--ef 16,32,64] [--m 16] "
                    + "[--ef-construct 100] [--systems quiver,quiver-int8,lucene] [--threads T] [--warmup N] [--oversampling 2.0]"
                    + " [--repeats 3]";
        }
    }

    static void run(String[] args, PrintStream out, PrintStream log) throws Exception {
        Options o = Options.parse(args);
        log.printf(Locale.ROOT, "ann: loading %s (%s)%n", o.data(), o.metric());
        AnnDataset data = AnnDataset.load(o.data(), o.metric(), o.queries());
        log.printf(Locale.ROOT, "ann: %d base vectors, %d queries, dim %d; kernels %s; %d cores%n",
                data.base.length, data.queries.length, data.dimension(), VectorKernels.active().name(),
                Runtime.getRuntime().availableProcessors());
        List<AnnSystem> built = new ArrayList<>();
        List<Double> buildSeconds = new ArrayList<>();
        List<Double> buildCpuSeconds = new ArrayList<>();
        List<Long> indexBytes = new ArrayList<>();
        try {
            for (String name : o.systems()) {
                AnnSystem system = create(name, o.oversampling());
                built.add(system);
                log.printf(Locale.ROOT, "ann: %s: building (m=%d, ef_construct=%d, threads=%d)%n", name, o.m(),
                        o.efConstruct(), o.threads());
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                system.build(data, o.m(), o.efConstruct(), o.threads());
                buildSeconds.add((System.nanoTime() - t0) / 1e9);
                buildCpuSeconds.add((processCpuNanos() - cpu0) / 1e9);
                indexBytes.add(system.indexBytes());
                log.printf(Locale.ROOT, "ann: %s: built in %.2f s (%.2f CPU s), index %d bytes%n", name,
                        buildSeconds.getLast(), buildCpuSeconds.getLast(), indexBytes.getLast());
            }
            for (AnnSystem system : built) {
                log.printf(Locale.ROOT, "ann: %s: warming up%n", system.name());
                warmUp(system, data, o);
            }
            // Systems take turns at each ef, repeated; the best run of each is reported, so that the load of a
            // shared machine at one moment does not decide a ratio.
            for (int ef : o.efs()) {
                Measurement[] best = new Measurement[built.size()];
                for (int rep = 0; rep < o.repeats(); rep++) {
                    for (int s = 0; s < built.size(); s++) {
                        Measurement m = measure(built.get(s), data, ef);
                        if (best[s] == null || m.qps() > best[s].qps()) {
                            best[s] = m;
                        }
                    }
                }
                for (int s = 0; s < built.size(); s++) {
                    out.println(json(built.get(s), data, ef, best[s], buildSeconds.get(s), buildCpuSeconds.get(s),
                            indexBytes.get(s), o));
                    out.flush();
                }
            }
        } finally {
            for (AnnSystem system : built) {
                system.close();
            }
        }
    }

    static AnnSystem create(String name, double oversampling) {
        return switch (name) {
            case "quiver" -> new QuiverAnnSystem(false, 1.0);
            case "quiver-int8" -> new QuiverAnnSystem(true, oversampling);
            case "lucene" -> new LuceneAnnSystem();
            default -> throw new IllegalArgumentException("unknown system '" + name + "' (quiver|quiver-int8|lucene)");
        };
    }

    private static void warmUp(AnnSystem system, AnnDataset data, Options o) throws Exception {
        int n = Math.min(o.warmupQueries(), data.queries.length);
        for (int ef : o.efs()) {
            for (int i = 0; i < n; i++) {
                system.search(data.queries[i], K, ef);
            }
        }
    }

    /** CPU time of the whole process (all threads), for build figures that survive a loaded machine. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0L;
    }

    /** One timed pass over the queries at one ef. */
    record Measurement(double recall, double qps, double p50Micros, double p99Micros, double cpuMicros) {
    }

    private static Measurement measure(AnnSystem system, AnnDataset data, int ef) throws Exception {
        int n = data.queries.length;
        long[] latencies = new long[n];
        int[][] results = new int[n][];
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            results[i] = system.search(data.queries[i], K, ef);
            latencies[i] = System.nanoTime() - t;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e3 / n;
        double recall = 0;
        for (int i = 0; i < n; i++) {
            recall += data.recall(i, results[i], K);
        }
        recall /= n;
        Arrays.sort(latencies);
        double p50 = latencies[(int) Math.min(n - 1, Math.floor(0.50 * n))] / 1e3;
        double p99 = latencies[(int) Math.min(n - 1, Math.floor(0.99 * n))] / 1e3;
        return new Measurement(recall, n / seconds, p50, p99, cpuMicros);
    }

    private static String json(AnnSystem system, AnnDataset data, int ef, Measurement m, double buildSeconds,
                               double buildCpuSeconds, long indexBytes, Options o) {
        return String.format(Locale.ROOT,
                "{\"system\":\"%s\",\"metric\":\"%s\",\"ef\":%d,\"recall10\":%.4f,\"qps\":%.1f,\"p50_us\":%.1f,"
                        + "\"p99_us\":%.1f,\"cpu_us\":%.1f,\"build_s\":%.2f,\"build_cpu_s\":%.2f,\"build_threads\":%d,\"index_bytes\":%d,"
                        + "\"vector_bytes\":%d,\"m\":%d,\"ef_construct\":%d,\"queries\":%d,\"repeats\":%d%s}",
                system.name(), data.metric, ef, m.recall(), m.qps(), m.p50Micros(), m.p99Micros(), m.cpuMicros(), buildSeconds,
                buildCpuSeconds, system.buildThreads(), indexBytes, 4L * data.base.length * data.dimension(), o.m(), o.efConstruct(),
                data.queries.length, o.repeats(),
                system.name().equals("quiver-int8") ? String.format(Locale.ROOT, ",\"oversampling\":%s",
                        o.oversampling()) : "");
    }
}
