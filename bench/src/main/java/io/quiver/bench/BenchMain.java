package io.quiver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Entry point of {@code bench/target/benchmarks.jar} and of {@code ./quiver bench}. The first argument names a tool
 * ({@code wal}, {@code ann}, ...); {@code jmh} or anything else goes to JMH's own command line, with Quiver's JVM flags
 * appended to every fork. When started without those flags (a plain {@code java -jar benchmarks.jar}) it runs itself
 * again in a child JVM that has them, so every path measures the same code.
 */
public final class BenchMain {

    /** One benchmark tool behind a subcommand of {@code ./quiver bench}. */
    @FunctionalInterface
    interface Tool {
        void run(String[] args) throws Exception;
    }

    /** Subcommands; each module's harness registers its line here. */
    private static final Map<String, Tool> TOOLS = Map.ofEntries(
            Map.entry("ann", io.quiver.bench.ann.AnnBench::main),
            Map.entry("wal", io.quiver.bench.wal.WalBench::main),
            Map.entry("engine", io.quiver.bench.engine.EngineBench::main),
            Map.entry("http", io.quiver.bench.http.HttpBench::main),
            Map.entry("filtered", io.quiver.bench.filtered.FilteredBench::main),
            Map.entry("profiler-lib", FlameGraphProfiler::main),
            Map.entry("jmh", BenchMain::jmh));

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.exit(relaunchWithFlags(args));
        }
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println("usage: benchmarks.jar <" + String.join("|", TOOLS.keySet()) + "> [args]   "
                    + "(anything else is passed to JMH; see BENCHMARKS.md)");
            return;
        }
        Tool tool = TOOLS.get(args[0]);
        if (tool != null) {
            tool.run(Arrays.copyOfRange(args, 1, args.length));
        } else {
            jmh(args);
        }
    }

    /**
     * JMH's command line, with Quiver's JVM flags appended to the forks' arguments. A {@code -prof async...} without
     * {@code libPath=} gets the async-profiler library extracted from this jar.
     */
    private static void jmh(String[] args) throws Exception {
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i + 1 < jmhArgs.size(); i++) {
            String value = jmhArgs.get(i + 1);
            if (jmhArgs.get(i).equals("-prof") && (value.equals("async") || value.startsWith("async:"))
                    && !value.contains("libPath=")) {
                String lib = "libPath=" + FlameGraphProfiler.extractLibrary();
                jmhArgs.set(i + 1, value.equals("async") ? "async:" + lib : value + ";" + lib);
            }
        }
        jmhArgs.add("-jvmArgsAppend");
        jmhArgs.add(String.join(" ", jvmFlags()));
        org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
    }

    /** Quiver's JVM flags, as the parent pom defines them once ({@code quiver.jvm.flags}). */
    public static List<String> jvmFlags() {
        Properties props = new Properties();
        try (InputStream in = BenchMain.class.getResourceAsStream("jvm.properties")) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jvm.properties from the bench jar", e);
        }
        return Arrays.stream(props.getProperty("jvm.flags").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static int relaunchWithFlags(String[] args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchMain.class.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
