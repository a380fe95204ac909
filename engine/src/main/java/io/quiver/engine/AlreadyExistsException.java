package io.quiver.engine;

/** A collection with that name already exists (HTTP 409). Immutable. */
public final class AlreadyExistsException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String collection) {
        super("Wrong input: Collection `" + collection + "` already exists!");
    }
}
