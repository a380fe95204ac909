package io.quiver.engine;

/**
 * Base of the engine's typed, unchecked errors; the server maps each subclass to one HTTP status.
 * Immutable and threadsafe. The message is the Qdrant-style text a client sees (e.g. "Not found: ...").
 */
public class QuiverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QuiverException(String message) {
        super(message);
    }

    public QuiverException(String message, Throwable cause) {
        super(message, cause);
    }
}
