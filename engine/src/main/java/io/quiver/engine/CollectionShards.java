package io.quiver.engine;

import io.quiver.engine.index.PayloadFieldSchema;
import io.quiver.engine.shard.OperationIds;
import io.quiver.engine.shard.SegmentIndexBuilder;
import io.quiver.engine.shard.Shard;
import io.quiver.engine.shard.ShardSettings;
import io.quiver.hnsw.BinaryQuantizationConfig;
import io.quiver.hnsw.HnswParams;
import io.quiver.hnsw.IndexQuantization;
import io.quiver.hnsw.ProductQuantizationConfig;
import io.quiver.hnsw.ScalarQuantizationConfig;
import io.quiver.wal.WalConfig;
import java.nio.file.Path;
import io.quiver.wal.Durability;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The local shards of one collection ({@code <dir>/<shard_id>/}): opens them with the settings its config gives and
 * the collection's operation-id counter they share, routes each point to a shard by a stable hash of its id, and
 * holds the slot a recovered shard replaces. Threading:
 * threadsafe to read; a slot is replaced only under the config lock ({@link ShardSnapshotRecovery}), and a caller
 * uses whichever shard the slot holds when it reads it.
 */
final class CollectionShards {
    private final String name;
    private final Path dir;
    private final EngineOptions options;
    private final ExecutorService indexExecutor;
    private final SegmentIndexBuilder indexBuilder = new SegmentIndexBuilder();
    private final OperationIds operationIds = new OperationIds();
    private final Shard[] shards;
    /** A read-only view of {@link #shards}: iterating it sees a replaced slot like iterating the array does. */
    private final List<Shard> all;

    /** Opens every shard {@code config} has; when one fails, closes the ones opened and rethrows. */
    CollectionShards(String name, Path dir, CollectionConfig config, EngineOptions options,
            ExecutorService indexExecutor) {
        this.name = name;
        this.dir = dir;
        this.options = options;
        this.indexExecutor = indexExecutor;
        this.shards = new Shard[config.shardNumber()];
        this.all = Collections.unmodifiableList(Arrays.asList(shards));
        try {
            for (int i = 0; i < shards.length; i++) {
                shards[i] = open(i, config);
            }
        } catch (RuntimeException e) {
            for (Shard s : shards) {
                if (s != null) {
                    s.close();
                }
            }
            throw e;
        }
    }

    /**
     * Opens shard {@code shardId} from its directory with the settings of {@code config} (not put in its slot); it
     * raises the collection's operation-id counter past every id it holds.
     */
    Shard open(int shardId, CollectionConfig config) {
        return Shard.open(shardId, dir.resolve(Integer.toString(shardId)), settings(config, options), indexExecutor,
                indexBuilder, name, optimizerLimit(config), operationIds);
    }

    /** The collection's operation-id counter, shared by its shards. */
    OperationIds operationIds() {
        return operationIds;
    }

    /** The settings a shard of a collection with config {@code c} runs with. */
    static ShardSettings settings(CollectionConfig c, EngineOptions o) {
        CollectionConfig.HnswConfig vh = c.vectorHnsw(); // the vector's own hnsw_config over the collection's
        HnswParams hnsw = new HnswParams(Math.max(2, vh.m()), vh.efConstruct(), 42L);
        int threads = vh.maxIndexingThreads() > 0 ? vh.maxIndexingThreads()
                : Runtime.getRuntime().availableProcessors();
        IndexQuantization q = switch (c.vectorQuantizationOrNull()) {
            case null -> null;
            case CollectionConfig.QuantizationConfig.Scalar scalar -> scalar.quantileOrNull() == null
                    ? ScalarQuantizationConfig.defaults() : new ScalarQuantizationConfig(scalar.quantileOrNull());
            case CollectionConfig.QuantizationConfig.Product product ->
                    ProductQuantizationConfig.ofCompression(product.ratio());
            case CollectionConfig.QuantizationConfig.Binary binary ->
                    new BinaryQuantizationConfig(binary.encoding(), binary.queryBits());
        };
        WalConfig wal = o.walBase().withSegmentCapacityBytes((long) c.wal().walCapacityMb() << 20)
                .withSegmentsAhead(c.wal().walSegmentsAhead());
        int target = c.optimizers().defaultSegmentNumber() > 0 ? (int) c.optimizers().defaultSegmentNumber()
                : Math.max(2, Runtime.getRuntime().availableProcessors());
        long maxKb = c.optimizers().maxSegmentSizeKbOrNull() != null ? c.optimizers().maxSegmentSizeKbOrNull()
                : CollectionConfig.DEFAULT_MAX_SEGMENT_SIZE_KB;
        long maxVectors = Math.max(1, maxKb * 1024 / (c.vectors().size() * 4L));
        return new ShardSettings(c.vectors().size(), c.vectors().distance(), c.indexingThresholdVectors(),
                c.fullScanThresholdVectors(), hnsw, threads, q, wal, o.verifyVectorsOnOpen(),
                o.mergeSegments() ? target : 0, maxVectors, c.optimizers().deletedThreshold(),
                c.optimizers().vacuumMinVectorNumber(), c.vectorName());
    }

