package io.quiver.cluster;

/**
 * A metadata operation that is not valid against the current state (e.g. creating a collection that exists). Every
 * node rejects it identically, in log order, leaving its state unchanged; the proposer's future fails with this
 * exception. {@link #kind()} says which HTTP status family fits.
 */
public final class MetadataRejectedException extends ClusterException {
    private static final long serialVersionUID = 1L;

    public MetadataRejectedException(Kind kind, String message) {
        super(kind, message);
    }
}
