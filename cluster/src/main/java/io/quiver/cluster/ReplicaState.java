package io.quiver.cluster;

/**
 * The state of one replica of one shard on one peer, spelled as Qdrant spells it in its REST API. Immutable value;
 * threadsafe.
 */
public enum ReplicaState {
    /** Readable and a source of truth. */
    Active,
    /** Failed; needs recovery. */
    Dead,
    /** Receiving a shard transfer. */
    Partial,
    /** Just created, not yet serving. */
    Initializing,
    /** Receives updates, never read from. */
    Listener,
    PartialSnapshot,
    Recovery,
    Resharding,
    ReshardingScaleDown,
    ActiveRead,
    ManualRecovery;

    /** Whether reads may be routed to a replica in this state. */
    public boolean readable() {
        return this == Active || this == ActiveRead || this == ReshardingScaleDown;
    }

    /** Parses Qdrant's spelling (case-insensitive); throws {@link IllegalArgumentException} on anything else. */
    public static ReplicaState parse(String text) {
        for (ReplicaState state : values()) {
            if (state.name().equalsIgnoreCase(text)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown replica state '" + text + "'");
    }
}
