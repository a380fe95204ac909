package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Random sequences of appends, truncations, resets, syncs and reopens against an in-memory model of the log: after
 * every step the first/last LSN and every retained record must match the model exactly.
 */
class RandomOperationsTest {

    @Test
    void logMatchesModelUnderRandomOperations(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.seed("logMatchesModelUnderRandomOperations");
        Random random = new Random(seed);
        WalConfig config = WalConfig.defaults().withSegmentCapacityBytes(4096).withSegmentsAhead(random.nextInt(2))
                .withCompressionThresholdBytes(200);
        TreeMap<Long, byte[]> model = new TreeMap<>();
        long first = 1;
        long next = 1;
        Wal wal = Wal.open(dir, config);
        try {
            for (int step = 0; step < 400; step++) {
                int op = random.nextInt(100);
                String what;
                if (op < 60) {
                    int n = 1 + random.nextInt(20);
                    for (int i = 0; i < n; i++) {
                        byte[] payload = payload(random);
                        Durability d = random.nextBoolean() ? Durability.DURABLE : Durability.WRITTEN;
                        assertEquals(next, wal.append((byte) (next % 100), payload, d).lsn());
                        model.put(next++, payload);
                    }
                    what = "append " + n;
                } else if (op < 72) {
                    long keep = first - 1 + (long) (random.nextDouble() * (next - first + 1));
                    wal.truncateSuffix(keep);
                    model.tailMap(keep, false).clear();
                    next = Math.min(next, keep + 1);
                    what = "truncateSuffix " + keep;
                } else if (op < 82) {
                    long keep = first + (long) (random.nextDouble() * (next - first + 1));
                    wal.truncatePrefix(keep);
                    if (keep > first) {
                        model.headMap(keep, false).clear();
                        first = keep;
                    }
                    what = "truncatePrefix " + keep;
                } else if (op < 86) {
                    long to = 1 + random.nextInt(2000);
                    wal.reset(to);
                    model.clear();
                    first = to;
                    next = to;
                    what = "reset " + to;
                } else if (op < 93) {
                    assertEquals(next - 1, wal.sync());
                    what = "sync";
                } else {
                    wal.close();
                    wal = Wal.open(dir, config);
                    what = "reopen";
                }
                assertMatches(wal, model, first, next, "seed " + seed + ", step " + step + " (" + what + ")");
            }
        } finally {
            wal.close();
        }
        try (Wal reopened = Wal.open(dir, config)) {
            assertMatches(reopened, model, first, next, "final reopen, seed " + seed);
        }
    }

    private static byte[] payload(Random random) {
        byte[] payload = new byte[random.nextInt(10) == 0 ? 300 + random.nextInt(1500) : random.nextInt(120)];
        if (random.nextBoolean()) {
            random.nextBytes(payload);  // incompressible
        } else {
            java.util.Arrays.fill(payload, (byte) random.nextInt(4));  // compressible when large
        }
        return payload;
    }

    private static void assertMatches(Wal wal, TreeMap<Long, byte[]> model, long first, long next, String context) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (wal.writtenLsn() < next - 1 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        assertEquals(first, wal.firstLsn(), context + ": firstLsn");
        assertEquals(next - 1, wal.lastLsn(), context + ": lastLsn");
        long expected = first;
        try (WalReader reader = wal.reader(first)) {
            while (reader.hasNext()) {
                WalRecord r = reader.next();
                assertEquals(expected, r.lsn(), context);
                assertArrayEquals(model.get(expected), r.payload(), context + ": payload of " + expected);
                assertEquals((byte) (expected % 100), r.type(), context);
                expected++;
            }
        }
        assertEquals(next, expected, context + ": records read");
        assertNull(wal.read(next), context);
    }
}
