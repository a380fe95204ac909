package io.quiver.engine.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's embedded example in a fresh JVM (only the documented JVM flags), twice on the same storage. */
class EmbeddedExampleTest {
    @TempDir
    Path storage;

    @Test
    void readmeExampleRunsInAPlainJvm() throws Exception {
        List<String> first = run();
        assertEquals(3, first.size(), String.valueOf(first));
        // cosine of the query with Berlin is 0.8946, with Moscow 0.8387 (London: 0.666)
        org.junit.jupiter.api.Assertions.assertTrue(first.get(0).startsWith("1 Berlin 0.894"), first.get(0));
        org.junit.jupiter.api.Assertions.assertTrue(first.get(1).startsWith("3 Moscow 0.838"), first.get(1));
        assertEquals("points: 2", first.get(2));
        // second run: the collection is reopened from disk, point 2 is upserted again, then deleted again
        assertEquals(first, run());
    }

    private static String readQuietly(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private List<String> run() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : System.getProperty("quiver.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbeddedExample.class.getName(),
                storage.toString()));
        Path stderr = storage.resolve("example-stderr.log");
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), () -> out + "\nstderr:\n" + readQuietly(stderr));
        return out.lines().toList();
    }
}
