package io.quiver.wal;

import java.util.concurrent.CompletableFuture;

/**
 * A record accepted by {@link Wal#append} and not yet written: everything the flusher needs to encode it. Created by
 * the appending thread, which sets {@link #lsn} and {@link #crc} after claiming the LSN and then publishes the object
 * into the {@link AppendRing} (a release store); from then on it is owned by the flusher.
 */
final class PendingAppend {
    long lsn;
    int crc;
    final byte type;
    final byte flags;
    final int rawLength;
    /** The stored body; cleared by the flusher once written, so completions in flight do not retain payloads. */
    byte[] body;
    final boolean durable;
    final CompletableFuture<Long> completion;

    PendingAppend(byte type, byte flags, int rawLength, byte[] body, boolean durable,
                  CompletableFuture<Long> completion) {
        this.type = type;
        this.flags = flags;
        this.rawLength = rawLength;
        this.body = body;
        this.durable = durable;
        this.completion = completion;
    }

    /** Bytes this record occupies in a segment. */
    int encodedLength() {
        return RecordDescriptor.HEADER_LENGTH + body.length;
    }
}