    /** Validation (422) when a shard cannot run with config {@code c}: see {@link Quiver#checkRunnable}. */
    void checkRunnable(CollectionConfig c) {
        Quiver.checkRunnable(c, options);
    }

    /** The WAL config a shard of a collection with config {@code c} runs with. */
    WalConfig walConfig(CollectionConfig c) {
        return settings(c, options).wal();
    }

    /** max_optimization_threads per shard: null = no own bound (the engine's indexing pool still bounds it). */
    private static int optimizerLimit(CollectionConfig c) {
        Integer n = c.optimizers().maxOptimizationThreadsOrNull();
        return n == null ? Integer.MAX_VALUE : Math.max(0, n);
    }

    /** Gives every shard the settings and optimizer limit of {@code config}. */
    void applyConfig(CollectionConfig config) {
        for (Shard s : shards) {
            s.updateSettings(settings(config, options));
            s.setOptimizerLimit(optimizerLimit(config));
        }
    }

    /** Makes every shard's payload indexes follow {@code schema}. */
    void syncPayloadSchema(Map<String, PayloadFieldSchema> schema) {
        for (Shard s : shards) {
            s.syncPayloadSchema(schema);
        }
    }

    /**
     * Logs the creation ({@code fieldSchemaJsonOrNull} given) or removal of the payload index of {@code field} in every
     * shard and makes their indexes follow {@code schema}; returns the largest of the shards' operation ids.
     */
    long changePayloadIndex(Map<String, PayloadFieldSchema> schema, String field, byte[] fieldSchemaJsonOrNull,
            Durability durability) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (Shard s : shards) {
            futures.add(s.changePayloadIndex(schema, field, fieldSchemaJsonOrNull, durability));
        }
        return CollectionWriter.awaitAll(futures);
    }

    /** The number of shards (shard_number). */
    int size() {
        return shards.length;
    }

    /** Every shard, by shard id. */
    List<Shard> all() {
        return all;
    }

    /** Shard {@code shardId}; the caller has checked it exists. */
    Shard get(int shardId) {
        return shards[shardId];
    }

    /** The shard that holds (or will hold) point {@code id}. */
    Shard of(PointId id) {
        return shards[shardIdOf(id)];
    }

    /** The id of the shard that holds (or will hold) point {@code id}: a stable hash of the id. */
    int shardIdOf(PointId id) {
        if (shards.length == 1) {
            return 0;
        }
        long h = switch (id) {
            case PointId.Num n -> n.unsigned();
            case PointId.Uuid u -> u.uuid().getMostSignificantBits() ^ u.uuid().getLeastSignificantBits();
        };
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, shards.length);
    }

    /** NotFound unless {@code 0 <= shardId < shard_number}. */
    void check(int shardId) {
        if (shardId < 0 || shardId >= shards.length) {
            throw new NotFoundException("Shard " + shardId + " of collection `" + name + "` doesn't exist!");
        }
    }

    /** Puts {@code shard} in slot {@code shardId}. Config lock held. */
    void replace(int shardId, Shard shard) {
        shards[shardId] = shard;
    }

    /** Number of HNSW graphs these shards built since they were opened. */
    long indexBuildCount() {
        return indexBuilder.buildCount();
    }

    void close() {
        for (Shard s : shards) {
            s.close();
        }
    }
}
