package io.quiver.bench.ann;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident set size of this whole process ({@code VmRSS} of {@code /proc/self/status}: Java heap pages touched so
 * far, off-heap memory, and mapped file pages this process has touched), for the harness's memory figures. It is
 * process-wide, not per index. Stateless; any thread.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {
    }

    /** VmRSS in bytes, or -1 where /proc/self/status does not exist (not Linux). */
    static long bytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
