package io.quiver.engine;

/**
 * Server-wide defaults for collection parameters a create request leaves out (Qdrant's storage.hnsw_index,
 * storage.optimizers, storage.wal, storage.collection, the last with {@code quantization} and {@code vectors.on_disk}
 * as in Qdrant's CollectionConfigDefaults). Immutable.
 *
 * @param quantizationOrNull  {@code storage.collection.quantization}: the quantization of a collection created without
 *                            a {@code quantization_config}, or null
 * @param vectorsOnDiskOrNull {@code storage.collection.vectors.on_disk}: the vector's {@code on_disk} when a create
 *                            request does not give it, or null
 */
public record CollectionDefaults(CollectionConfig.HnswConfig hnsw, CollectionConfig.OptimizersConfig optimizers,
        CollectionConfig.WalParams wal, int replicationFactor, int writeConsistencyFactor, boolean onDiskPayload,
        CollectionConfig.QuantizationConfig quantizationOrNull, Boolean vectorsOnDiskOrNull) {

    /** Defaults without a {@code vectors.on_disk} default. */
    public CollectionDefaults(CollectionConfig.HnswConfig hnsw, CollectionConfig.OptimizersConfig optimizers,
            CollectionConfig.WalParams wal, int replicationFactor, int writeConsistencyFactor, boolean onDiskPayload,
            CollectionConfig.QuantizationConfig quantizationOrNull) {
        this(hnsw, optimizers, wal, replicationFactor, writeConsistencyFactor, onDiskPayload, quantizationOrNull,
                null);
    }

    /** Qdrant's built-in defaults. */
    public static CollectionDefaults defaults() {
        return new CollectionDefaults(CollectionConfig.HnswConfig.defaults(),
                CollectionConfig.OptimizersConfig.defaults(), CollectionConfig.WalParams.defaults(), 1, 1, true, null);
    }
}
