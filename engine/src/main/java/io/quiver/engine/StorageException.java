package io.quiver.engine;

/**
 * An I/O or checksum failure in the engine's files (HTTP 500). The component that raised it stops applying
 * (fail-stop); it is never skipped. Immutable.
 */
public final class StorageException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
        super("Service internal error: " + message, cause);
    }

    public StorageException(String message) {
        super("Service internal error: " + message);
    }
}
