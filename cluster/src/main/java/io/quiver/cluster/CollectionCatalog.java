package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.AliasAction;
import io.quiver.engine.Aliases;
import io.quiver.engine.CollectionConfig;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The set of collections a node serves, and their lifecycle: standalone, a thin adapter over the local
 * {@link io.quiver.engine.Quiver}; in a cluster, creation, deletion and config changes go through consensus and every
 * node opens its own replicas as the metadata says. Implementations are threadsafe.
 */
public interface CollectionCatalog extends AutoCloseable {

    /** Creates a collection; {@code AlreadyExistsException} (409) when it exists. */
    void create(String name, CollectionConfig config);

    /**
     * The {@code shard_number} of a collection created without one: 1 on a single node; in a cluster, as in Qdrant,
     * the number of peers (so shards spread over every node).
     */
    default int defaultShardNumber() {
        return 1;
    }

    /** Applies Qdrant's PATCH body; {@code NotFoundException} when missing. */
    void update(String name, JsonNode patch);

    /**
     * Deletes a collection and its aliases; false when it did not exist. The name is not resolved through aliases
     * (Qdrant deletes only a collection of that name).
     */
    boolean delete(String name);

    List<String> names();

    /** The collection of exactly this name (aliases are not resolved; see {@link #resolve}). */
    Optional<CollectionService> find(String name);

    /**
     * Applies Qdrant's alias actions ({@code POST /collections/aliases}) in order, all or nothing: a failing action
     * (unknown collection or alias: 404; an alias named like a collection: 409) fails the request and changes
     * nothing. Returns once the change is in force on this node.
     */
    void updateAliases(List<AliasAction> actions);

    /** The aliases in force on this node. */
    Aliases aliases();

    /**
     * The collection a name designates: through the alias of that name when there is one (Qdrant resolves an alias
     * before a collection of the same name), else the collection of that name.
     */
    default Optional<CollectionService> resolve(String nameOrAlias) {
        String target = aliases().collectionOf(nameOrAlias);
        return find(target != null ? target : nameOrAlias);
    }

    /**
     * Recovers a collection from a snapshot archive at {@code location} ({@code file://} or {@code http(s)://}),
     * creating it when missing and replacing its data otherwise; a checksum mismatch or a damaged archive is a 400 and
     * changes nothing. {@code priority} matters in a cluster only, where the node recovers the shards it stores and
     * the other replicas of each follow the priority (see {@link SnapshotPriority}).
     */
    void recoverSnapshot(String name, URI location, String expectedSha256OrNull, SnapshotPriority priority,
            Path snapshotsDir);

    /**
     * Searches this node has run on its own stored data since it started (whichever node the request came to); a
     * Listener node, which never serves searches, keeps it at 0.
     */
    long localSearchCount();

    /** Whether the node may report itself ready ({@code /readyz}): its collections have finished starting. */
    default boolean ready() {
        return true;
    }

    @Override
    void close();
}
