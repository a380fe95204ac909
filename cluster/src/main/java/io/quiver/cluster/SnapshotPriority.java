package io.quiver.cluster;

import io.quiver.engine.BadRequestException;

/**
 * Qdrant's {@code priority} of a snapshot recovery in a cluster: which copy wins once a replica's data has been
 * recovered from a snapshot. {@link #REPLICA} (the default): the shard's other Active replicas, when there is one,
 * which then overwrite the local replica by a transfer; {@link #SNAPSHOT}: the recovered data, which then overwrites
 * the other replicas; {@link #NO_SYNC}: neither, the recovered replica is made Active and the others are left as they
 * are (the replicas may differ until a transfer). Without another Active replica, every priority makes the recovered
 * replica Active. Immutable.
 */
public enum SnapshotPriority {
    REPLICA, SNAPSHOT, NO_SYNC;

    /** Parses Qdrant's names ({@code replica}, {@code snapshot}, {@code no_sync}); null gives the default. */
    public static SnapshotPriority parse(String nameOrNull) {
        if (nameOrNull == null) {
            return REPLICA;
        }
        return switch (nameOrNull) {
            case "replica" -> REPLICA;
            case "snapshot" -> SNAPSHOT;
            case "no_sync" -> NO_SYNC;
            default -> throw new BadRequestException("Format error in JSON body: priority: unknown variant `"
                    + nameOrNull + "`, expected one of `replica`, `snapshot`, `no_sync`");
        };
    }
}
