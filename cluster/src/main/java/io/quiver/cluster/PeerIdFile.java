package io.quiver.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * The node's stable peer id, kept in {@code <storage>/peer_id} so that a restarted node rejoins as itself. Layout
 * (little-endian): int magic 0x51504944 ("QPID"), int format version 1, long peer id, int crc32c of the 16 bytes
 * before. Created once by an atomic rename with a random id in [1, 2^53): as Qdrant takes {@code random % 2^53}, so a
 * JSON client that reads numbers as doubles (JavaScript) keeps it exact; an id stored by an older version (up to
 * 2^63) is read as it is. A damaged file is an error (fail-stop), never silently replaced. Stateless; threadsafe.
 */
public final class PeerIdFile {
    /** File name inside the storage directory. */
    public static final String FILE_NAME = "peer_id";
    private static final int MAGIC = 0x51504944;
    private static final int FORMAT_VERSION = 1;
    /** New ids are below this: the largest integer range a double (a JavaScript number) holds exactly. */
    static final long NEW_ID_BOUND = 1L << 53;

    private PeerIdFile() {
    }

    /** Reads the id from {@code storageDir/peer_id}, creating the file with a fresh random id when it is absent. */
    public static long loadOrCreate(Path storageDir) throws IOException {
        Path file = storageDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return read(file);
        }
        Files.createDirectories(storageDir);
        long id = newId(new SecureRandom());
        ByteBuffer buffer = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(id);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 16);
        buffer.putInt((int) crc.getValue()).flip();
        Path tmp = storageDir.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    /** A fresh peer id, uniform in [1, {@link #NEW_ID_BOUND}). */
    static long newId(java.util.random.RandomGenerator random) {
        return random.nextLong(1, NEW_ID_BOUND);
    }

    static long read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != 20) {
            throw new IOException(file + ": peer id file has " + bytes.length + " bytes, expected 20");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt() != MAGIC || buffer.getInt() != FORMAT_VERSION) {
            throw new IOException(file + ": not a Quiver peer id file (bad magic or version)");
        }
        long id = buffer.getLong();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        if (buffer.getInt() != (int) crc.getValue()) {
            throw new IOException(file + ": peer id file checksum mismatch");
        }
        return id;
    }
}
