package io.quiver.cluster;

/**
 * Every failure the cluster API reports, tagged with a {@link Kind} so that the HTTP layer can pick the status code
 * without parsing messages. Immutable; threadsafe.
 */
public class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, in HTTP terms. */
    public enum Kind {
        /** The request is invalid for the current state (HTTP 400). */
        BAD_REQUEST(400),
        /** A named collection, peer, shard or transfer does not exist (HTTP 404). */
        NOT_FOUND(404),
        /** The thing already exists (HTTP 409). */
        CONFLICT(409),
        /** The operation is not allowed on this node (e.g. recover on the leader) (HTTP 400). */
        NOT_ALLOWED(400),
        /** No leader reachable / consensus not running (HTTP 503). */
        UNAVAILABLE(503),
        /** The operation did not finish in time; its outcome is unknown (HTTP 504). */
        TIMEOUT(504),
        /** A local failure (I/O, checksum, bug) (HTTP 500). */
        INTERNAL(500);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** The HTTP status code that fits this kind. */
        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;

    public ClusterException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ClusterException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What went wrong, in HTTP terms. */
    public Kind kind() {
        return kind;
    }
}
