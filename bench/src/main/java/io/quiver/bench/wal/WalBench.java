package io.quiver.bench.wal;

import io.quiver.wal.Durability;
import io.quiver.wal.Wal;
import io.quiver.wal.WalAppend;
import io.quiver.wal.WalConfig;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code ./quiver bench wal}: side-by-side append throughput and latency of the WAL on one directory, one JSON line
 * per mode and configuration on stdout (progress on stderr). Modes: {@code group-commit} (DURABLE appends, each writer
 * waits for its commit), {@code written} (WRITTEN appends, each writer keeps up to {@code --window} in flight),
 * {@code per-record-fsync} (DURABLE appends through a WAL whose batches hold one record: one fsync per record, the
 * baseline) and {@code raw-fsync} (a loop of 4 KiB write + fsync on the same disk: the device's commit limit).
 * Runs on the calling thread plus its writer threads; every run uses a fresh subdirectory, deleted afterwards.
 */
public final class WalBench {

    /** The parsed command line. */
    record Options(int[] writers, int[] payloads, double seconds, Path dir, List<String> modes, int window,
                   WalConfig config) {
    }

    /** One measured run. */
    record Result(String mode, int writers, int payload, int window, long ops, double seconds, Histogram latencyNanos,
                  long fsyncs) {
        String json() {
            double opsPerSecond = ops / seconds;
            return String.format(Locale.ROOT,
                    "{\"mode\":\"%s\",\"writers\":%d,\"payload\":%d,\"ops_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                            + "\"p999_us\":%.1f,\"max_us\":%.1f,\"ops\":%d,\"seconds\":%.2f,\"fsyncs\":%d,"
                            + "\"records_per_fsync\":%.1f,\"window\":%d}",
                    mode, writers, payload, opsPerSecond, micros(50), micros(99), micros(99.9),
                    latencyNanos.getMaxValue() / 1000.0, ops, seconds, fsyncs,
                    fsyncs == 0 ? 0.0 : (double) ops / fsyncs, window);
        }

        private double micros(double percentile) {
            return latencyNanos.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    static final List<String> ALL_MODES = List.of("group-commit", "per-record-fsync", "written", "raw-fsync");
    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private WalBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        for (Result r : run(options, System.out, System.err)) {
            // already printed as it was measured
            assert r != null;
        }
    }

    static Options parse(String[] args) {
        int[] writers = {1, 8, 64};
        int[] payloads = {256, 4096};
        double seconds = 3;
        Path dir = null;
        List<String> modes = ALL_MODES;
        int window = 256;
        WalConfig config = WalConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--writers" -> writers = ints(require(arg, value));
                case "--payload" -> payloads = ints(require(arg, value));
                case "--seconds" -> seconds = Double.parseDouble(require(arg, value));
                case "--dir" -> dir = Path.of(require(arg, value));
                case "--modes" -> modes = List.of(require(arg, value).split(","));
                case "--window" -> window = Integer.parseInt(require(arg, value));
                case "--max-batch-records" -> config = config.withMaxBatchRecords(Integer.parseInt(require(arg, value)));
                case "--max-batch-bytes" -> config = config.withMaxBatchBytes(Integer.parseInt(require(arg, value)));
                case "--max-wait-us" -> config = config.withMaxBatchWaitMicros(Long.parseLong(require(arg, value)));
                case "--segments-ahead" -> config = config.withSegmentsAhead(Integer.parseInt(require(arg, value)));
                case "--segment-mb" -> config = config.withSegmentCapacityBytes(
                        Long.parseLong(require(arg, value)) << 20);
                case "-h", "--help" -> {
                    System.out.println("usage: wal [--writers 1,8,64] [--payload 256,4096] [--seconds 3] [--dir PATH]"
                            + " [--modes " + String.join(",", ALL_MODES) + "] [--window 256]"
                            + " [--max-batch-records N] [--max-batch-bytes N] [--max-wait-us N]"
                            + " [--segments-ahead N] [--segment-mb N]");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
            }
            i++;
        }
        for (String mode : modes) {
            if (!ALL_MODES.contains(mode)) {
                throw new IllegalArgumentException("unknown mode " + mode + "; modes: " + ALL_MODES);
            }
        }
        if (seconds <= 0 || window < 1) {
            throw new IllegalArgumentException("--seconds and --window must be positive");
        }
        return new Options(writers, payloads, seconds, dir, modes, window, config);
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }

    /** Runs every mode × writers × payload of {@code options}, printing each result as a JSON line on {@code out}. */
    static List<Result> run(Options options, PrintStream out, PrintStream progress) throws Exception {
        boolean ownDir = options.dir() == null;
        Path base = ownDir
                ? Files.createTempDirectory(Path.of("").toAbsolutePath(), ".wal-bench-")  // beside ./storage
                : Files.createDirectories(options.dir());
        progress.printf(Locale.ROOT, "wal bench: directory %s, %.1f s per run, config %s%n", base, options.seconds(),
                options.config());
        List<Result> results = new ArrayList<>();
        try {
            int runIndex = 0;
            // modes side by side per configuration, so the disk's drift during a long run hits each pair alike
            for (int payload : options.payloads()) {
                for (int writers : options.writers()) {
                    for (String mode : options.modes()) {
                        if (mode.equals("raw-fsync")) {
                            continue;
                        }
                        Path runDir = base.resolve("run-" + runIndex++);
                        progress.printf(Locale.ROOT, "wal bench: %s, %d writer(s), %d B ...%n", mode, writers, payload);
                        Result result = switch (mode) {
                            case "group-commit" -> appendRun(mode, runDir, options.config(), writers, payload,
                                    options.seconds(), Durability.DURABLE, 1);
                            case "written" -> appendRun(mode, runDir, options.config(), writers, payload,
                                    options.seconds(), Durability.WRITTEN, options.window());
                            case "per-record-fsync" -> appendRun(mode, runDir, options.config().withMaxBatchRecords(1),
                                    writers, payload, options.seconds(), Durability.DURABLE, 1);
                            default -> throw new IllegalStateException(mode);
                        };
                        deleteTree(runDir);
                        out.println(result.json());
                        out.flush();
                        results.add(result);
                    }
                }
            }
            if (options.modes().contains("raw-fsync")) {
                Path runDir = Files.createDirectories(base.resolve("run-" + runIndex));
                progress.printf(Locale.ROOT, "wal bench: raw-fsync (4 KiB write + fsync loop) ...%n");
                Result result = rawFsync(runDir, options.seconds());
                deleteTree(runDir);
                out.println(result.json());
                out.flush();
                results.add(result);
            }
        } finally {
            if (ownDir) {
                deleteTree(base);
            }
        }
        return results;
    }

    /**
     * {@code writers} threads append {@code payload}-byte records for {@code seconds} (after a short warm-up); each
     * keeps at most {@code window} appends in flight. Latency: append call to completion.
     */
    static Result appendRun(String mode, Path dir, WalConfig config, int writers, int payload, double seconds,
                            Durability durability, int window) throws Exception {
        Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] counts = new long[writers * 16];  // padded: one slot per 128 bytes
        try (Wal wal = Wal.open(dir, config)) {
            CountDownLatch done = new CountDownLatch(writers);
            List<Throwable> errors = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final int slot = w * 16;
                Thread.ofPlatform().daemon().name("wal-bench-writer-" + w).start(() -> {
                    byte[] data = new byte[payload];
                    ArrayDeque<CompletableFuture<Long>> inFlight = new ArrayDeque<>(window);
                    try {
                        while (!stop.get()) {
                            final long start = System.nanoTime();
                            WalAppend append = wal.append((byte) 1, data, durability);
                            if (window == 1) {
                                append.completion().join();
                                if (measuring.get()) {
                                    recorder.recordValue(System.nanoTime() - start);
                                    counts[slot]++;
                                }
                            } else {
                                final boolean measured = measuring.get();
                                if (measured) {
                                    counts[slot]++;
                                    append.completion().thenRun(() -> recorder.recordValue(System.nanoTime() - start));
                                }
                                inFlight.add(append.completion());
                                if (inFlight.size() >= window) {
                                    inFlight.poll().join();
                                }
                            }
                        }
                        for (CompletableFuture<Long> f : inFlight) {
                            f.join();
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            long warmupNanos = (long) (Math.min(1.0, seconds / 3) * 1e9);
            TimeUnit.NANOSECONDS.sleep(warmupNanos);
            recorder.reset();
            long fsyncsBefore = wal.fsyncCount();
            measuring.set(true);
            long start = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
            measuring.set(false);
            long elapsed = System.nanoTime() - start;
            long fsyncs = wal.fsyncCount() - fsyncsBefore;
            stop.set(true);
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("writers did not stop");
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException("writer failed", errors.getFirst());
            }
            long ops = Arrays.stream(counts).sum();
            Histogram histogram = recorder.getIntervalHistogram();
            return new Result(mode, writers, payload, window, ops, elapsed / 1e9, histogram, fsyncs);
        }
    }

    /** A loop of 4 KiB positional write + {@code force(false)} on a preallocated file: the device's fsync rate. */
    static Result rawFsync(Path dir, double seconds) throws IOException {
        final int block = 4096;
        final long fileBytes = 64L << 20;
        Path file = dir.resolve("raw-fsync.dat");
        Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        long ops = 0;
        double elapsedSeconds;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < fileBytes; ) {
                zeros.clear();
                at += channel.write(zeros, at);
            }
            channel.force(true);
            ByteBuffer buffer = ByteBuffer.allocateDirect(block);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            long position = 0;
            long now = start;
            while (now < end) {
                buffer.clear();
                buffer.putLong(0, ops);
                while (buffer.hasRemaining()) {
                    channel.write(buffer, position + buffer.position());
                }
                channel.force(false);
                long after = System.nanoTime();
                histogram.recordValue(after - now);
                now = after;
                ops++;
                position = (position + block) % fileBytes;
            }
            elapsedSeconds = (now - start) / 1e9;
        }
        return new Result("raw-fsync", 1, block, 1, ops, elapsedSeconds, histogram, ops);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
