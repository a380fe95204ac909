package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** N concurrent writers: every record present exactly once, in LSN order, with its payload, after reopen. */
class ConcurrentWritersTest {

    /** Payload: writer id, sequence number, then bytes derived from both. */
    static byte[] payload(int writer, int seq, int length) {
        ByteBuffer buf = ByteBuffer.allocate(Math.max(8, length));
        buf.putInt(writer).putInt(seq);
        Random r = new Random(writer * 1_000_003L + seq);
        while (buf.hasRemaining()) {
            buf.put((byte) r.nextInt());
        }
        return buf.array();
    }

    @Test
    void everyRecordOnceInLsnOrderAfterReopen(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.seed("everyRecordOnceInLsnOrderAfterReopen");
        final int writers = 8;
        final int perWriter = 1500;
        WalConfig config = WalConfig.defaults().withSegmentCapacityBytes(256 << 10).withQueueCapacityRecords(256)
                .withMaxBatchRecords(64);
        ConcurrentHashMap<Long, Long> lsnToKey = new ConcurrentHashMap<>();
        try (Wal wal = Wal.open(dir, config)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final int writer = w;
                Thread t = Thread.ofPlatform().start(() -> {
                    Random random = new Random(seed + writer);
                    List<CompletableFuture<Long>> inFlight = new ArrayList<>();
                    try {
                        start.await();
                        for (int seq = 0; seq < perWriter; seq++) {
                            Durability d = random.nextInt(4) == 0 ? Durability.DURABLE : Durability.WRITTEN;
                            WalAppend a = wal.append((byte) writer, payload(writer, seq, random.nextInt(700)), d);
                            lsnToKey.put(a.lsn(), ((long) writer << 32) | seq);
                            inFlight.add(a.completion());
                            if (d == Durability.DURABLE) {
                                a.completion().get(30, TimeUnit.SECONDS);
                            }
                        }
                        for (CompletableFuture<Long> f : inFlight) {
                            f.get(30, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                });
                threads.add(t);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertTrue(errors.isEmpty(), () -> "writer errors: " + errors);
            assertEquals((long) writers * perWriter, wal.lastLsn());
            assertTrue(wal.fsyncCount() < (long) writers * perWriter / 4,
                    "group commit should share fsyncs: " + wal.fsyncCount());
        }
        try (Wal wal = Wal.open(dir, config)) {
            assertEquals((long) writers * perWriter, wal.lastLsn());
            Set<Long> seen = new HashSet<>();
            int[] lastSeq = new int[writers];
            java.util.Arrays.fill(lastSeq, -1);
            long expectedLsn = 1;
            try (WalReader reader = wal.reader(1)) {
                while (reader.hasNext()) {
                    WalRecord r = reader.next();
                    assertEquals(expectedLsn++, r.lsn());
                    ByteBuffer buf = ByteBuffer.wrap(r.payload());
                    int writer = buf.getInt();
                    int seq = buf.getInt();
                    assertEquals((byte) writer, r.type());
                    long key = ((long) writer << 32) | seq;
                    assertTrue(seen.add(key), "record " + writer + "/" + seq + " twice");
                    assertEquals(lsnToKey.get(r.lsn()), key, "LSN " + r.lsn() + " holds another record");
                    assertTrue(java.util.Arrays.equals(payload(writer, seq, r.payload().length), r.payload()),
                            "payload of " + writer + "/" + seq);
                    assertTrue(seq > lastSeq[writer], "per-writer order broken for writer " + writer);
                    lastSeq[writer] = seq;
                }
            }
            assertEquals((long) writers * perWriter, seen.size());
        }
    }
}
