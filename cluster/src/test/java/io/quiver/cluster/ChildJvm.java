package io.quiver.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: a cluster node in a child JVM, started with the parent pom's JVM flags, its output in a log file; the
 * child's main class prints {@code READY <peerId>} once its node is ready (see {@link ChildNodeMain},
 * {@link ChildDataNodeMain}). Tests kill it with SIGKILL ({@link Process#destroyForcibly()}). Stateless.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** Starts {@code main} with {@code args} in a new JVM (256 MiB heap), output appended to {@code log}. */
    static Process start(Class<?> main, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        for (String flag : System.getProperty("quiver.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits up to 60 s for the child's {@code READY <peerId>} line; returns the peer id, or fails with the log. */
    static long awaitReady(Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError("child exited with " + child.exitValue() + ":\n" + Files.readString(log));
            }
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("READY ")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("child not ready:\n" + Files.readString(log));
    }
}
