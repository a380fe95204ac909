package io.quiver.engine;

/**
 * Server-wide defaults for collection parameters a create request leaves out (Qdrant's storage.hnsw_index,
 * storage.optimizers, storage.wal, storage.collection). Immutable.
 */
public record CollectionDefaults(CollectionConfig.HnswConfig hnsw, CollectionConfig.OptimizersConfig optimizers,
        CollectionConfig.WalParams wal, int replicationFactor, int writeConsistencyFactor, boolean onDiskPayload,
        CollectionConfig.QuantizationConfig quantizationOrNull) {

    /** Qdrant's built-in defaults. */
    public static CollectionDefaults defaults() {
        return new CollectionDefaults(CollectionConfig.HnswConfig.defaults(),
                CollectionConfig.OptimizersConfig.defaults(), CollectionConfig.WalParams.defaults(), 1, 1, true, null);
    }
}
