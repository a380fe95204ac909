package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Crash tests' child JVM: runs a main class of the test classpath with Quiver's JVM flags, waits for the line
 * {@code READY} on its stdout, lets it work, then kills it with SIGKILL; and reads the acknowledgements it logged.
 * Stateless; one test thread per child.
 */
final class KilledChild {

    private KilledChild() {
    }

    /**
     * Runs {@code main} with {@code args} (its stderr goes to {@code dir/child-stderr.log}) and kills it {@code runMillis}
     * after it printed READY (at most 60 s to start). With {@code mustSurvive}, fails when the child died by itself.
     */
    static void runAndKill(Path dir, Class<?> main, List<String> args, long runMillis, boolean mustSurvive)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        for (String flag : System.getProperty("quiver.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Path stderr = dir.resolve("child-stderr.log");
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("READY")) {
                        ready.countDown();
                    }
                }
            } catch (Exception e) {
                // the pipe breaks when the child dies
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ready.await(100, TimeUnit.MILLISECONDS)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    fail("child did not start (alive: " + p.isAlive() + "); its stderr:\n" + Files.readString(stderr));
                }
            }
            Thread.sleep(runMillis);
            if (mustSurvive) {
                assertTrue(p.isAlive(), "the child died by itself; its stderr:\n" + Files.readString(stderr));
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        reader.join(10_000);
    }

    /**
     * The largest number in {@code acks}, one per line as the child acknowledged them; a last line torn by the kill
     * is not an acknowledgement. {@code none} when the file is missing or holds no complete line.
     */
    static long lastAcknowledged(Path acks, long none) throws Exception {
        long max = none;
        if (Files.exists(acks)) {
            String text = Files.readString(acks);
            int end = text.lastIndexOf('\n');
            for (String line : text.substring(0, Math.max(0, end)).split("\n")) {
                if (!line.isBlank()) {
                    max = Math.max(max, Long.parseLong(line.trim()));
                }
            }
        }
        return max;
    }
}
