package io.quiver.engine;

import io.quiver.wal.WalConfig;
import java.time.Duration;

/**
 * Engine-wide options of {@link Quiver#open(java.nio.file.Path, EngineOptions)}. Immutable; {@code withXxx} copies.
 *
 * @param indexBuildConcurrency   how many segment indexes are built at the same time (each build also uses
 *                                hnsw_config.max_indexing_threads threads; 0 there means all cores)
 * @param verifyVectorsOnOpen     recompute the CRC of sealed segments' vectors on open (appendable segments are always
 *                                checked); costs one read of every vector
 * @param flushIntervalOrNull     overrides every collection's optimizers_config.flush_interval_sec when set
 * @param walBase                 the base WAL configuration; segment capacity and segments-ahead come from each
 *                                collection's wal_config
 * @param collectionDefaults      defaults for collection parameters a create request leaves out
 * @param mergeSegments           run the merge optimizer (keep at most default_segment_number sealed segments per
 *                                shard, 0 = one per core and at least 2, none above max_segment_size)
 */
public record EngineOptions(int indexBuildConcurrency, boolean verifyVectorsOnOpen, Duration flushIntervalOrNull,
        WalConfig walBase, CollectionDefaults collectionDefaults, boolean mergeSegments) {

    public static EngineOptions defaults() {
        return new EngineOptions(1, true, null, WalConfig.defaults(), CollectionDefaults.defaults(), true);
    }

    public EngineOptions withMergeSegments(boolean m) {
        return new EngineOptions(indexBuildConcurrency, verifyVectorsOnOpen, flushIntervalOrNull, walBase,
                collectionDefaults, m);
    }

    public EngineOptions withIndexBuildConcurrency(int n) {
        return new EngineOptions(n, verifyVectorsOnOpen, flushIntervalOrNull, walBase,
                collectionDefaults, mergeSegments);
    }

    public EngineOptions withVerifyVectorsOnOpen(boolean v) {
        return new EngineOptions(indexBuildConcurrency, v, flushIntervalOrNull, walBase,
                collectionDefaults, mergeSegments);
    }

    public EngineOptions withFlushInterval(Duration d) {
        return new EngineOptions(indexBuildConcurrency, verifyVectorsOnOpen, d, walBase,
                collectionDefaults, mergeSegments);
    }

    public EngineOptions withWalBase(WalConfig w) {
        return new EngineOptions(indexBuildConcurrency, verifyVectorsOnOpen, flushIntervalOrNull, w,
                collectionDefaults, mergeSegments);
    }

    public EngineOptions withDefaults(CollectionDefaults d) {
        return new EngineOptions(indexBuildConcurrency, verifyVectorsOnOpen, flushIntervalOrNull,
                walBase, d, mergeSegments);
    }
}
