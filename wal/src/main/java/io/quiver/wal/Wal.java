package io.quiver.wal;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A segmented write-ahead log with group commit: records get consecutive LSNs (one CAS each), are handed to a single
 * flusher thread through a bounded ring indexed by LSN ({@link AppendRing}), written in batches to preallocated
 * segment files and made durable by one fsync per batch. The on-disk format is described in the module README and in {@link RecordDescriptor},
 * {@link SegmentDescriptor} and {@link WalDirectory}. Threadsafe: any number of threads may append and read; the
 * instance owns its flusher, completer, sealer and preallocator threads, which {@link #close()} ends.
 *
 * <p>An append's LSN is fixed when {@link #append} returns; its {@link WalAppend#completion()} completes on the
 * WAL's completer thread (attach heavy dependants with the {@code ...Async} variants). The payload array is read by the
 * flusher until the completion fires: do not modify it before.
 */
public final class Wal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
    private static final long SPACE_WAIT_SLICE_MILLIS = 1;

    private final Path dir;
    private final WalConfig config;
    private final WalDirectory directory;
    private final AppendRing ring;
    private final ManyToOneConcurrentArrayQueue<FlusherCommand> commands = new ManyToOneConcurrentArrayQueue<>(64);
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Object spaceMonitor = new Object();
    private volatile int waitingForSpace;
    private final SegmentPreallocator preallocator;
    private final SegmentSealer sealer;
    private final WalCompleter completer;
    private final WalFlusher flusher;
    private final FlusherRunner runner;
    private final int maxPayloadBytes;
    private final LZ4Compressor compressor = LZ4Factory.safeInstance().fastCompressor();
    private static final ThreadLocal<RecordCrc> RECORD_CRC = ThreadLocal.withInitial(RecordCrc::new);

    /** Serializes truncatePrefix, truncateSuffix, reset and close. */
    private final ReentrantLock maintenanceLock = new ReentrantLock();
    private volatile long firstLsn;
    private volatile boolean closed;

    /** Per-thread CRC state of appenders. Thread-confined. */
    private static final class RecordCrc {
        final CRC32C crc = new CRC32C();
        final ByteBuffer scratch = RecordDescriptor.newScratch();
    }

    private Wal(Path dir, WalConfig config, WalDirectory directory, Segment[] segments, long firstLsn)
            throws IOException {
        this.dir = dir;
        this.config = config;
        this.directory = directory;
        long nextLsn = segments.length == 0 ? firstLsn : segments[segments.length - 1].lastLsn() + 1;
        this.ring = new AppendRing(config.queueCapacityRecords(), nextLsn);
        this.preallocator = new SegmentPreallocator(directory, config.segmentCapacityBytes(), config.segmentsAhead());
        this.sealer = new SegmentSealer(directory, segments.length == 0 ? firstLsn - 1
                : segments[segments.length - 1].firstLsn() - 1);
        this.completer = new WalCompleter(directory);
        this.flusher = new WalFlusher(directory, config, ring, commands, pendingBytes, this::onSpaceReleased,
                preallocator, sealer, completer, segments, firstLsn);
        this.runner = new FlusherRunner(flusher, flusher::hasReadyWork, flusher::hasPendingWork,
                "quiver-wal-flusher-" + dir.getFileName());
        this.maxPayloadBytes = (int) (config.segmentCapacityBytes() - SegmentDescriptor.HEADER_LENGTH
                - RecordDescriptor.HEADER_LENGTH);
        this.firstLsn = firstLsn;
    }

    /**
     * Opens (or creates) the log in {@code dir}: verifies every segment, cuts a torn tail back to its last valid
     * record (logging what was cut), finishes an interrupted truncation or reset, and starts the flusher.
     *
     * @throws WalCorruptionException when a sealed segment, a segment header or the metadata file is corrupt, or
     *                                segments are missing in the middle of the log
     */
    public static Wal open(Path dir, WalConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        WalDirectory directory = WalDirectory.open(dir);
        try {
            int leftovers = directory.deleteTemporaryFiles();
            if (leftovers > 0) {
                LOG.info("WAL {}: deleted {} temporary file(s) left by an earlier run", dir, leftovers);
            }
            long metaFirst = directory.readFirstLsn();
            long[] firsts = directory.listSegments();
            if (firsts.length > 0 && SegmentScanner.headerIsBlank(directory, firsts[firsts.length - 1])) {
                // its creation was not durable yet (crash right after a roll): nothing in it was reported durable
                LOG.warn("WAL {}: deleting segment {} whose header never reached the disk", dir,
                        SegmentDescriptor.fileName(firsts[firsts.length - 1]));
                directory.deleteSegment(firsts[firsts.length - 1]);
                directory.sync();
                firsts = java.util.Arrays.copyOf(firsts, firsts.length - 1);
            }
            List<Segment> segments = new ArrayList<>();
            for (int i = 0; i < firsts.length; i++) {
                boolean last = i == firsts.length - 1;
                SegmentScanner.Scan scan = SegmentScanner.scan(directory, firsts[i], last);
                Segment segment = scan.segment();
                if (!segments.isEmpty() && segment.firstLsn() != segments.getLast().lastLsn() + 1) {
                    Segment previous = segments.getLast();
                    throw new WalCorruptionException("WAL " + dir + ": segment " + previous + " ends at LSN "
                            + previous.lastLsn() + " but the next segment " + segment.path().getFileName()
                            + " starts at LSN " + segment.firstLsn() + ": records are missing");
                }
                segments.add(segment);
                if (last) {
                    if (scan.sealed()) {
                        SegmentScanner.rewriteHeader(directory, segment.firstLsn(), 0);  // active again
                    }
                } else if (!scan.sealed()) {
                    // its sealing was interrupted: nothing after it was ever reported durable
                    if (scan.cut() || firsts[i + 1] != segment.lastLsn() + 1) {
                        LOG.warn("WAL {}: segment {} was still being sealed when the log stopped and is torn; "
                                        + "dropping the {} later segment(s) from LSN {} (none of their records was "
                                        + "reported durable)", dir, segment, firsts.length - 1 - i, firsts[i + 1]);
                        for (int j = i + 1; j < firsts.length; j++) {
                            directory.deleteSegment(firsts[j]);
                        }
                        directory.sync();
                        break;
                    }
                    SegmentScanner.rewriteHeader(directory, segment.firstLsn(), segment.endOffset());
                }
            }
            long first;
            if (segments.isEmpty()) {
                first = metaFirst > 0 ? metaFirst : 1;
            } else {
                long physicalFirst = segments.getFirst().firstLsn();
                long physicalNext = segments.getLast().lastLsn() + 1;
                if (metaFirst == 0) {
                    first = physicalFirst;
                } else if (metaFirst < physicalFirst) {
                    throw new WalCorruptionException("WAL " + dir + ": " + WalDirectory.META_FILE
                            + " says the first retained LSN is " + metaFirst + " but the oldest segment starts at "
                            + physicalFirst + ": records are missing");
                } else if (metaFirst > physicalNext) {
                    LOG.warn("WAL {}: completing an interrupted reset to LSN {}", dir, metaFirst);
                    for (Segment segment : segments) {
                        directory.deleteSegment(segment.firstLsn());
                    }
                    directory.sync();
                    segments.clear();
                    first = metaFirst;
                } else {
                    first = metaFirst;
                    int drop = 0;
                    while (drop < segments.size() - 1 && segments.get(drop + 1).firstLsn() <= first) {
                        directory.deleteSegment(segments.get(drop).firstLsn());
                        drop++;
                    }
                    if (drop > 0) {
                        directory.sync();
                        segments.subList(0, drop).clear();
                        LOG.info("WAL {}: completed an interrupted prefix truncation to LSN {}", dir, first);
                    }
                }
            }
            Wal wal = new Wal(dir, config, directory, segments.toArray(Segment[]::new), first);
            wal.preallocator.start();
            wal.sealer.start();
            wal.completer.start();
            wal.runner.start();
            LOG.debug("WAL {} opened: LSNs [{}, {}], {} segment(s)", dir, wal.firstLsn(), wal.lastLsn(),
                    wal.flusher.segments().length);
            return wal;
        } catch (IOException | RuntimeException e) {
            try {
                directory.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Appends a record. Its LSN is the previous one plus 1; the completion completes with it once the requested
     * durability is reached, or exceptionally with a {@link WalFailedException} if the log fails (then, and for an
     * append to an already failed log, see {@link WalAppend#NO_LSN}).
     *
     * @param type       a caller-defined type byte, stored as is
     * @param payload    the opaque payload; not copied: do not modify it until the completion fires
     * @param durability when the completion fires
     * @throws WalFullException         when the pending queue stays full (see {@link WalConfig#withBackpressure})
     * @throws IllegalArgumentException when the payload cannot fit in one segment
     * @throws IllegalStateException    when the log is closed
     */
    public WalAppend append(byte type, byte[] payload, Durability durability) {
        return append(ANY_LSN, type, payload, durability);
    }

    /**
     * Appends a record that must get exactly {@code lsn} (a Raft log entry at its index): like
     * {@link #append(byte, byte[], Durability)}, but nothing is appended when the next LSN is another one.
     *
     * @throws IllegalStateException when the next LSN is not {@code lsn} (see {@link #lastLsn()},
     *                               {@link #truncateSuffix}, {@link #reset})
     */
    public WalAppend appendAt(long lsn, byte type, byte[] payload, Durability durability) {
        if (lsn < 1) {
            throw new IllegalArgumentException("LSNs start at 1, got " + lsn);
        }
        return append(lsn, type, payload, durability);
    }

    private static final long ANY_LSN = -1;

    private WalAppend append(long expectedLsn, byte type, byte[] payload, Durability durability) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(durability, "durability");
        if (payload.length > maxPayloadBytes) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the "
                    + maxPayloadBytes + " bytes a segment of " + config.segmentCapacityBytes() + " bytes can hold");
        }
        byte flags = 0;
        byte[] body = payload;
        if (payload.length > config.compressionThresholdBytes()) {
            byte[] compressed = compress(payload);
            if (compressed != null) {
                body = compressed;
                flags = RecordDescriptor.FLAG_LZ4;
            }
        }
        final int encodedLength = RecordDescriptor.HEADER_LENGTH + body.length;
        final PendingAppend append = new PendingAppend(type, flags, payload.length, body,
                durability == Durability.DURABLE, new CompletableFuture<>());
        long deadline = 0;
        // 1. reserve bytes in the pending bound (a record alone may exceed it)
        while (true) {
            checkOpen();
            WalFailedException failure = flusher.failure();
            if (failure != null) {
                return new WalAppend(WalAppend.NO_LSN, CompletableFuture.failedFuture(failure));
            }
            long before = pendingBytes.getAndAdd(encodedLength);
            if (before == 0 || before + encodedLength <= config.maxPendingBytes()) {
                break;
            }
            pendingBytes.getAndAdd(-encodedLength);
            deadline = awaitSpace(encodedLength, deadline, false);
        }
        // 2. claim the LSN (one CAS), 3. fill in and publish
        long lsn;
        try {
            while ((lsn = expectedLsn == ANY_LSN ? ring.tryClaim() : ring.tryClaimExactly(expectedLsn)) < 0) {
                checkOpen();
                if (lsn == AppendRing.OTHER_LSN_NEXT) {
                    throw new IllegalStateException("WAL " + dir + ": cannot append LSN " + expectedLsn
                            + ", the next LSN is " + ring.nextLsn());
                }
                deadline = awaitSpace(encodedLength, deadline, lsn == AppendRing.GATED);
            }
        } catch (RuntimeException e) {
            pendingBytes.getAndAdd(-encodedLength);
            onSpaceReleased();
            throw e;
        }
        RecordCrc recordCrc = RECORD_CRC.get();
        append.lsn = lsn;
        append.crc = RecordDescriptor.crc(recordCrc.crc, recordCrc.scratch, lsn, type, flags, payload.length, body,
                0, body.length);
        ring.publish(append);
        runner.wake();
        return new WalAppend(lsn, append.completion);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("WAL " + dir + " is closed");
        }
    }

    private boolean isFull(int encodedLength) {
        long pending = pendingBytes.get();
        return ring.nextLsn() - ring.consumed() >= ring.capacity()
                || (pending != 0 && pending + encodedLength > config.maxPendingBytes());
    }

    /**
     * Waits a little for room (or for a maintenance step to end, when {@code gated}) per the backpressure policy;
     * returns the deadline, or throws {@link WalFullException}. A maintenance step does not count as a full queue.
     */
    private long awaitSpace(int encodedLength, long deadline, boolean gated) {
        if (!gated && config.backpressure() == Backpressure.FAIL_FAST) {
            throw new WalFullException("WAL " + dir + ": pending queue full (" + (ring.nextLsn() - ring.consumed())
                    + " records, " + pendingBytes.get() + " bytes pending)");
        }
        long now = System.nanoTime();
        if (gated) {
            LockSupport.parkNanos(50_000);
            return deadline;
        }
        if (deadline == 0) {
            deadline = now + config.backpressureTimeoutNanos();
        }
        if (now - deadline >= 0) {
            throw new WalFullException("WAL " + dir + ": pending queue still full after "
                    + TimeUnit.NANOSECONDS.toMillis(config.backpressureTimeoutNanos()) + " ms");
        }
        runner.wake();
        synchronized (spaceMonitor) {
            waitingForSpace++;
            try {
                if (isFull(encodedLength) && !closed) {
                    spaceMonitor.wait(SPACE_WAIT_SLICE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WalFullException("WAL " + dir + ": interrupted while waiting for queue space");
            } finally {
                waitingForSpace--;
            }
        }
        return deadline;
    }

    /** Flusher (or a failed appender): records left the ring. */
    private void onSpaceReleased() {
        if (waitingForSpace > 0) {
            synchronized (spaceMonitor) {
                spaceMonitor.notifyAll();
            }
        }
    }

    private byte[] compress(byte[] payload) {
        byte[] out = new byte[compressor.maxCompressedLength(payload.length)];
        int n = compressor.compress(payload, 0, payload.length, out, 0, out.length);
        return n < payload.length ? java.util.Arrays.copyOf(out, n) : null;
    }

    /**
     * A reader of the records from {@code fromLsn} (or from {@link #firstLsn()} if that is later) up to the written
     * position. Close it when done.
     */
    public WalReader reader(long fromLsn) {
        if (closed) {
            throw new IllegalStateException("WAL " + dir + " is closed");
        }
        return new LogReader(flusher, Math.max(fromLsn, firstLsn));
    }

    /** The record {@code lsn}, or null when it is not retained or not yet written. */
    public WalRecord read(long lsn) {
        if (lsn < firstLsn || lsn > flusher.writtenLsn()) {
            return null;
        }
        try (WalReader reader = reader(lsn)) {
            return reader.hasNext() ? reader.next() : null;
        }
    }

    /** The first retained LSN; for an empty new log 1, after {@link #reset(long) reset(n)} n. */
    public long firstLsn() {
        return firstLsn;
    }

    /** The last appended LSN (not necessarily written or durable); {@code firstLsn() - 1} when the log is empty. */
    public long lastLsn() {
        return ring.nextLsn() - 1;
    }

    /** The highest LSN written to a segment file (readable by {@link #reader}). */
    public long writtenLsn() {
        return flusher.writtenLsn();
    }

    /** The highest LSN covered by an fsync. */
    public long durableLsn() {
        return flusher.durableLsn();
    }

    /** Number of fsyncs of segment files issued since open (group commits, seals, new segments, truncations). */
    public long fsyncCount() {
        return flusher.fsyncCount() + sealer.fsyncCount();
    }

    /** The directory of this log. */
    public Path directory() {
        return dir;
    }

    /** The configuration this log was opened with. */
    public WalConfig config() {
        return config;
    }

    /**
     * The largest payload one record may carry (before compression): what a segment holds besides its header and one
     * record header. {@link #append} refuses a larger one with an {@link IllegalArgumentException}, so a caller can
     * check first.
     */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * Forgets every record below {@code firstLsnToKeep} (after a checkpoint): {@link #firstLsn()} becomes exactly
     * {@code firstLsnToKeep} (durably) and segments wholly below it are deleted. A no-op when it is not above
     * {@link #firstLsn()}.
     *
     * @throws IllegalArgumentException when {@code firstLsnToKeep > lastLsn() + 1} (use {@link #reset(long)})
     */
    public void truncatePrefix(long firstLsnToKeep) throws IOException {
        maintenanceLock.lock();
        try {
            checkOpen();
            if (firstLsnToKeep <= firstLsn) {
                return;
            }
            if (firstLsnToKeep > lastLsn() + 1) {
                throw new IllegalArgumentException("truncatePrefix(" + firstLsnToKeep + ") beyond lastLsn()+1 = "
                        + (lastLsn() + 1) + "; use reset()");
            }
            firstLsn = firstLsnToKeep;
            runOnFlusher(new FlusherCommand(f -> f.truncatePrefix(firstLsnToKeep), FlusherCommand.ANY_TIME));
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Drops every record after {@code lastLsnToKeep} (Raft log conflict resolution); the next append gets
     * {@code lastLsnToKeep + 1}. Appends wait while it runs. A no-op when {@code lastLsnToKeep >= lastLsn()}.
     *
     * @throws IllegalArgumentException when {@code lastLsnToKeep < firstLsn() - 1}
     */
    public void truncateSuffix(long lastLsnToKeep) throws IOException {
        maintenanceLock.lock();
        try {
            checkOpen();
            long next = ring.closeGate();
            long resumeAt = next;
            try {
                if (lastLsnToKeep >= next - 1) {
                    return;
                }
                if (lastLsnToKeep < firstLsn - 1) {
                    throw new IllegalArgumentException("truncateSuffix(" + lastLsnToKeep + ") below firstLsn()-1 = "
                            + (firstLsn - 1));
                }
                runOnFlusher(new FlusherCommand(f -> f.truncateSuffix(lastLsnToKeep), next));
                resumeAt = lastLsnToKeep + 1;
            } finally {
                ring.openGate(resumeAt);
            }
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Drops every record; the next append gets {@code nextLsn} and {@link #firstLsn()} becomes {@code nextLsn}
     * (durably; Raft snapshot install). Appends wait while it runs.
     */
    public void reset(long nextLsn) throws IOException {
        if (nextLsn < 1) {
            throw new IllegalArgumentException("reset(" + nextLsn + "): LSNs start at 1");
        }
        maintenanceLock.lock();
        try {
            checkOpen();
            long next = ring.closeGate();
            long resumeAt = next;
            try {
                firstLsn = nextLsn;
                runOnFlusher(new FlusherCommand(f -> f.reset(nextLsn), next));
                resumeAt = nextLsn;
            } finally {
                ring.openGate(resumeAt);
            }
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Makes every record appended before this call durable (for records appended WRITTEN, e.g. before a checkpoint):
     * waits until they are written, then fsyncs unless they already are durable. Returns {@link #durableLsn()}.
     */
    public long sync() throws IOException {
        maintenanceLock.lock();
        try {
            checkOpen();
            long target = lastLsn();
            runOnFlusher(new FlusherCommand(WalFlusher::syncNow, target + 1));
            return flusher.durableLsn();
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Under the maintenance lock: hands a step to the flusher and waits for it. */
    private void runOnFlusher(FlusherCommand command) throws IOException {
        WalFailedException failure = flusher.failure();
        if (failure != null) {
            throw failure;
        }
        while (!commands.offer(command)) {
            LockSupport.parkNanos(100_000);
        }
        runner.wake();
        try {
            command.done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /**
     * Writes and fsyncs everything already queued, completes its waiters, and stops the threads and files. Appends
     * after close throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        maintenanceLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ring.closeGate();
        } finally {
            maintenanceLock.unlock();
        }
        synchronized (spaceMonitor) {
            spaceMonitor.notifyAll();
        }
        runner.stopAndJoin();
        completer.close();
        sealer.close();
        preallocator.close();
        try {
            directory.close();
        } catch (IOException e) {
            LOG.warn("WAL {}: releasing the directory lock failed", dir, e);
        }
    }

    @Override
    public String toString() {
        return "Wal{" + dir + ", LSNs [" + firstLsn + ", " + lastLsn() + "], written " + writtenLsn() + ", durable "
                + durableLsn() + '}';
    }
}
