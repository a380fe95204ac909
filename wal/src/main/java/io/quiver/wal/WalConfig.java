package io.quiver.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The tuning of one {@link Wal}: segment size, group-commit batch bounds, the bounded pending queue and its
 * backpressure, and the compression threshold. Immutable; every {@code withXxx} returns a changed copy; threadsafe.
 * The defaults are chosen from the WAL benchmark (see the module README and BENCHMARKS.md, section WAL).
 */
public final class WalConfig {

    /** Opens the file channels of segment files; replaced in tests to inject I/O failures. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /** Default segment capacity: 32 MiB, Qdrant's {@code wal_capacity_mb}. */
    public static final long DEFAULT_SEGMENT_CAPACITY_BYTES = 32L << 20;
    /** Default number of segment files prepared (zero-filled) ahead of need. */
    public static final int DEFAULT_SEGMENTS_AHEAD = 1;
    /** Default bound on the bytes one group commit writes before it fsyncs. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;
    /** Default bound on the records of one group commit. */
    public static final int DEFAULT_MAX_BATCH_RECORDS = 4096;
    /** Default time the flusher lingers to gather more durable records before the fsync (0: natural batching). */
    public static final long DEFAULT_MAX_BATCH_WAIT_MICROS = 0;
    /** Default capacity of the pending queue in records. */
    public static final int DEFAULT_QUEUE_CAPACITY_RECORDS = 16384;
    /** Default bound on the payload bytes waiting in the pending queue. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L << 20;
    /** Default wait of a blocked append before it gives up. */
    public static final Duration DEFAULT_BACKPRESSURE_TIMEOUT = Duration.ofSeconds(10);
    /** Default payload size above which a payload is lz4-compressed (when that makes it smaller). */
    public static final int DEFAULT_COMPRESSION_THRESHOLD_BYTES = 16 << 10;
    /** The smallest segment capacity accepted. */
    public static final long MIN_SEGMENT_CAPACITY_BYTES = 4096;

    private static final WalConfig DEFAULTS = new WalConfig(DEFAULT_SEGMENT_CAPACITY_BYTES, DEFAULT_SEGMENTS_AHEAD,
            DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BATCH_WAIT_MICROS,
            DEFAULT_QUEUE_CAPACITY_RECORDS, DEFAULT_MAX_PENDING_BYTES, Backpressure.BLOCK,
            DEFAULT_BACKPRESSURE_TIMEOUT.toNanos(), DEFAULT_COMPRESSION_THRESHOLD_BYTES, FileChannel::open);

    private final long segmentCapacityBytes;
    private final int segmentsAhead;
    private final int maxBatchBytes;
    private final int maxBatchRecords;
    private final long maxBatchWaitMicros;
    private final int queueCapacityRecords;
    private final long maxPendingBytes;
    private final Backpressure backpressure;
    private final long backpressureTimeoutNanos;
    private final int compressionThresholdBytes;
    private final ChannelOpener channelOpener;

