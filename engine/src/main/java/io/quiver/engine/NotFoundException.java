package io.quiver.engine;

/** A collection or point does not exist (HTTP 404). Message: "Not found: ...". Immutable. */
public final class NotFoundException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String what) {
        super("Not found: " + what);
    }

    public static NotFoundException collection(String name) {
        return new NotFoundException("Collection `" + name + "` doesn't exist!");
    }

    public static NotFoundException point(PointId id) {
        return new NotFoundException("No point with id " + id + " found");
    }
}
