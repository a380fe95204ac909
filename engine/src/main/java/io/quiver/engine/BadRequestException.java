package io.quiver.engine;

/** The request is well-formed JSON but wrong (HTTP 400). Message: "Wrong input: <reason>". Immutable. */
public final class BadRequestException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String reason) {
        super("Wrong input: " + reason);
    }
}
