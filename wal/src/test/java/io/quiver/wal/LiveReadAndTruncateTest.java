package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers tail a log that is being written; truncateSuffix runs while appenders keep appending. */
class LiveReadAndTruncateTest {

    @Test
    void readerTailsRecordsAsTheyAreWritten(@TempDir Path dir) throws Exception {
        final int total = 20_000;
        WalConfig config = WalConfig.defaults().withSegmentCapacityBytes(64 << 10);
        try (Wal wal = Wal.open(dir, config)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int seq = 0; seq < total; seq++) {
                    wal.append((byte) 0, ConcurrentWritersTest.payload(0, seq, 8 + seq % 300), Durability.WRITTEN);
                }
            });
            long next = 1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (WalReader reader = wal.reader(1)) {
                while (next <= total && System.nanoTime() < deadline) {
                    if (!reader.hasNext()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                        continue;
                    }
                    WalRecord r = reader.next();
                    assertEquals(next, r.lsn());
                    int seq = (int) (next - 1);
                    assertArrayEquals(ConcurrentWritersTest.payload(0, seq, 8 + seq % 300), r.payload());
                    next++;
                }
            }
            writer.join();
            assertEquals(total + 1, next, "reader saw every record");
        }
    }

    @Test
    void truncateSuffixWhileAppending(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.seed("truncateSuffixWhileAppending");
        Random random = new Random(seed);
        WalConfig config = WalConfig.defaults().withSegmentCapacityBytes(16 << 10);
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = new ArrayList<>();
        try (Wal wal = Wal.open(dir, config)) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                final int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int seq = 0; !stop.get(); seq++) {
                            WalAppend a = wal.append((byte) writer, ConcurrentWritersTest.payload(writer, seq, 64),
                                    seq % 8 == 0 ? Durability.DURABLE : Durability.WRITTEN);
                            a.completion().get(30, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (int i = 0; i < 20; i++) {
                Thread.sleep(10);
                long last = wal.lastLsn();
                long keep = Math.max(0, last - random.nextInt(200));
                wal.truncateSuffix(keep);
                assertTrue(wal.lastLsn() >= keep);
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertTrue(errors.isEmpty(), () -> "writer errors: " + errors);
            assertConsistent(wal);
        }
        try (Wal wal = Wal.open(dir, config)) {
            assertConsistent(wal);
        }
    }

    /** Every retained record is readable, consecutive, and carries a payload some writer produced. */
    static void assertConsistent(Wal wal) {
        long expected = wal.firstLsn();
        try (WalReader reader = wal.reader(1)) {
            while (reader.hasNext()) {
                WalRecord r = reader.next();
                assertEquals(expected++, r.lsn());
                ByteBuffer buf = ByteBuffer.wrap(r.payload());
                int writer = buf.getInt();
                int seq = buf.getInt();
                assertEquals((byte) writer, r.type());
                assertArrayEquals(ConcurrentWritersTest.payload(writer, seq, 64), r.payload());
            }
        }
        assertEquals(wal.lastLsn() + 1, expected);
    }
}
