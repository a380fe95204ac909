package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * The cluster's view of one collection: its configuration (opaque JSON owned by the engine; never mutated once held
 * here), its shard placement and its shard transfers in progress. Immutable value; threadsafe as long as nobody
 * mutates {@link #config()} (callers must {@code deepCopy()} before changing it).
 */
public record CollectionMetadata(String name, ObjectNode config, ShardMap shards, List<ShardTransfer> transfers) {
    public CollectionMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(shards, "shards");
        transfers = List.copyOf(transfers);
    }

    CollectionMetadata withConfig(ObjectNode newConfig) {
        return new CollectionMetadata(name, newConfig, shards, transfers);
    }

    CollectionMetadata withShards(ShardMap newShards) {
        return new CollectionMetadata(name, config, newShards, transfers);
    }

    CollectionMetadata withTransfers(List<ShardTransfer> newTransfers) {
        return new CollectionMetadata(name, config, shards, newTransfers);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CollectionMetadata c && name.equals(c.name) && config.equals(c.config)
                && shards.equals(c.shards) && transfers.equals(c.transfers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, config, shards, transfers);
    }
}
