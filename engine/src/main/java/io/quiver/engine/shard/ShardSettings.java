package io.quiver.engine.shard;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswParams;
import io.quiver.hnsw.IndexQuantization;
import io.quiver.wal.WalConfig;

/**
 * What a shard needs from its collection's config, in engine units (vectors, not KB). Immutable; a config update
 * hands the shard a new instance.
 *
 * @param indexingThresholdVectors the appendable segment is sealed and indexed at this many vectors
 *                                 (Long.MAX_VALUE: never)
 * @param fullScanThresholdVectors a filtered search of a segment with fewer live points scans it exactly
 * @param indexThreads             threads of one HNSW build
 * @param quantizationOrNull       int8, binary or product quantization of built indexes, or null
 * @param verifyVectorsOnOpen      recompute sealed segments' vector CRCs on open (appendable ones always are)
 * @param targetSegments           the merge optimizer merges indexed segments while a shard has more sealed segments
 *                                 than this (0: never merge)
 * @param maxSegmentVectors        the merge optimizer never makes a segment larger than this
 * @param deletedThreshold         the vacuum rewrites a sealed segment whose deleted fraction exceeds this...
 * @param vacuumMinVectors         ...when it holds at least this many vectors
 * @param vectorName               the name requests give the collection's one vector ({@code ""}: unnamed);
 *                                 segments know it as {@code ""}, see {@link io.quiver.engine.filter.Filter#forVectorNamed}
 */
public record ShardSettings(int dim, Distance distance, long indexingThresholdVectors, long fullScanThresholdVectors,
        HnswParams hnsw, int indexThreads, IndexQuantization quantizationOrNull, WalConfig wal,
        boolean verifyVectorsOnOpen, int targetSegments, long maxSegmentVectors, double deletedThreshold,
        long vacuumMinVectors, String vectorName) {
    /** Vectors a segment is sized for: the indexing threshold, or 4096 when segments are never sealed. */
    long expectedSegmentVectors() {
        return indexingThresholdVectors == Long.MAX_VALUE ? 4096 : indexingThresholdVectors;
    }
}
