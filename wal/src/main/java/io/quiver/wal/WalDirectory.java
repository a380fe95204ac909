package io.quiver.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The WAL's directory: the exclusive lock file, segment and temporary file names, the metadata file that remembers
 * the first retained LSN, and directory fsyncs. Created and closed by {@link Wal}; its methods are threadsafe (the
 * flusher and the preallocator use it concurrently; they touch different files).
 *
 * <p>Metadata file {@code wal.meta} (little-endian, replaced atomically by write-temp + fsync + rename + dir fsync):
 * <pre>
 *  0  4  magic 0x4D4C5751 ("QWLM")   4  4  format version 1   8  8  first retained LSN   16  4  CRC32C of [0, 16)
 * </pre>
 */
final class WalDirectory implements Closeable {
    static final String LOCK_FILE = "wal.lock";
    static final String META_FILE = "wal.meta";
    static final String TEMP_SUFFIX = ".tmp";
    static final String PREALLOC_PREFIX = "prealloc-";

    static final int META_MAGIC = 0x4D4C5751;
    static final int META_VERSION = 1;
    static final int META_LENGTH = 20;

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicLong tempCounter = new AtomicLong();

    private WalDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates the directory if needed and takes its exclusive lock (one open {@link Wal} per directory). */
    static WalDirectory open(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("WAL directory " + dir + " is already open (" + LOCK_FILE + " is locked)");
        }
        return new WalDirectory(dir, channel, lock);
    }

    Path path() {
        return dir;
    }

    Path segmentPath(long firstLsn) {
        return dir.resolve(SegmentDescriptor.fileName(firstLsn));
    }

    /** A fresh name for a temporary file (preallocated segment or metadata being replaced). */
    Path newTempPath(String prefix) {
        return dir.resolve(prefix + System.nanoTime() + "-" + tempCounter.incrementAndGet() + TEMP_SUFFIX);
    }

    /** First LSNs of the segment files present, ascending. */
    long[] listSegments() throws IOException {
        long[] firsts = new long[16];
        int n = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SegmentDescriptor.SUFFIX)) {
            for (Path p : stream) {
                long first = SegmentDescriptor.parseFileName(p.getFileName().toString());
                if (first >= 0) {
                    if (n == firsts.length) {
                        firsts = Arrays.copyOf(firsts, n * 2);
                    }
                    firsts[n++] = first;
                }
            }
        }
        long[] result = Arrays.copyOf(firsts, n);
        Arrays.sort(result);
        return result;
    }

    /** Deletes leftovers of an earlier run: preallocated segments and half-written metadata. Returns how many. */
    int deleteTemporaryFiles() throws IOException {
        int deleted = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path p : stream) {
                Files.deleteIfExists(p);
                deleted++;
            }
        }
        if (deleted > 0) {
            sync();
        }
        return deleted;
    }

    /** fsyncs the directory itself, making file creations, renames and deletions durable. */
    void sync() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    void deleteSegment(long firstLsn) throws IOException {
        Files.deleteIfExists(segmentPath(firstLsn));
    }

    /** The first retained LSN recorded in {@code wal.meta}, or 0 when there is no such file. */
    long readFirstLsn() throws IOException {
        Path meta = dir.resolve(META_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(meta);
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (bytes.length != META_LENGTH) {
            throw new WalCorruptionException(meta + ": length " + bytes.length + ", expected " + META_LENGTH);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != META_MAGIC) {
            throw new WalCorruptionException(meta + ": bad magic 0x" + Integer.toHexString(buf.getInt(0)));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        if ((int) crc.getValue() != buf.getInt(16)) {
            throw new WalCorruptionException(meta + ": CRC mismatch");
        }
        if (buf.getInt(4) != META_VERSION) {
            throw new WalCorruptionException(meta + ": unsupported format version " + buf.getInt(4));
        }
        long first = buf.getLong(8);
        if (first < 1) {
            throw new WalCorruptionException(meta + ": invalid first LSN " + first);
        }
        return first;
    }

    /** Durably replaces {@code wal.meta} with {@code firstLsn}. */
    void writeFirstLsn(long firstLsn) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(META_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, META_MAGIC).putInt(4, META_VERSION).putLong(8, firstLsn);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 16);
        buf.putInt(16, (int) crc.getValue());
        Path temp = newTempPath("meta-");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(true);
        }
        Files.move(temp, dir.resolve(META_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        sync();
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
