package io.quiver.server;

import io.quiver.cluster.CollectionService;

/**
 * The name by which requests address a collection's one dense vector ({@code ""} when the collection was created
 * with Qdrant's unnamed form) and the check that a requested name is that one. Immutable value, threadsafe.
 */
record VectorName(String name) {
    /** The unnamed vector, Qdrant's default vector name. */
    static final VectorName UNNAMED = new VectorName("");

    /** The name of {@code collection}'s vector. */
    static VectorName of(CollectionService collection) {
        return new VectorName(collection.config().vectorName());
    }

    /** 400 in Qdrant's words unless {@code requested} names this vector. */
    void require(String requested) {
        if (!name.equals(requested)) {
            throw ApiException.badRequest("Wrong input: Not existing vector name error: " + requested);
        }
    }

    /** As {@link #require}, an absent {@code using} naming the unnamed vector, {@code ""}. */
    void requireUsing(String usingOrNull) {
        require(usingOrNull == null ? "" : usingOrNull);
    }
}
