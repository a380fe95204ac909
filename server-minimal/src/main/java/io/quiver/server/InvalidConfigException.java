package io.quiver.server;

/** A configuration value that cannot be used; the message names the key. Thrown at start, before anything binds. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
