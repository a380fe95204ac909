package io.quiver.wal;

/**
 * Thrown by {@link Wal#append} when the pending queue is full ({@link Backpressure#FAIL_FAST}, or
 * {@link Backpressure#BLOCK} after its timeout). No LSN was assigned: the caller may retry.
 */
public final class WalFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WalFullException(String message) {
        super(message);
    }
}
