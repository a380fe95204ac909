package io.quiver.cluster;

/**
 * Reacts to applied metadata changes (e.g. to create or drop local shards). Called on the state machine's single
 * apply thread, in log order, after the new state is published: implementations must be quick and must not block
 * on consensus (never call {@link ClusterNode#propose} synchronously from here). An exception thrown by a listener
 * is logged and does not stop consensus.
 */
public interface MetadataListener {

    /** One operation was applied at Raft index {@code index}; {@code before == after} when it was rejected. */
    void onApplied(long index, MetadataOperation operation, ClusterMetadata before, ClusterMetadata after);

    /**
     * The whole state was replaced by a snapshot (at start, when a lagging node installs the leader's snapshot, or by
     * {@link ClusterNode#recover()}): listeners should reconcile against {@code state}.
     */
    default void onReset(long index, ClusterMetadata state) {
    }
}
