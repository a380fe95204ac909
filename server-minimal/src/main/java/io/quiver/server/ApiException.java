package io.quiver.server;

/**
 * A request the server refuses, with the HTTP status and the message that goes into Qdrant's error envelope
 * ({@code {"status":{"error":message},"time":…}}). Thrown by request parsing and route matching; immutable.
 */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** Well-formed JSON that fails field validation: Qdrant's only use of 422. */
    public static ApiException validation(String field, String problem) {
        return new ApiException(422, "Validation error in JSON body: [" + field + ": " + problem + "]");
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "Not found: " + message);
    }
}
