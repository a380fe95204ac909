package io.quiver.cluster;

/**
 * The storage role of a peer (Qdrant's {@code storage.node_type}): {@code Normal} serves reads and writes, {@code
 * Listener} receives every write but is never read from. Immutable value; threadsafe.
 */
public enum NodeType {
    Normal,
    Listener;

    /** Parses Qdrant's spelling (case-insensitive); throws {@link IllegalArgumentException} on anything else. */
    public static NodeType parse(String text) {
        for (NodeType type : values()) {
            if (type.name().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown node_type '" + text + "' (expected Normal or Listener)");
    }
}
