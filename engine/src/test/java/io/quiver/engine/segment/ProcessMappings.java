package io.quiver.engine.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads this process's memory maps ({@code /proc/self/maps}, Linux) to tell whether a file is still mapped. */
public final class ProcessMappings {
    private ProcessMappings() {
    }

    /** How many regions of this process map {@code file}. */
    public static long of(Path file) throws IOException {
        return Files.readString(Path.of("/proc/self/maps")).lines().filter(l -> l.endsWith(" " + file)).count();
    }

    /**
     * Waits up to 10 s until {@code file} is mapped {@code expected} times (chronicle-bytes unmaps on a background
     * thread); returns the last count seen.
     */
    public static long await(Path file, long expected) throws IOException, InterruptedException {
        long seen = of(file);
        for (int i = 0; i < 200 && seen != expected; i++) {
            Thread.sleep(50);
            seen = of(file);
        }
        return seen;
    }
}
