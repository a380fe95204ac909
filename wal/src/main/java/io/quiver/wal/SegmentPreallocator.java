package io.quiver.wal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Prepares segment files ahead of need on its own thread: each is a temporary file zero-filled to the segment
 * capacity, fsynced, with the directory fsynced, so that a roll only writes a header and renames, and later fsyncs of
 * the segment never change its size. Created, started and closed by {@link Wal}; {@link #take()} is threadsafe (the
 * flusher calls it). A failure here is logged and only disables preparation (the flusher then creates files itself).
 */
final class SegmentPreallocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPreallocator.class);
    private static final int FILL_CHUNK_BYTES = 1 << 20;

    private final WalDirectory directory;
    private final long capacityBytes;
    private final int ahead;
    private final ConcurrentLinkedQueue<Path> ready = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    SegmentPreallocator(WalDirectory directory, long capacityBytes, int ahead) {
        this.directory = directory;
        this.capacityBytes = capacityBytes;
        this.ahead = ahead;
        this.thread = ahead == 0 ? null
                : Thread.ofPlatform().daemon()
                .name("quiver-wal-preallocator-" + directory.path().getFileName()).unstarted(this::run);
    }

    void start() {
        if (thread != null) {
            thread.start();
        }
    }

    /** A prepared (zero-filled, durable) temporary file, or null when none is ready. */
    Path take() {
        Path path = ready.poll();
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        return path;
    }

    private void run() {
        while (!closed) {
            if (ready.size() < ahead) {
                try {
                    Path prepared = prepare();
                    if (prepared != null) {
                        ready.add(prepared);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("WAL segment preallocation in {} failed; segments will be created on demand",
                            directory.path(), e);
                    return;
                }
            } else {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /**
     * Creates a sparse file of the segment capacity now, on the calling thread (the flusher, when no prepared file is
     * ready): no zero-fill stall on the write path; the first fsyncs of such a segment also allocate its blocks.
     */
    Path createSparseNow() throws IOException {
        Path temp = directory.newTempPath(WalDirectory.PREALLOC_PREFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), capacityBytes - 1);
        }
        return temp;
    }

    private Path prepare() throws IOException {
        Path temp = directory.newTempPath(WalDirectory.PREALLOC_PREFIX);
        boolean complete = false;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(FILL_CHUNK_BYTES);
            long written = 0;
            while (written < capacityBytes) {
                if (closed) {
                    return null;
                }
                zeros.clear();
                zeros.limit((int) Math.min(FILL_CHUNK_BYTES, capacityBytes - written));
                while (zeros.hasRemaining()) {
                    written += channel.write(zeros, written);
                }
            }
            channel.force(true);
            directory.sync();
            complete = true;
            return temp;
        } finally {
            if (!complete) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            ThreadStop.wakeAndJoin(thread);
        }
        Path path;
        while ((path = ready.poll()) != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warn("cannot delete preallocated WAL file {}", path, e);
            }
        }
    }
}
