package io.quiver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.CRC32;
import one.profiler.AsyncProfiler;

/**
 * async-profiler (tools.profiler:async-profiler from Maven Central) inside this JVM, recording one flame graph (HTML)
 * of a chosen phase: owns extracting the native library that ships inside the jar, loading it through the profiler's
 * Java API, and starting/pausing/stopping one recording. Events: {@code cpu} (perf events; falls back to
 * {@code itimer} when the kernel does not permit them), {@code itimer}, {@code wall}, {@code alloc}, {@code lock}.
 * One recording at a time per process (the profiler is a process-wide singleton); call from one thread.
 */
public final class FlameGraphProfiler {

    /** Sampling interval for time-based events: 1 ms, so that runs of a few seconds still give thousands of samples. */
    private static final long TIME_INTERVAL_NANOS = 1_000_000L;

    private final AsyncProfiler profiler;
    private final String startArgs;
    private final Path output;
    private final String event;
    private boolean running;

    private FlameGraphProfiler(AsyncProfiler profiler, String event, String startArgs, Path output) {
        this.profiler = profiler;
        this.event = event;
        this.startArgs = startArgs;
        this.output = output;
    }

    /**
     * Loads the profiler and starts recording {@code event} into {@code output} (written at {@link #stop}). For
     * {@code cpu}, when perf events are not permitted (perf_event_paranoid, containers), switches to {@code itimer}
     * and says so on {@code log}.
     */
    public static FlameGraphProfiler start(String event, Path output, PrintStream log) throws IOException {
        AsyncProfiler profiler = AsyncProfiler.getInstance(extractLibrary().toString());
        String chosen = event;
        String args = startArguments(chosen);
        try {
            profiler.execute(args);
        } catch (IllegalStateException | IOException e) {
            if (!event.equals("cpu")) {
                throw new IOException("async-profiler cannot start event=" + event + ": " + e.getMessage(), e);
            }
            log.printf(Locale.ROOT, "profile: perf events not available (%s; /proc/sys/kernel/perf_event_paranoid=%s),"
                    + " using itimer%n", e.getMessage().trim(), paranoid());
            chosen = "itimer";
            args = startArguments(chosen);
            profiler.execute(args);
        }
        log.printf(Locale.ROOT, "profile: async-profiler %s recording event=%s into %s%n", profiler.getVersion(),
                chosen, output);
        FlameGraphProfiler session = new FlameGraphProfiler(profiler, chosen, args, output);
        session.running = true;
        return session;
    }

    /** The event actually recorded ({@code itimer} when {@code cpu} fell back). */
    public String event() {
        return event;
    }

    /** Stops sampling without discarding what was recorded (e.g. while the next index builds). */
    public void pause() throws IOException {
        if (running) {
            profiler.execute("stop");
            running = false;
        }
    }

    /** Continues a paused recording. */
    public void resume() throws IOException {
        if (!running) {
            profiler.execute(startArgs.replaceFirst("^start", "resume"));
            running = true;
        }
    }

    /** Stops and writes the flame graph; returns its path. */
    public Path stop() throws IOException {
        resume(); // "stop,file=" dumps only a running recording
        Path absolute = output.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        profiler.execute("stop,file=" + absolute);
        running = false;
        if (!Files.exists(absolute)) {
            throw new IOException("async-profiler wrote no file " + absolute);
        }
        return absolute;
    }

    private static String startArguments(String event) {
        return switch (event) {
            case "cpu", "itimer", "wall", "ctimer" -> "start,event=" + event + ",interval=" + TIME_INTERVAL_NANOS;
            case "alloc", "lock" -> "start,event=" + event;
            default -> throw new IllegalArgumentException("unknown profile event '" + event
                    + "' (cpu|itimer|wall|alloc|lock)");
        };
    }

    private static String paranoid() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Copies the platform's {@code libasyncProfiler.so} out of the async-profiler jar on the class path into
     * {@code <java.io.tmpdir>/quiver-async-profiler-<crc>/} (reused when already there) and returns its path: the
     * {@code libPath} for JMH's {@code -prof async}.
     */
    public static Path extractLibrary() throws IOException {
        String resource = platformFolder() + "/libasyncProfiler.so";
        byte[] bytes;
        try (InputStream in = AsyncProfiler.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " in the async-profiler jar on the class path");
            }
            bytes = in.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                String.format(Locale.ROOT, "quiver-async-profiler-%08x", crc.getValue()));
        Path lib = dir.resolve("libasyncProfiler.so");
        if (Files.exists(lib) && Files.size(lib) == bytes.length) {
            return lib;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "lib", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return lib;
    }

    private static String platformFolder() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            return "macos";
        }
        if (os.contains("linux")) {
            return arch.equals("aarch64") || arch.equals("arm64") ? "linux-arm64" : "linux-x64";
        }
        throw new IOException("async-profiler ships no library for " + os + "/" + arch);
    }

    /** {@code ./quiver bench profiler-lib}: prints the extracted library's path (for JMH's -prof async:libPath=). */
    public static void main(String[] args) throws IOException {
        System.out.println(extractLibrary());
    }
}
