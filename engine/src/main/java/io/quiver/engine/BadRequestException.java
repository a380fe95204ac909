package io.quiver.engine;

/**
 * The request is wrong (HTTP 400). Message: "Wrong input: &lt;reason&gt;", or the reason itself when it is a format error
 * of the body or of a parameter ("Format error in JSON body: …"), which Qdrant reports without that prefix. Immutable.
 */
public final class BadRequestException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String reason) {
        super(reason.startsWith("Format error in ") ? reason : "Wrong input: " + reason);
    }
}