    private WalConfig(long segmentCapacityBytes, int segmentsAhead, int maxBatchBytes, int maxBatchRecords,
                      long maxBatchWaitMicros, int queueCapacityRecords, long maxPendingBytes,
                      Backpressure backpressure, long backpressureTimeoutNanos, int compressionThresholdBytes,
                      ChannelOpener channelOpener) {
        if (segmentCapacityBytes < MIN_SEGMENT_CAPACITY_BYTES || segmentCapacityBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment capacity must be in [" + MIN_SEGMENT_CAPACITY_BYTES + ", "
                    + Integer.MAX_VALUE + "] bytes, got " + segmentCapacityBytes);
        }
        if (segmentsAhead < 0 || segmentsAhead > 16) {
            throw new IllegalArgumentException("segmentsAhead must be in [0, 16], got " + segmentsAhead);
        }
        if (maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxBatchBytes must be positive, got " + maxBatchBytes);
        }
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException("maxBatchRecords must be positive, got " + maxBatchRecords);
        }
        if (maxBatchWaitMicros < 0) {
            throw new IllegalArgumentException("maxBatchWaitMicros must be >= 0, got " + maxBatchWaitMicros);
        }
        if (queueCapacityRecords < 2 || queueCapacityRecords > (1 << 30)) {
            throw new IllegalArgumentException("queueCapacityRecords must be in [2, 2^30], got " + queueCapacityRecords);
        }
        if (maxPendingBytes < 1) {
            throw new IllegalArgumentException("maxPendingBytes must be positive, got " + maxPendingBytes);
        }
        if (backpressureTimeoutNanos < 0) {
            throw new IllegalArgumentException("backpressure timeout must be >= 0, got " + backpressureTimeoutNanos);
        }
        if (compressionThresholdBytes < 0) {
            throw new IllegalArgumentException("compressionThresholdBytes must be >= 0, got " + compressionThresholdBytes);
        }
        this.segmentCapacityBytes = segmentCapacityBytes;
        this.segmentsAhead = segmentsAhead;
        this.maxBatchBytes = maxBatchBytes;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchWaitMicros = maxBatchWaitMicros;
        this.queueCapacityRecords = queueCapacityRecords;
        this.maxPendingBytes = maxPendingBytes;
        this.backpressure = Objects.requireNonNull(backpressure, "backpressure");
        this.backpressureTimeoutNanos = backpressureTimeoutNanos;
        this.compressionThresholdBytes = compressionThresholdBytes;
        this.channelOpener = Objects.requireNonNull(channelOpener, "channelOpener");
    }

    /**
     * The defaults: 32 MiB segments, one segment prepared ahead, batches of at most 1 MiB / 4096 records with no
     * lingering, a pending queue of 16384 records / 64 MiB, {@link Backpressure#BLOCK} for up to 10 s, and lz4
     * compression of payloads above 16 KiB.
     */
    public static WalConfig defaults() {
        return DEFAULTS;
    }

    /** Capacity of each segment file (preallocated to this size); records never span segments. */
    public WalConfig withSegmentCapacityBytes(long bytes) {
        return new WalConfig(bytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /**
     * Number of segment files prepared (zero-filled, fsynced) ahead of need on a background thread (Qdrant's
     * {@code wal_segments_ahead}). When none is ready at a roll, including always with 0, the flusher creates a
     * sparse file instead of stalling; durable appends to a sparse segment pay for block allocation in their fsyncs.
     */
    public WalConfig withSegmentsAhead(int n) {
        return new WalConfig(segmentCapacityBytes, n, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /** Upper bound of the bytes one group commit gathers before it writes and fsyncs. */
    public WalConfig withMaxBatchBytes(int bytes) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, bytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /** Upper bound of the records of one group commit; 1 gives one fsync per durable record (the baseline). */
    public WalConfig withMaxBatchRecords(int records) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, records, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /**
     * How long the flusher may linger, once it holds a durable record, to gather more records before the fsync.
     * 0 means natural batching only: whatever arrived while the previous fsync ran forms the next batch.
     */
    public WalConfig withMaxBatchWaitMicros(long micros) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, micros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /** Capacity of the pending queue in records (rounded up to a power of two). */
    public WalConfig withQueueCapacityRecords(int records) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                records, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /** Bound of the encoded bytes waiting in the pending queue (a single larger record is still accepted alone). */
    public WalConfig withMaxPendingBytes(long bytes) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, bytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, channelOpener);
    }

    /** What a full pending queue does to {@link Wal#append}, and how long {@link Backpressure#BLOCK} waits. */
    public WalConfig withBackpressure(Backpressure mode, Duration timeout) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, mode, timeout.toNanos(),
                compressionThresholdBytes, channelOpener);
    }

    /** Payloads longer than this are lz4-compressed when that makes them smaller; {@code Integer.MAX_VALUE}: never. */
    public WalConfig withCompressionThresholdBytes(int bytes) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                bytes, channelOpener);
    }

    /** Test hook: how segment channels are opened (e.g. a wrapper that injects I/O failures). */
    WalConfig withChannelOpener(ChannelOpener opener) {
        return new WalConfig(segmentCapacityBytes, segmentsAhead, maxBatchBytes, maxBatchRecords, maxBatchWaitMicros,
                queueCapacityRecords, maxPendingBytes, backpressure, backpressureTimeoutNanos,
                compressionThresholdBytes, opener);
    }

    public long segmentCapacityBytes() {
        return segmentCapacityBytes;
    }

    public int segmentsAhead() {
        return segmentsAhead;
    }

    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    public long maxBatchWaitMicros() {
        return maxBatchWaitMicros;
    }

    public int queueCapacityRecords() {
        return queueCapacityRecords;
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    public Backpressure backpressure() {
        return backpressure;
    }

    public long backpressureTimeoutNanos() {
        return backpressureTimeoutNanos;
    }

    public int compressionThresholdBytes() {
        return compressionThresholdBytes;
    }

    ChannelOpener channelOpener() {
        return channelOpener;
    }

    @Override
    public String toString() {
        return "WalConfig{segmentCapacityBytes=" + segmentCapacityBytes + ", segmentsAhead=" + segmentsAhead
                + ", maxBatchBytes=" + maxBatchBytes + ", maxBatchRecords=" + maxBatchRecords
                + ", maxBatchWaitMicros=" + maxBatchWaitMicros + ", queueCapacityRecords=" + queueCapacityRecords
                + ", maxPendingBytes=" + maxPendingBytes + ", backpressure=" + backpressure
                + ", backpressureTimeoutNanos=" + backpressureTimeoutNanos
                + ", compressionThresholdBytes=" + compressionThresholdBytes + '}';
    }
}
