package io.quiver.wal;

/**
 * How durable a record must be before its append completes. Immutable; threadsafe.
 */
public enum Durability {
    /** The completion fires once an fsync ({@code force(false)}) covering the record has returned. */
    DURABLE,
    /**
     * The completion fires once the record's bytes are in the segment file (the OS page cache): they survive a crash
     * of the process, not of the machine. This is what Qdrant's {@code wait=false} and Listener nodes promise.
     */
    WRITTEN
}
