package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM appends DURABLE records and prints each LSN once its completion fired; it is killed with SIGKILL at a
 * random moment; after reopening, every printed LSN is present and intact. Several rounds on the same directory, so
 * each round also recovers from the previous kill.
 */
class CrashTest {

    @Test
    void everyAcknowledgedDurableRecordSurvivesSigkill(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.seed("everyAcknowledgedDurableRecordSurvivesSigkill");
        Random random = new Random(seed);
        int rounds = 4;
        long totalAcknowledged = 0;
        for (int round = 0; round < rounds; round++) {
            long killAfterMillis = 100 + random.nextInt(1200);
            List<String> lines = runAndKill(dir, round, killAfterMillis);
            List<long[]> acknowledged = new ArrayList<>();
            for (String line : lines) {
                if (!line.startsWith("READY")) {
                    String[] parts = line.trim().split(" ");
                    if (parts.length == 3) {
                        acknowledged.add(new long[]{Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                                Long.parseLong(parts[2])});
                    }
                }
            }
            System.out.println("round " + round + ": killed after " + killAfterMillis + " ms, "
                    + acknowledged.size() + " acknowledged durable records");
            totalAcknowledged += acknowledged.size();
            try (Wal wal = Wal.open(dir, CrashChild.CONFIG)) {
                for (long[] ack : acknowledged) {
                    WalRecord record = wal.read(ack[0]);
                    assertNotNull(record, "acknowledged LSN " + ack[0] + " missing after the kill (round " + round
                            + ", seed " + seed + ")");
                    ByteBuffer buf = ByteBuffer.wrap(record.payload());
                    assertEquals(ack[1], buf.getInt(), "writer of LSN " + ack[0]);
                    assertEquals(ack[2], buf.getInt(), "sequence of LSN " + ack[0]);
                    assertArrayEquals(ConcurrentWritersTest.payload((int) ack[1], (int) ack[2],
                            record.payload().length), record.payload(), "payload of LSN " + ack[0]);
                }
                long count = 0;
                long expected = wal.firstLsn();
                try (WalReader reader = wal.reader(1)) {
                    while (reader.hasNext()) {
                        assertEquals(expected++, reader.next().lsn());
                        count++;
                    }
                }
                assertEquals(wal.lastLsn(), count, "every record readable and in order");
            }
        }
        assertTrue(totalAcknowledged > 0, "no round acknowledged anything: the test proved nothing");
    }

    private static List<String> runAndKill(Path dir, int round, long killAfterMillis) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("quiver.jvm.flags", "");
        command.addAll(Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.add(dir.toString());
        command.add(Integer.toString(round));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        ready.countDown();
                    }
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the stream ends with the child
            }
        });
        try {
            assertTrue(ready.await(30, TimeUnit.SECONDS), "child never opened the log: " + lines);
            Thread.sleep(killAfterMillis);
        } finally {
            child.destroyForcibly();  // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }
}
