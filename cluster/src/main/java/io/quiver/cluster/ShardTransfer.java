package io.quiver.cluster;

import java.util.Objects;

/**
 * A shard transfer in progress, as Qdrant reports it in {@code shard_transfers}: shard {@code shardId} is streamed
 * from peer {@code from} to peer {@code to}; {@code sync == true} keeps the source replica (replicate), {@code false}
 * drops it when the transfer finishes (move). {@code method} is one of {@code stream_records}, {@code snapshot},
 * {@code wal_delta}, {@code resharding_stream_records}; {@code comment} may be null. Immutable value; threadsafe.
 */
public record ShardTransfer(int shardId, long from, long to, boolean sync, String method, String comment) {
    public ShardTransfer {
        Objects.requireNonNull(method, "method");
    }

    /** Whether this transfer is the one identified by (shard, from, to). */
    public boolean matches(int shard, long fromPeer, long toPeer) {
        return shardId == shard && from == fromPeer && to == toPeer;
    }
}
