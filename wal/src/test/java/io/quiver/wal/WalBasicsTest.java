package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalBasicsTest {

    static final WalConfig SMALL = WalConfig.defaults().withSegmentCapacityBytes(8192).withSegmentsAhead(1);

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<WalRecord> readAll(Wal wal, long from) {
        List<WalRecord> records = new ArrayList<>();
        try (WalReader reader = wal.reader(from)) {
            reader.forEachRemaining(records::add);
        }
        return records;
    }

    @Test
    void emptyLogStartsAtOne(@TempDir Path dir) throws IOException {
        try (Wal wal = Wal.open(dir, WalConfig.defaults())) {
            assertEquals(1, wal.firstLsn());
            assertEquals(0, wal.lastLsn());
            assertEquals(0, wal.durableLsn());
            assertFalse(wal.reader(1).hasNext());
            assertNull(wal.read(1));
        }
        try (Wal wal = Wal.open(dir, WalConfig.defaults())) {
            assertEquals(1, wal.firstLsn());
            assertEquals(0, wal.lastLsn());
        }
    }

    @Test
    void appendsGetConsecutiveLsnsAndReadBack(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, WalConfig.defaults())) {
            for (int i = 1; i <= 100; i++) {
                Durability d = i % 2 == 0 ? Durability.DURABLE : Durability.WRITTEN;
                WalAppend append = wal.append((byte) (i % 7), bytes("record-" + i), d);
                assertEquals(i, append.lsn());
                assertEquals(i, append.completion().get(10, TimeUnit.SECONDS));
            }
            assertEquals(100, wal.lastLsn());
            assertEquals(100, wal.writtenLsn());
            assertTrue(wal.durableLsn() >= 100 - 1, "durable " + wal.durableLsn());
            List<WalRecord> records = readAll(wal, 1);
            assertEquals(100, records.size());
            for (int i = 1; i <= 100; i++) {
                WalRecord r = records.get(i - 1);
                assertEquals(i, r.lsn());
                assertEquals((byte) (i % 7), r.type());
                assertArrayEquals(bytes("record-" + i), r.payload());
            }
            assertEquals(50, readAll(wal, 51).size());
            assertArrayEquals(bytes("record-77"), wal.read(77).payload());
            assertNull(wal.read(101));
        }
        try (Wal wal = Wal.open(dir, WalConfig.defaults())) {
            assertEquals(1, wal.firstLsn());
            assertEquals(100, wal.lastLsn());
            assertEquals(100, wal.durableLsn());
            assertEquals(101, wal.append((byte) 0, bytes("next"), Durability.DURABLE).completion().get());
            assertArrayEquals(bytes("next"), wal.read(101).payload());
        }
    }

    @Test
    void rollsSegmentsAndReadsAcrossThem(@TempDir Path dir) throws Exception {
        Random random = new Random(TestSeeds.seed("rollsSegmentsAndReadsAcrossThem"));
        List<byte[]> payloads = new ArrayList<>();
        try (Wal wal = Wal.open(dir, SMALL)) {
            for (int i = 0; i < 300; i++) {
                byte[] p = new byte[random.nextInt(600)];
                random.nextBytes(p);
                payloads.add(p);
                wal.append((byte) 1, p, i % 10 == 0 ? Durability.DURABLE : Durability.WRITTEN);
            }
            wal.append((byte) 1, new byte[0], Durability.DURABLE).completion().get();
            payloads.add(new byte[0]);
            long segments;
            try (var files = Files.list(dir)) {
                segments = files.filter(p -> p.toString().endsWith(".wal")).count();
            }
            assertTrue(segments > 10, "expected many segments, got " + segments);
            assertRecords(wal, payloads);
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEquals(payloads.size(), wal.lastLsn());
            assertRecords(wal, payloads);
            // reading from the middle of a segment uses the sparse index
            for (int lsn : new int[]{1, 2, 33, 64, 65, 150, 299, 301}) {
                assertArrayEquals(payloads.get(lsn - 1), wal.read(lsn).payload(), "lsn " + lsn);
            }
        }
    }

    static void assertRecords(Wal wal, List<byte[]> payloads) {
        List<WalRecord> records = readAll(wal, 1);
        assertEquals(payloads.size(), records.size());
        for (int i = 0; i < payloads.size(); i++) {
            assertEquals(i + 1, records.get(i).lsn());
            assertArrayEquals(payloads.get(i), records.get(i).payload(), "lsn " + (i + 1));
        }
    }

    @Test
    void compressesLargePayloadsTransparently(@TempDir Path dir) throws Exception {
        byte[] compressible = new byte[100_000];
        for (int i = 0; i < compressible.length; i++) {
            compressible[i] = (byte) (i % 13);
        }
        byte[] random = new byte[50_000];
        new Random(42).nextBytes(random);
        WalConfig config = WalConfig.defaults().withCompressionThresholdBytes(1024);
        try (Wal wal = Wal.open(dir, config)) {
            wal.append((byte) 2, compressible, Durability.DURABLE);
            wal.append((byte) 3, random, Durability.DURABLE).completion().get();
        }
        long size;
        try (var files = Files.list(dir)) {
            Path segment = files.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
            byte[] content = Files.readAllBytes(segment);
            size = 0;
            for (int i = content.length - 1; i >= 0; i--) {
                if (content[i] != 0) {
                    size = i + 1;
                    break;
                }
            }
        }
        assertTrue(size < 32 + 2 * 24 + 50_000 + 10_000, "compressed data expected, segment uses " + size);
        try (Wal wal = Wal.open(dir, config)) {
            assertArrayEquals(compressible, wal.read(1).payload());
            assertEquals(2, wal.read(1).type());
            assertArrayEquals(random, wal.read(2).payload());
        }
    }

    @Test
    void syncMakesWrittenRecordsDurable(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEquals(0, wal.sync());
            for (int i = 1; i <= 500; i++) {  // several segments, all WRITTEN
                wal.append((byte) 0, bytes("w" + i), Durability.WRITTEN);
            }
            long fsyncs = wal.fsyncCount();
            assertEquals(500, wal.sync());
            assertEquals(500, wal.durableLsn());
            assertTrue(wal.fsyncCount() > fsyncs);
            long after = wal.fsyncCount();
            assertEquals(500, wal.sync());
            assertEquals(after, wal.fsyncCount(), "nothing new to make durable: no fsync");
        }
    }

    @Test
    void rejectsPayloadsLargerThanASegment(@TempDir Path dir) throws IOException {
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertThrows(IllegalArgumentException.class,
                    () -> wal.append((byte) 0, new byte[8192], Durability.WRITTEN));
            assertEquals(0, wal.lastLsn());
        }
    }

    @Test
    void closeIsIdempotentAndRefusesLaterAppends(@TempDir Path dir) throws Exception {
        Wal wal = Wal.open(dir, WalConfig.defaults());
        var pending = wal.append((byte) 0, bytes("x"), Durability.DURABLE);
        wal.close();
        assertTrue(pending.completion().isDone());
        assertEquals(1L, pending.completion().get());
        wal.close();
        assertThrows(IllegalStateException.class, () -> wal.append((byte) 0, bytes("y"), Durability.WRITTEN));
        String name = dir.getFileName().toString();
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("quiver-wal-flusher-" + name)
                        || t.getName().equals("quiver-wal-preallocator-" + name)
                        || t.getName().equals("quiver-wal-sealer-" + name)
                        || t.getName().equals("quiver-wal-completer-" + name)),
                "a WAL thread survived close()");
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused(@TempDir Path dir) throws IOException {
        try (Wal wal = Wal.open(dir, WalConfig.defaults())) {
            IOException e = assertThrows(IOException.class, () -> Wal.open(dir, WalConfig.defaults()));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
    }
}
