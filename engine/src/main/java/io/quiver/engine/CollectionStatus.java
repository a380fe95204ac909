package io.quiver.engine;

/** Qdrant's collection status: green (all good), yellow (indexing), grey (pending), red (failed). */
public enum CollectionStatus {
    GREEN, YELLOW, GREY, RED;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
