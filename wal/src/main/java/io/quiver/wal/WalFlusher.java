package io.quiver.wal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The group-commit duty cycle: takes pending records from the {@link AppendRing} in LSN order, writes a batch to the active
 * segment, issues one {@code force(false)} for the batch when any record in it asks for {@link Durability#DURABLE},
 * hands the waiters to the {@link WalCompleter}, rolls segments, and runs truncations when they are due. It owns the segment files and their
 * list. Single writer: the flusher thread (or a test stepping {@link #doWork()} by hand); published positions
 * ({@link #writtenLsn()}, {@link #durableLsn()}, {@link #segments()}) are volatile and may be read by any thread.
 *
 * <p>Failure is fail-stop: the first write, fsync or truncation error is kept as {@link #failure()}; every record in
 * flight and every later one completes exceptionally with it, and no fsync is ever retried.
 */
final class WalFlusher implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(WalFlusher.class);
    private static final int ZERO_CHUNK_BYTES = 1 << 20;
    private static final long LINGER_PARK_NANOS = 10_000;

    private final WalDirectory directory;
    private final WalConfig config;
    private final AppendRing ring;
    private final ManyToOneConcurrentArrayQueue<FlusherCommand> commands;
    private final AtomicLong pendingBytes;
    private final Runnable spaceReleased;
    private final SegmentPreallocator preallocator;
    private final SegmentSealer sealer;
    private final WalCompleter completer;
    private final long segmentCapacity;

    private final ByteBuffer batchBuffer;
    private final ByteBuffer headerBuffer = ByteBuffer.allocateDirect(RecordDescriptor.HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    private final ArrayList<PendingAppend> batch = new ArrayList<>();

    private volatile Segment[] segments;
    private Segment active;
    private FileChannel activeChannel;
    /** File offset at which the bytes in {@link #batchBuffer} will land. */
    private long bufferFileOffset;
    private long bufferLastLsn;

    private volatile long writtenLsn;
    private volatile long durableLsn;
    private volatile long fsyncCount;
    private volatile WalFailedException failure;

    /**
     * Takes over the segments found at open (oldest first; the last one becomes the active segment). When there are
     * none, creates an empty segment starting at {@code firstLsnIfEmpty}.
     */
    WalFlusher(WalDirectory directory, WalConfig config, AppendRing ring,
               ManyToOneConcurrentArrayQueue<FlusherCommand> commands, AtomicLong pendingBytes,
               Runnable spaceReleased, SegmentPreallocator preallocator, SegmentSealer sealer,
               WalCompleter completer, Segment[] existing, long firstLsnIfEmpty) throws IOException {
        this.directory = directory;
        this.config = config;
        this.ring = ring;
        this.commands = commands;
        this.pendingBytes = pendingBytes;
        this.spaceReleased = spaceReleased;
        this.preallocator = preallocator;
        this.sealer = sealer;
        this.completer = completer;
        this.segmentCapacity = config.segmentCapacityBytes();
        int bufferBytes = Math.min(Math.max(64 << 10, config.maxBatchBytes()), 8 << 20);
        this.batchBuffer = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (existing.length == 0) {
            this.segments = new Segment[0];
            createSegment(firstLsnIfEmpty);
            makeActiveCreationDurable();
        } else {
            this.segments = existing.clone();
            this.active = existing[existing.length - 1];
            this.activeChannel = config.channelOpener().open(active.path(), StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            this.bufferFileOffset = active.endOffset();
            // whatever an earlier process left in the page cache is made durable before we build on it
            activeChannel.force(false);
            fsyncCount++;
        }
        this.writtenLsn = active.lastLsn();
        this.durableLsn = active.lastLsn();
        this.bufferLastLsn = active.lastLsn();
    }

    @Override
    public String roleName() {
        return "quiver-wal-flusher";
    }

    Segment[] segments() {
        return segments;
    }

    long writtenLsn() {
        return writtenLsn;
    }

    long durableLsn() {
        return durableLsn;
    }

    long fsyncCount() {
        return fsyncCount;
    }

    WalFailedException failure() {
        return failure;
    }

    /** Whether a record or a command can be handled now. */
    boolean hasReadyWork() {
        return ring.peekNext() != null || !commands.isEmpty();
    }

    /** Whether records are claimed but not yet taken, or commands are waiting. */
    boolean hasPendingWork() {
        return ring.hasPending() || !commands.isEmpty();
    }

    /** One duty cycle: runs a due command, or writes (and fsyncs) one batch. Returns the number of items handled. */
    @Override
    public int doWork() {
        if (failure == null && sealer.failure() != null) {
            fail(sealer.failure());
        }
        FlusherCommand command = commands.peek();
        if (command != null && ring.consumed() >= command.runWhenConsumed) {
            commands.poll();
            runCommand(command);
            return 1;
        }
        if (failure != null) {
            return drainFailed();
        }
        PendingAppend append = ring.peekNext();
        if (append == null) {
            return 0;
        }
        final int maxRecords = config.maxBatchRecords();
        final long maxBytes = config.maxBatchBytes();
        final long lingerNanos = config.maxBatchWaitMicros() * 1000;
        batch.clear();
        long bytes = 0;
        boolean wantsSync = false;
        long lingerDeadline = 0;
        while (true) {
            ring.take(append);
            batch.add(append);
            bytes += append.encodedLength();
            wantsSync |= append.durable;
            if (batch.size() >= maxRecords || bytes >= maxBytes) {
                break;
            }
            append = ring.peekNext();
            if (append == null && wantsSync && lingerNanos > 0) {
                if (lingerDeadline == 0) {
                    lingerDeadline = System.nanoTime() + lingerNanos;
                }
                long remaining;
                while (append == null && (remaining = lingerDeadline - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(remaining, LINGER_PARK_NANOS));
                    append = ring.peekNext();
                }
            }
            if (append == null) {
                break;
            }
        }
        int handled = batch.size();
        writeBatch(wantsSync, bytes);
        return handled;
    }

    private void writeBatch(boolean wantsSync, long bytes) {
        try {
            try {
                for (int i = 0, n = batch.size(); i < n; i++) {
                    encode(batch.get(i));
                }
                flushBuffer();
            } catch (IOException | RuntimeException e) {
                fail(e);
                failBatch();
                return;
            }
            PendingAppend[] appends = batch.toArray(NO_APPENDS);
            for (PendingAppend append : appends) {
                append.body = null;  // written: the payload need not outlive this batch
            }
            if (!wantsSync || hasWritten(appends)) {
                completer.complete(appends, appends.length, false);
            }
            if (wantsSync) {
                if (durableLsn < writtenLsn) {
                    try {
                        long covered = writtenLsn;
                        activeChannel.force(false);
                        fsyncCount++;
                        awaitSealed(active.firstLsn() - 1);
                        durableLsn = covered;
                    } catch (IOException | RuntimeException e) {
                        fail(e);
                        failDurableOfBatch();  // the WRITTEN ones were written: they stay successful
                        return;
                    }
                }
                completer.complete(appends, appends.length, true);
            }
        } finally {
            batch.clear();
            pendingBytes.addAndGet(-bytes);
            spaceReleased.run();
        }
    }

    private static final PendingAppend[] NO_APPENDS = new PendingAppend[0];

    private static boolean hasWritten(PendingAppend[] appends) {
        for (PendingAppend append : appends) {
            if (!append.durable) {
                return true;
            }
        }
        return false;
    }

    private void encode(PendingAppend append) throws IOException {
        final int length = append.encodedLength();
        if (bufferFileOffset + batchBuffer.position() + length > segmentCapacity) {
            flushBuffer();
            roll(append.lsn);
        }
        long offset;
        if (length > batchBuffer.capacity()) {
            flushBuffer();
            offset = bufferFileOffset;
            headerBuffer.clear();
            putHeader(headerBuffer, append);
            headerBuffer.flip();
            writeFully(headerBuffer, offset);
            writeFully(ByteBuffer.wrap(append.body), offset + RecordDescriptor.HEADER_LENGTH);
            bufferFileOffset += length;
            active.indexRecord(append.lsn, offset);
            publishWritten(append.lsn);
            return;
        }
        if (batchBuffer.remaining() < length) {
            flushBuffer();
        }
        offset = bufferFileOffset + batchBuffer.position();
        putHeader(batchBuffer, append);
        batchBuffer.put(append.body);
        active.indexRecord(append.lsn, offset);
        bufferLastLsn = append.lsn;
    }

    private static void putHeader(ByteBuffer dst, PendingAppend append) {
        dst.putInt(append.encodedLength()).putInt(append.crc);
        RecordDescriptor.putCoveredHeader(dst, append.lsn, append.type, append.flags, append.rawLength);
    }

    /** Writes the buffered records to the active segment and publishes them. */
    private void flushBuffer() throws IOException {
        if (batchBuffer.position() == 0) {
            return;
        }
        batchBuffer.flip();
        writeFully(batchBuffer, bufferFileOffset);
        bufferFileOffset += batchBuffer.limit();
        batchBuffer.clear();
        publishWritten(bufferLastLsn);
    }

    private void publishWritten(long lastLsn) {
        active.publish(lastLsn, bufferFileOffset);
        bufferLastLsn = lastLsn;
        writtenLsn = lastLsn;
    }

    private void writeFully(ByteBuffer src, long position) throws IOException {
        long at = position;
        while (src.hasRemaining()) {
            at += activeChannel.write(src, at);
        }
    }

    /**
     * Hands the full active segment to the sealer (which fsyncs and marks it sealed in the background) and continues
     * in a new segment whose first record is {@code firstLsn}. Records of the new segment are reported durable only
     * once the old one is sealed.
     */
    private void roll(long firstLsn) throws IOException {
        Segment full = active;
        FileChannel fullChannel = activeChannel;
        long fullEnd = bufferFileOffset;
        activeChannel = null;
        try {
            createSegment(firstLsn);
        } finally {
            sealer.seal(full, fullChannel, fullEnd, full.lastLsn());
        }
    }

    /** fsyncs the active segment's header and the directory (for a segment created outside a roll). */
    private void makeActiveCreationDurable() throws IOException {
        activeChannel.force(false);
        fsyncCount++;
        directory.sync();
    }

    /** Waits until every segment up to {@code lsn} is sealed; throws the sealer's failure. */
    private void awaitSealed(long lsn) throws IOException {
        if (!sealer.awaitSealed(lsn)) {
            throw sealer.failure();
        }
    }

    private void awaitSealerIdle() throws IOException {
        if (!sealer.awaitIdle()) {
            throw sealer.failure();
        }
    }

    /**
     * Creates the segment file for {@code firstLsn} and makes it the active segment: takes a prepared file (or creates
     * a sparse one rather than stall), writes its header and renames it to its final name. Neither is forced here:
     * the sealer's directory fsync (after a roll) or {@link #makeActiveCreationDurable()} does it, and no record of
     * the segment is reported durable before that. A crash before leaves a last segment with an all-zero header,
     * which open deletes.
     */
    private void createSegment(long firstLsn) throws IOException {
        long startNanos = System.nanoTime();
        Path temp = preallocator.take();
        boolean prepared = temp != null;
        if (!prepared) {
            temp = preallocator.createSparseNow();
        }
        Path target = directory.segmentPath(firstLsn);
        FileChannel channel = config.channelOpener().open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            SegmentDescriptor.write(channel, SegmentDescriptor.header(firstLsn));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        Segment segment = new Segment(firstLsn, target);
        Segment[] current = segments;
        Segment[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = segment;
        segments = next;
        active = segment;
        activeChannel = channel;
        bufferFileOffset = SegmentDescriptor.HEADER_LENGTH;
        bufferLastLsn = firstLsn - 1;
        if (LOG.isDebugEnabled()) {
            LOG.debug("WAL {}: new segment {} in {} us ({})", directory.path(), target.getFileName(),
                    (System.nanoTime() - startNanos) / 1000, prepared ? "prepared ahead" : "sparse, none was ready");
        }
    }

    private void runCommand(FlusherCommand command) {
        if (failure != null) {
            command.done.completeExceptionally(failure);
            return;
        }
        try {
            command.step.run(this);
            command.done.complete(null);
        } catch (IOException | RuntimeException e) {
            fail(e);
            command.done.completeExceptionally(failure);
        }
    }

    /** Command step: makes everything written so far durable (one fsync unless it already is). */
    void syncNow() throws IOException {
        if (durableLsn < writtenLsn) {
            long covered = writtenLsn;
            activeChannel.force(false);
            fsyncCount++;
            awaitSealed(active.firstLsn() - 1);
            durableLsn = covered;
        }
    }

    /** Command step: drops every record after {@code lastLsnToKeep}; the next record written is its successor. */
    void truncateSuffix(long lastLsnToKeep) throws IOException {
        awaitSealerIdle();
        Segment[] current = segments;
        int keep = current.length;
        while (keep > 1 && current[keep - 1].firstLsn() > lastLsnToKeep) {
            keep--;
        }
        if (keep < current.length) {
            activeChannel.close();
            activeChannel = null;
            segments = Arrays.copyOf(current, keep);
            for (int i = keep; i < current.length; i++) {
                directory.deleteSegment(current[i].firstLsn());
            }
            directory.sync();
            active = current[keep - 1];
            activeChannel = config.channelOpener().open(active.path(), StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            // the sealed segment becomes the active one again: clear its seal (made durable by the force below)
            SegmentDescriptor.write(activeChannel, SegmentDescriptor.header(active.firstLsn()));
        }
        long cut = offsetAfter(active, lastLsnToKeep);
        zero(activeChannel, cut, active.endOffset());
        activeChannel.force(false);
        fsyncCount++;
        long last = Math.max(lastLsnToKeep, active.firstLsn() - 1);
        active.truncate(last, cut);
        bufferFileOffset = cut;
        bufferLastLsn = last;
        writtenLsn = last;
        durableLsn = last;
        ring.restartAt(last + 1);
        sealer.restartAt(active.firstLsn() - 1);
        LOG.info("WAL {}: truncated the suffix after LSN {} ({} at offset {})", directory.path(), last,
                active.path().getFileName(), cut);
    }

    /**
     * Command step: drops every record; the next record written is {@code nextLsn}. Crash-safe in this order: delete
     * the segments newest first (each deletion made durable, so a crash leaves a consistent prefix of the old log),
     * then record {@code nextLsn} as the first LSN in {@code wal.meta}, then create the empty segment {@code nextLsn}
     * (open creates it from {@code wal.meta} if the crash came before).
     */
    void reset(long nextLsn) throws IOException {
        awaitSealerIdle();
        activeChannel.close();
        activeChannel = null;
        Segment[] current = segments;
        for (int i = current.length - 1; i >= 0; i--) {
            segments = Arrays.copyOf(current, i);
            directory.deleteSegment(current[i].firstLsn());
            directory.sync();
        }
        directory.writeFirstLsn(nextLsn);
        createSegment(nextLsn);
        makeActiveCreationDurable();
        writtenLsn = nextLsn - 1;
        durableLsn = nextLsn - 1;
        ring.restartAt(nextLsn);
        sealer.restartAt(nextLsn - 1);
        LOG.info("WAL {}: reset, next LSN {}", directory.path(), nextLsn);
    }

    /** Command step: records {@code firstLsnToKeep} as the first retained LSN and deletes segments wholly below it. */
    void truncatePrefix(long firstLsnToKeep) throws IOException {
        awaitSealerIdle();
        directory.writeFirstLsn(firstLsnToKeep);
        Segment[] current = segments;
        int drop = 0;
        while (drop < current.length - 1 && current[drop + 1].firstLsn() <= firstLsnToKeep) {
            drop++;
        }
        if (drop > 0) {
            segments = Arrays.copyOfRange(current, drop, current.length);
            for (int i = 0; i < drop; i++) {
                directory.deleteSegment(current[i].firstLsn());
            }
            directory.sync();
            LOG.debug("WAL {}: deleted {} segment(s) below LSN {}", directory.path(), drop, firstLsnToKeep);
        }
    }

    /** The offset just past record {@code lsn} in {@code segment} (its first record offset if {@code lsn} precedes it). */
    private long offsetAfter(Segment segment, long lsn) throws IOException {
        if (lsn < segment.firstLsn()) {
            return SegmentDescriptor.HEADER_LENGTH;
        }
        if (lsn >= segment.lastLsn()) {
            return segment.endOffset();
        }
        int slot = segment.slotAtOrBefore(lsn);
        long at = segment.lsnOfSlot(slot);
        RecordCursor cursor = new RecordCursor(activeChannel, segment.path(), 64 << 10);
        cursor.seek(segment.offsetOfSlot(slot));
        while (at <= lsn) {
            if (cursor.next(segment.endOffset(), at) != RecordCursor.RECORD) {
                throw new WalCorruptionException(segment.path() + ": record LSN " + at + " at offset "
                        + cursor.recordOffset() + " is unreadable while truncating: " + cursor.problem());
            }
            at++;
        }
        return cursor.position();
    }

    /** Overwrites {@code [from, to)} of {@code channel} with zeros. */
    static void zero(FileChannel channel, long from, long to) throws IOException {
        if (to <= from) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK_BYTES, to - from));
        long at = from;
        while (at < to) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            while (zeros.hasRemaining()) {
                at += channel.write(zeros, at);
            }
        }
    }

    private void fail(Throwable cause) {
        if (failure == null) {
            failure = new WalFailedException("WAL " + directory.path() + " failed (fail-stop) after writing LSN "
                    + writtenLsn + " (durable up to " + durableLsn + "): " + cause
                    + "; every pending and later append is refused; close and reopen the log", cause);
            LOG.error("WAL {} failed; it stops accepting records (fail-stop)", directory.path(), cause);
        }
    }

    private void failDurableOfBatch() {
        for (int i = 0, n = batch.size(); i < n; i++) {
            PendingAppend append = batch.get(i);
            if (append.durable) {
                append.completion.completeExceptionally(failure);
            }
        }
    }

    private void failBatch() {
        for (int i = 0, n = batch.size(); i < n; i++) {
            batch.get(i).completion.completeExceptionally(failure);
        }
    }

    private int drainFailed() {
        int handled = 0;
        PendingAppend append;
        while ((append = ring.peekNext()) != null) {
            ring.take(append);
            handled++;
            append.completion.completeExceptionally(failure);
            pendingBytes.addAndGet(-append.encodedLength());
        }
        if (handled > 0) {
            spaceReleased.run();
        }
        return handled;
    }

    /** Last cycle after the queue is drained: fsyncs whatever is written but not yet durable, closes the channel. */
    @Override
    public void onClose() {
        try {
            if (failure == null && activeChannel != null && durableLsn < writtenLsn) {
                activeChannel.force(false);
                fsyncCount++;
                awaitSealed(active.firstLsn() - 1);
                durableLsn = writtenLsn;
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            if (activeChannel != null) {
                try {
                    activeChannel.close();
                } catch (IOException e) {
                    LOG.warn("WAL {}: closing the active segment failed", directory.path(), e);
                }
                activeChannel = null;
            }
        }
    }
}
