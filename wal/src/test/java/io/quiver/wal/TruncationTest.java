package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** truncatePrefix, truncateSuffix and reset keep firstLsn/lastLsn exact, also across reopen. */
class TruncationTest {
    static final WalConfig CONFIG = TornTailTest.CONFIG;

    static void append(Wal wal, long from, long to) throws Exception {
        for (long lsn = from; lsn <= to; lsn++) {
            assertEquals(lsn, wal.append((byte) 0, TornTailTest.payload(lsn), Durability.WRITTEN).lsn());
        }
        wal.append((byte) 0, TornTailTest.payload(to + 1), Durability.DURABLE);
        wal.truncateSuffix(to);
    }

    static void assertRange(Wal wal, long first, long last) {
        assertEquals(first, wal.firstLsn());
        assertEquals(last, wal.lastLsn());
        long expected = first;
        try (WalReader reader = wal.reader(0)) {
            while (reader.hasNext()) {
                WalRecord r = reader.next();
                assertEquals(expected, r.lsn());
                assertArrayEquals(TornTailTest.payload(expected), r.payload(), "lsn " + expected);
                expected++;
            }
        }
        assertEquals(last + 1, expected);
    }

    @Test
    void truncatePrefixDeletesWholeSegmentsAndKeepsFirstLsnExact(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 200);
            int before = TornTailTest.segments(dir).size();
            wal.truncatePrefix(100);
            assertRange(wal, 100, 200);
            assertNull(wal.read(99));
            int after = TornTailTest.segments(dir).size();
            assertTrue(after < before && after >= 4, before + " -> " + after);
            wal.truncatePrefix(50);  // no-op
            assertEquals(100, wal.firstLsn());
            assertThrows(IllegalArgumentException.class, () -> wal.truncatePrefix(202));
            wal.truncatePrefix(201);  // everything
            assertRange(wal, 201, 200);
            append(wal, 201, 210);
            assertRange(wal, 201, 210);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 201, 210);
        }
    }

    @Test
    void truncateSuffixAcrossSegments(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 150);
            wal.truncateSuffix(40);  // segments after the one holding 40 are deleted
            assertRange(wal, 1, 40);
            assertEquals(40, wal.writtenLsn());
            assertEquals(40, wal.durableLsn());
            append(wal, 41, 120);
            assertRange(wal, 1, 120);
            wal.truncateSuffix(64);  // exactly at a segment boundary (32 records per segment)
            assertRange(wal, 1, 64);
            wal.truncateSuffix(64);  // no-op
            wal.truncateSuffix(1000);  // no-op
            assertRange(wal, 1, 64);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 1, 64);
            append(wal, 65, 70);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 1, 70);
            wal.truncateSuffix(0);  // everything
            assertRange(wal, 1, 0);
            assertFalse(wal.reader(1).hasNext());
            append(wal, 1, 3);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 1, 3);
        }
    }

    @Test
    void truncateSuffixAfterPrefixTruncation(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 100);
            wal.truncatePrefix(50);
            assertThrows(IllegalArgumentException.class, () -> wal.truncateSuffix(48));
            wal.truncateSuffix(49);  // empty, next LSN 50
            assertRange(wal, 50, 49);
            append(wal, 50, 60);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 50, 60);
        }
    }

    @Test
    void openCompletesInterruptedPrefixTruncationAndReset(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 200);
        }
        WalDirectory directory = TornTailTest.directory(dir);
        directory.writeFirstLsn(100);  // crash after wal.meta, before the segments were deleted
        int before = TornTailTest.segments(dir).size();
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 100, 200);
        }
        assertTrue(TornTailTest.segments(dir).size() < before, "segments below 100 deleted at open");
        for (Path segment : TornTailTest.segments(dir)) {  // crash during reset(500): segments gone, then wal.meta
            java.nio.file.Files.delete(segment);
        }
        directory.writeFirstLsn(500);
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 500, 499);
            append(wal, 500, 505);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 500, 505);
        }
    }

    @Test
    void appendAtChecksTheNextLsn(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 10);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> wal.appendAt(5, (byte) 0, TornTailTest.payload(5), Durability.DURABLE));
            assertTrue(e.getMessage().contains("next LSN is 11"), e.getMessage());
            assertEquals(10, wal.lastLsn(), "a refused appendAt appends nothing");
            wal.truncateSuffix(4);  // Raft conflict: replace entries from 5 on
            assertEquals(5, wal.appendAt(5, (byte) 0, TornTailTest.payload(5), Durability.DURABLE)
                    .completion().get());
            wal.reset(100);  // snapshot installed
            assertEquals(100, wal.appendAt(100, (byte) 0, TornTailTest.payload(100), Durability.WRITTEN)
                    .completion().get());
            assertThrows(IllegalArgumentException.class,
                    () -> wal.appendAt(0, (byte) 0, new byte[1], Durability.WRITTEN));
        }
    }

    @Test
    void resetStartsOverAtTheGivenLsn(@TempDir Path dir) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            append(wal, 1, 100);
            wal.reset(1000);
            assertRange(wal, 1000, 999);
            assertEquals(1, TornTailTest.segments(dir).size());
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 1000, 999);
            append(wal, 1000, 1040);
            wal.reset(5);  // backwards too
            assertRange(wal, 5, 4);
            append(wal, 5, 6);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertRange(wal, 5, 6);
        }
    }
}
