package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Torn and corrupt tails are cut back to the last valid record; corruption in a sealed segment is an error. */
class TornTailTest {
    static final WalConfig CONFIG = WalConfig.defaults().withSegmentCapacityBytes(4096).withSegmentsAhead(0);
    static final int PAYLOAD = 100;
    static final int RECORD = RecordDescriptor.HEADER_LENGTH + PAYLOAD;

    static byte[] payload(long lsn) {
        byte[] p = new byte[PAYLOAD];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (lsn * 31 + i);
        }
        return p;
    }

    /** Writes {@code count} records of 124 bytes: 32 per 4 KiB segment. */
    static void write(Path dir, int count) throws Exception {
        try (Wal wal = Wal.open(dir, CONFIG)) {
            for (int i = 1; i <= count; i++) {
                wal.append((byte) 0, payload(i), Durability.WRITTEN);
            }
            wal.append((byte) 0, payload(count + 1), Durability.DURABLE).completion().get();
        }
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
    }

    static void assertIntact(Wal wal, long last) {
        assertEquals(last, wal.lastLsn());
        for (long lsn = 1; lsn <= last; lsn++) {
            assertArrayEquals(payload(lsn), wal.read(lsn).payload(), "lsn " + lsn);
        }
    }

    @Test
    void fileTruncatedMidRecordReopensAtLastValidRecord(@TempDir Path dir) throws Exception {
        write(dir, 9);  // LSNs 1..10 in one segment
        Path segment = segments(dir).getLast();
        long cut = SegmentDescriptor.HEADER_LENGTH + 7L * RECORD + 50;  // in the middle of LSN 8
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 7);
            assertEquals(8, wal.append((byte) 0, payload(8), Durability.DURABLE).completion().get());
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 8);
        }
    }

    @Test
    void flippedPayloadByteInTailIsCut(@TempDir Path dir) throws Exception {
        write(dir, 9);
        Path segment = segments(dir).getLast();
        long at = SegmentDescriptor.HEADER_LENGTH + 5L * RECORD + RecordDescriptor.HEADER_LENGTH + 17; // LSN 6
        flip(segment, at);
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 5);
            // new records overwrite the cut tail; the stale LSNs 7..10 must not come back
            assertEquals(6, wal.append((byte) 0, payload(6), Durability.DURABLE).completion().get());
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 6);
        }
    }

    @Test
    void corruptRecordInSealedSegmentIsAnError(@TempDir Path dir) throws Exception {
        write(dir, 70);  // three segments
        List<Path> segments = segments(dir);
        assertTrue(segments.size() >= 3, "segments: " + segments);
        Path sealed = segments.getFirst();
        long at = SegmentDescriptor.HEADER_LENGTH + 3L * RECORD + RecordDescriptor.HEADER_LENGTH + 1; // LSN 4
        flip(sealed, at);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir, CONFIG));
        assertTrue(e.getMessage().contains(sealed.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + (SegmentDescriptor.HEADER_LENGTH + 3L * RECORD)),
                e.getMessage());
        assertTrue(e.getMessage().contains("sealed"), e.getMessage());
        flip(sealed, at);  // repaired by hand: opens again
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 71);
        }
    }

    @Test
    void missingRecordsBetweenSegmentsAreAnError(@TempDir Path dir) throws Exception {
        write(dir, 70);
        List<Path> segments = segments(dir);
        // cut the first (sealed) segment short at a record boundary: LSNs 30..32 vanish
        try (FileChannel ch = FileChannel.open(segments.getFirst(), StandardOpenOption.WRITE)) {
            ch.truncate(SegmentDescriptor.HEADER_LENGTH + 29L * RECORD);
        }
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir, CONFIG));
        assertTrue(e.getMessage().contains("sealed at offset 4000 but its records end at offset 3628"),
                e.getMessage());
    }

    @Test
    void interruptedSealIsCompletedWhenTheSegmentIsIntact(@TempDir Path dir) throws Exception {
        write(dir, 70);
        Path first = segments(dir).getFirst();
        SegmentScanner.rewriteHeader(directory(dir), 1, 0);  // as if killed before the sealer marked it
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 71);
        }
        assertEquals(SegmentDescriptor.HEADER_LENGTH + 32L * RECORD, sealedEnd(first));
    }

    @Test
    void tornSegmentWhoseSealWasInterruptedCutsTheLog(@TempDir Path dir) throws Exception {
        write(dir, 70);  // segments 1..32, 33..64, 65..71
        List<Path> segments = segments(dir);
        SegmentScanner.rewriteHeader(directory(dir), 33, 0);
        long at = SegmentDescriptor.HEADER_LENGTH + 9L * RECORD + RecordDescriptor.HEADER_LENGTH + 3;  // LSN 42
        flip(segments.get(1), at);
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 41);
            assertEquals(2, segments(dir).size(), "the segment after the torn one is dropped");
            assertEquals(42, wal.append((byte) 0, payload(42), Durability.DURABLE).completion().get());
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 42);
        }
    }

    @Test
    void sealedSegmentsCarryTheirEndOffset(@TempDir Path dir) throws Exception {
        write(dir, 70);
        List<Path> segments = segments(dir);
        assertEquals(SegmentDescriptor.HEADER_LENGTH + 32L * RECORD, sealedEnd(segments.get(0)));
        assertEquals(SegmentDescriptor.HEADER_LENGTH + 32L * RECORD, sealedEnd(segments.get(1)));
        assertEquals(0, sealedEnd(segments.get(2)), "the active segment is not sealed");
    }

    @Test
    void lastSegmentWithBlankHeaderIsDropped(@TempDir Path dir) throws Exception {
        write(dir, 9);  // LSNs 1..10
        Path blank = dir.resolve(SegmentDescriptor.fileName(11));
        Files.write(blank, new byte[4096]);  // a roll whose header write never persisted
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 10);
            assertEquals(11, wal.append((byte) 0, payload(11), Durability.DURABLE).completion().get());
        }
        try (Wal wal = Wal.open(dir, CONFIG)) {
            assertIntact(wal, 11);
        }
    }

    static long sealedEnd(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(b, SegmentDescriptor.SEALED_END_OFFSET);
            return b.getLong(0);
        }
    }

    /** A handle on the directory for header surgery; the WAL is closed, so the lock is free. */
    static WalDirectory directory(Path dir) throws IOException {
        WalDirectory directory = WalDirectory.open(dir);
        directory.close();
        return directory;
    }

    @Test
    void corruptSegmentHeaderIsAnError(@TempDir Path dir) throws Exception {
        write(dir, 5);
        flip(segments(dir).getLast(), 9);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir, CONFIG));
        assertTrue(e.getMessage().contains("segment header"), e.getMessage());
    }

    static void flip(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            b.rewind();
            ch.write(b, offset);
        }
    }
}
