package io.quiver.wal;

/**
 * What {@link Wal#append} does when its bounded pending queue is full. Immutable; threadsafe.
 */
public enum Backpressure {
    /** Wait for room up to {@link WalConfig#backpressureTimeoutNanos()}, then throw {@link WalFullException}. */
    BLOCK,
    /** Throw {@link WalFullException} at once. */
    FAIL_FAST
}
