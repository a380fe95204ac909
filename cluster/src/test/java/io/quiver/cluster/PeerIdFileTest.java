package io.quiver.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peer ids: new ones fit a double exactly (below 2^53, as Qdrant's); stored ones are read back whatever they are. */
class PeerIdFileTest {
    @TempDir
    Path dir;

    @Test
    void newIdsAreBelow2Pow53AndNotZero() {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("PeerIdFileTest seed: -Dquiver.seed=" + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            long id = PeerIdFile.newId(random);
            assertTrue(id >= 1 && id < 1L << 53, "id " + id + " (seed " + seed + ")");
            assertEquals(id, (long) (double) id, "exact as a double");
        }
    }

    @Test
    void aCreatedFileHoldsAnIdBelow2Pow53() throws Exception {
        long id = PeerIdFile.loadOrCreate(dir);
        assertTrue(id >= 1 && id < 1L << 53, "id " + id);
        assertEquals(id, PeerIdFile.loadOrCreate(dir));
    }

    @Test
    void anIdStoredByAnOlderVersionIsKept() throws Exception {
        long old = (1L << 62) + 12345;
        ByteBuffer buffer = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0x51504944).putInt(1).putLong(old);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 16);
        buffer.putInt((int) crc.getValue());
        Files.write(dir.resolve(PeerIdFile.FILE_NAME), buffer.array());
        assertEquals(old, PeerIdFile.loadOrCreate(dir));
    }
}
