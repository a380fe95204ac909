package io.quiver.wal;

/**
 * One record read back from the log: its LSN, the caller's type byte and the (decompressed) payload. Immutable value;
 * the payload array is owned by the receiver.
 *
 * @param lsn     the log sequence number, consecutive from the log's first LSN
 * @param type    the caller-defined type byte given to {@link Wal#append}
 * @param payload the opaque payload, exactly as appended
 */
public record WalRecord(long lsn, byte type, byte[] payload) {
}
