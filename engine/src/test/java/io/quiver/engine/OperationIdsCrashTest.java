package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a child JVM ({@link OperationIdsChild}) that runs acknowledged (wait=false) operations on a 3-shard
 * collection with checkpoints every 30 ms, in several rounds, and checks after each kill that the reopened collection
 * gives the next operation an id above every id acknowledged before the kill, and that this id is the written point's
 * version. The test thread drives the child and owns the storage; a daemon thread only reads the child's stdout.
 */
class OperationIdsCrashTest {
    @TempDir
    Path storage;

    @Test
    void operationIdsNeverGoBackAfterSigkill() throws Exception {
        long seed = TestSeeds.seed("OperationIdsCrashTest");
        Random rnd = new Random(seed);
        long lastAcked = 0;
        for (int round = 0; round < 3; round++) {
            long acked = runAndKill(rnd.nextLong(), 600 + rnd.nextInt(900));
            assertTrue(acked >= lastAcked, "round " + round + ": acknowledged ids went back: " + acked + " after "
                    + lastAcked);
            try (Quiver q = Quiver.open(storage)) {
                Collection c = q.collection(OperationIdsChild.COLLECTION);
                long id = c.upsert(List.of(new Point(PointId.of(777), new float[] {-5, 0, 0, 0}, null)), true)
                        .operationId();
                assertTrue(id > acked, "round " + round + ": operation id " + id + " after reopening, but " + acked
                        + " was acknowledged before the kill");
                ScoredPoint hit = c.search(SearchRequest.topK(new float[] {-5, 0, 0, 0}, 1).withExact(true)).get(0);
                assertEquals(PointId.of(777), hit.id());
                assertEquals(id, hit.version());
                lastAcked = id;
            }
        }
        assertTrue(lastAcked > 30, "the child made progress: " + lastAcked);
    }

    /** Runs the child for {@code runMillis} after it is ready, kills it; the highest id it acknowledged. */
    private long runAndKill(long seed, long runMillis) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        for (String flag : System.getProperty("quiver.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OperationIdsChild.class.getName(),
                storage.toString(), Long.toString(seed)));
        Path stderr = storage.resolve("child-stderr.log");
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
            assertTrue(p.isAlive(), "the child died by itself; its stderr:\n" + Files.readString(stderr));
        } finally {
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        reader.join(10_000);
        // one line per acknowledged operation; a line torn by the kill is not an acknowledgement
        String text = Files.readString(storage.resolve("op-acks.log"));
        long max = 0;
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, Math.max(0, end)).split("\n")) {
            if (!line.isBlank()) {
                max = Math.max(max, Long.parseLong(line.trim()));
            }
        }
        System.out.println("killed the child after " + runMillis + " ms; highest acknowledged operation id " + max);
        return max;
    }
}
