package io.quiver.wal;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Seals full segments on its own thread, so that a roll does not stall the flusher behind the fsync of a segment's
 * worth of WRITTEN data: fsyncs the segment, writes {@code sealedEnd} into its header, fsyncs again, closes the
 * channel, fsyncs the directory (which also makes the successor segment's creation durable), then publishes
 * {@link #sealedThroughLsn()}. The flusher hands segments over in order
 * ({@link #seal}, single producer) and, before it reports any later record durable, waits with
 * {@link #awaitSealed(long)}. An fsync error is kept as {@link #failure()} (the flusher turns it into fail-stop);
 * it is never retried. Created, started and closed by {@link Wal}.
 */
final class SegmentSealer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSealer.class);

    private record Job(Segment segment, FileChannel channel, long endOffset, long lastLsn) {
    }

    private final WalDirectory directory;
    /** At most this many full segments wait for their seal; the flusher waits beyond (disk backpressure). */
    private static final int MAX_PENDING_SEALS = 4;

    private final OneToOneConcurrentArrayQueue<Job> jobs = new OneToOneConcurrentArrayQueue<>(MAX_PENDING_SEALS);
    private final Thread thread;
    private volatile long requestedThroughLsn;
    private volatile long sealedThroughLsn;
    private volatile IOException failure;
    private volatile boolean closing;
    private volatile long fsyncCount;

    SegmentSealer(WalDirectory directory, long sealedThroughLsn) {
        this.directory = directory;
        this.requestedThroughLsn = sealedThroughLsn;
        this.sealedThroughLsn = sealedThroughLsn;
        this.thread = Thread.ofPlatform().daemon()
                .name("quiver-wal-sealer-" + directory.path().getFileName()).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Every segment whose records are all at or below this LSN is durably sealed. */
    long sealedThroughLsn() {
        return sealedThroughLsn;
    }

    IOException failure() {
        return failure;
    }

    /** fsyncs issued by the sealer. */
    long fsyncCount() {
        return fsyncCount;
    }

    /** Flusher: hands over a full segment, its channel (now owned by the sealer), end offset and last LSN. */
    void seal(Segment segment, FileChannel channel, long endOffset, long lastLsn) {
        Job job = new Job(segment, channel, endOffset, lastLsn);
        requestedThroughLsn = lastLsn;
        while (!jobs.offer(job)) {
            LockSupport.unpark(thread);
            LockSupport.parkNanos(100_000);
        }
        LockSupport.unpark(thread);
    }

    /** Flusher: waits until every segment up to {@code lsn} is sealed; returns false if sealing failed. */
    boolean awaitSealed(long lsn) {
        while (sealedThroughLsn < lsn && failure == null) {
            LockSupport.unpark(thread);
            LockSupport.parkNanos(20_000);
        }
        return failure == null;
    }

    /** Flusher: waits until every segment handed over so far is sealed; returns false if sealing failed. */
    boolean awaitIdle() {
        return awaitSealed(requestedThroughLsn);
    }

    /** After a truncation or reset: nothing older remains to be sealed. */
    void restartAt(long sealedThroughLsn) {
        this.requestedThroughLsn = sealedThroughLsn;
        this.sealedThroughLsn = sealedThroughLsn;
    }

    private void run() {
        while (true) {
            Job job = jobs.poll();
            if (job == null) {
                if (closing) {
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            if (failure != null) {
                closeQuietly(job.channel());
                continue;
            }
            try {
                job.channel().force(false);
                fsyncCount++;
                SegmentDescriptor.write(job.channel(), SegmentDescriptor.header(job.segment().firstLsn(),
                        job.endOffset()));
                job.channel().force(false);
                fsyncCount++;
                job.channel().close();
                directory.sync();  // makes the successor's rename durable too
                sealedThroughLsn = job.lastLsn();
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
                LOG.error("sealing WAL segment {} failed", job.segment().path(), e);
                closeQuietly(job.channel());
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** Seals what was handed over, then ends the thread. */
    @Override
    public void close() {
        closing = true;
        ThreadStop.wakeAndJoin(thread);
    }
}
