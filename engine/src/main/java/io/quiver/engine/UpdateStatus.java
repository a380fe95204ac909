package io.quiver.engine;

/** Outcome of a write: ACKNOWLEDGED (in the WAL, wait=false) or COMPLETED (durable and applied, wait=true). */
public enum UpdateStatus {
    ACKNOWLEDGED, COMPLETED;

    /** Qdrant's JSON name: "acknowledged" / "completed". */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
