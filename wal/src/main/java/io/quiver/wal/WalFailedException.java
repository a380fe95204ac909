package io.quiver.wal;

import java.io.IOException;

/**
 * The log has failed (fail-stop) after a write or fsync error; its cause is the original {@link IOException}. Every
 * pending and later append completes exceptionally with this exception; the log must be closed and reopened (which
 * recovers whatever reached the disk). An fsync is never retried.
 */
public final class WalFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    public WalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
