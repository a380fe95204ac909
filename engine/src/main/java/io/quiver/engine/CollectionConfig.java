package io.quiver.engine;

import static io.quiver.engine.JsonFields.atLeast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.BinaryQuantizationConfig.Encoding;
import io.quiver.hnsw.Distance;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of one collection, in Qdrant's shape; persisted as {@code config.json} (its {@link #toJson()}) and
 * reloaded on open (parsing lives in {@link CollectionConfigParser}). Immutable: {@link #applyUpdate} returns a copy.
 *
 * <p>Thresholds are in KB of vector data as in Qdrant: a segment is sealed and indexed once it holds
 * {@code indexing_threshold * 1024 / (size * 4)} vectors (0 disables indexing), and a segment smaller than
 * {@code full_scan_threshold} KB is searched exactly.
 */
public record CollectionConfig(VectorParams vectors, int shardNumber, int replicationFactor,
        int writeConsistencyFactor, boolean onDiskPayload, HnswConfig hnsw, OptimizersConfig optimizers,
        WalParams wal, QuantizationConfig quantizationOrNull, Integer readFanOutFactorOrNull,
        StrictModeConfig strictMode) {

    /** A config with {@code read_fan_out_factor}, and {@code strict_mode_config} at its default (disabled). */
    public CollectionConfig(VectorParams vectors, int shardNumber, int replicationFactor, int writeConsistencyFactor,
            boolean onDiskPayload, HnswConfig hnsw, OptimizersConfig optimizers, WalParams wal,
            QuantizationConfig quantizationOrNull, Integer readFanOutFactorOrNull) {
        this(vectors, shardNumber, replicationFactor, writeConsistencyFactor, onDiskPayload, hnsw, optimizers, wal,
                quantizationOrNull, readFanOutFactorOrNull, StrictModeConfig.DEFAULT);
    }

    /**
     * A config without {@code read_fan_out_factor} (null: a read asks one replica of each shard and moves to the
     * next only when it fails).
     */
    public CollectionConfig(VectorParams vectors, int shardNumber, int replicationFactor, int writeConsistencyFactor,
            boolean onDiskPayload, HnswConfig hnsw, OptimizersConfig optimizers, WalParams wal,
            QuantizationConfig quantizationOrNull) {
        this(vectors, shardNumber, replicationFactor, writeConsistencyFactor, onDiskPayload, hnsw, optimizers, wal,
                quantizationOrNull, null);
    }

    /**
     * The one dense vector of a collection's points: its {@code name} ({@code ""} for Qdrant's unnamed form
     * {@code "vectors": {size, distance}}, else the one name of the named form {@code "vectors": {name: {…}}}; Quiver
     * stores one vector per point, so a collection names at most one), dimension, distance, and what Qdrant's
     * VectorParams may add, each null when not given and shown only when given: {@code on_disk} (vectors are mapped
     * from their files either way), {@code hnsw_config} (a diff over the collection's, for this vector:
     * {@link CollectionConfig#vectorHnsw()}), {@code quantization_config} (replaces the collection's for this vector:
     * {@link CollectionConfig#vectorQuantizationOrNull()}) and {@code datatype} ("float32", "float16" or "uint8": the
     * values a vector may take, see {@link VectorInput}; Quiver stores them as float32 either way).
     */
    public record VectorParams(String name, int size, Distance distance, Boolean onDiskOrNull,
            HnswConfigDiff hnswOrNull, QuantizationConfig quantizationOrNull, String datatypeOrNull) {
        public VectorParams {
            if (name == null) {
                throw new IllegalArgumentException("a vector name is \"\" for the unnamed vector, never null");
            }
        }

        /** The unnamed vector: size and distance, {@code on_disk} only when true, nothing else of the vector's own. */
        public VectorParams(int size, Distance distance, boolean onDisk) {
            this("", size, distance, onDisk ? Boolean.TRUE : null, null, null, null);
        }

        /** These params under another vector name. */
        public VectorParams withName(String newName) {
            return new VectorParams(newName, size, distance, onDiskOrNull, hnswOrNull, quantizationOrNull,
                    datatypeOrNull);
        }

        /** {@code on_disk}, false when not given. */
        public boolean onDisk() {
            return Boolean.TRUE.equals(onDiskOrNull);
        }
    }

    /** HNSW build and search parameters (full_scan_threshold in KB). */
    public record HnswConfig(int m, int efConstruct, long fullScanThresholdKb, int maxIndexingThreads,
            boolean onDisk) {
        public static HnswConfig defaults() {
            return new HnswConfig(16, 100, 10_000, 0, false);
        }
    }

    /**
     * A vector's own {@code hnsw_config}: Qdrant's HnswConfigDiff, the fields given (others null) over the
     * collection's {@link HnswConfig}. ({@code payload_m} is ignored here as at collection level.) Immutable.
     */
    public record HnswConfigDiff(Integer mOrNull, Integer efConstructOrNull, Long fullScanThresholdKbOrNull,
            Integer maxIndexingThreadsOrNull, Boolean onDiskOrNull) {
        /** {@code base} with the fields given here. */
        public HnswConfig applyTo(HnswConfig base) {
            return new HnswConfig(mOrNull != null ? mOrNull : base.m(),
                    efConstructOrNull != null ? efConstructOrNull : base.efConstruct(),
                    fullScanThresholdKbOrNull != null ? fullScanThresholdKbOrNull : base.fullScanThresholdKb(),
                    maxIndexingThreadsOrNull != null ? maxIndexingThreadsOrNull : base.maxIndexingThreads(),
                    onDiskOrNull != null ? onDiskOrNull : base.onDisk());
        }

        /** This diff updated by {@code later} (its given fields win), as Qdrant updates a vector's diff. */
        public HnswConfigDiff updatedBy(HnswConfigDiff later) {
            return new HnswConfigDiff(later.mOrNull != null ? later.mOrNull : mOrNull,
                    later.efConstructOrNull != null ? later.efConstructOrNull : efConstructOrNull,
                    later.fullScanThresholdKbOrNull != null ? later.fullScanThresholdKbOrNull
                            : fullScanThresholdKbOrNull,
                    later.maxIndexingThreadsOrNull != null ? later.maxIndexingThreadsOrNull
                            : maxIndexingThreadsOrNull,
                    later.onDiskOrNull != null ? later.onDiskOrNull : onDiskOrNull);
        }

        boolean isEmpty() {
            return mOrNull == null && efConstructOrNull == null && fullScanThresholdKbOrNull == null
                    && maxIndexingThreadsOrNull == null && onDiskOrNull == null;
        }

        ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            if (mOrNull != null) {
                n.put("m", mOrNull);
            }
            if (efConstructOrNull != null) {
                n.put("ef_construct", efConstructOrNull);
            }
            if (fullScanThresholdKbOrNull != null) {
                n.put("full_scan_threshold", fullScanThresholdKbOrNull);
            }
            if (maxIndexingThreadsOrNull != null) {
                n.put("max_indexing_threads", maxIndexingThreadsOrNull);
            }
            if (onDiskOrNull != null) {
                n.put("on_disk", onDiskOrNull);
            }
            return n;
        }
    }

    /** Optimizer parameters; indexing_threshold and sizes in KB. Only indexing_threshold and flush_interval_sec act
     * in this version; the others are kept for the optimizer (merge/vacuum). */
    public record OptimizersConfig(double deletedThreshold, long vacuumMinVectorNumber, long defaultSegmentNumber,
            Long maxSegmentSizeKbOrNull, Long memmapThresholdKbOrNull, long indexingThresholdKb,
            long flushIntervalSec, Integer maxOptimizationThreadsOrNull) {
        public static OptimizersConfig defaults() {
            return new OptimizersConfig(0.2, 1000, 0, null, null, 10_000, 5, null);
        }

        public OptimizersConfig withIndexingThresholdKb(long kb) {
            return new OptimizersConfig(deletedThreshold, vacuumMinVectorNumber, defaultSegmentNumber,
                    maxSegmentSizeKbOrNull, memmapThresholdKbOrNull, kb, flushIntervalSec,
                    maxOptimizationThreadsOrNull);
        }

        public OptimizersConfig withFlushIntervalSec(long sec) {
            return new OptimizersConfig(deletedThreshold, vacuumMinVectorNumber, defaultSegmentNumber,
                    maxSegmentSizeKbOrNull, memmapThresholdKbOrNull, indexingThresholdKb, sec,
                    maxOptimizationThreadsOrNull);
        }
    }

    /** Per-shard WAL parameters. */
    public record WalParams(int walCapacityMb, int walSegmentsAhead) {
        public static WalParams defaults() {
            return new WalParams(32, 0);
        }
    }

    /**
     * The quantization of a vector's indexes, Qdrant's {@code quantization_config}: int8 ({@link Scalar}), bits
     * ({@link Binary}) or centroid numbers of sub-vectors ({@link Product}). Null fields were not given and are not
     * shown.
     */
    public sealed interface QuantizationConfig {

        Boolean alwaysRamOrNull();

        /** int8 scalar quantization: {"scalar":{"type":"int8","quantile":q,"always_ram":b}}. */
        record Scalar(Float quantileOrNull, Boolean alwaysRamOrNull) implements QuantizationConfig {}

        /**
         * Product quantization: {"product":{"compression":c,"always_ram":b}}, with {@code compression} one of
         * {@link #COMPRESSIONS} (required, as in Qdrant).
         */
        record Product(String compression, Boolean alwaysRamOrNull) implements QuantizationConfig {

            /** Qdrant's compression ratios of the float vectors. */
            public static final List<String> COMPRESSIONS = List.of("x4", "x8", "x16", "x32", "x64");

            /** The ratio's number: 4 to 64. */
            public int ratio() {
                return Integer.parseInt(compression.substring(1));
            }
        }

        /**
         * Binary quantization: {"binary":{"always_ram":b,"encoding":e,"query_encoding":q}}, with {@code encoding} one
         * of {@link #ENCODINGS} and {@code query_encoding} one of {@link #QUERY_ENCODINGS}.
         */
        record Binary(Boolean alwaysRamOrNull, String encodingOrNull, String queryEncodingOrNull)
                implements QuantizationConfig {

            /** Qdrant's encodings; absent: {@code one_bit}. */
            public static final List<String> ENCODINGS = List.of("one_bit", "two_bits", "one_and_half_bits");

            /** Qdrant's query encodings; {@code default} and {@code binary} both compare the query's own signs. */
            public static final List<String> QUERY_ENCODINGS = List.of("default", "binary", "scalar4bits",
                    "scalar8bits");

            /** The index's encoding of the stored vectors. */
            public Encoding encoding() {
                return encodingOrNull == null ? Encoding.ONE_BIT : switch (encodingOrNull) {
                    case "two_bits" -> Encoding.TWO_BITS;
                    case "one_and_half_bits" -> Encoding.ONE_AND_HALF_BITS;
                    default -> Encoding.ONE_BIT;
                };
            }

            /** Bits per query component the index compares with its stored bits: 1, 4 or 8. */
            public int queryBits() {
                return queryEncodingOrNull == null ? 1 : switch (queryEncodingOrNull) {
                    case "scalar4bits" -> 4;
                    case "scalar8bits" -> 8;
                    default -> 1;
                };
            }
        }
    }

    /** max_segment_size when the config leaves it null (Qdrant picks one automatically): 200 000 KB. */
    public static final long DEFAULT_MAX_SEGMENT_SIZE_KB = 200_000;

    /** The largest vector size Qdrant accepts (VectorParams.size is validated to 1..=65536). */
    public static final int MAX_VECTOR_SIZE = 65_536;

    /** The largest hnsw {@code m} the engine builds (HnswParams: 2..512; 0 and 1 build with 2). Qdrant sets none. */
    public static final int MAX_HNSW_M = 512;
    /** The smallest {@code ef_construct} Qdrant accepts (the engine accepts 1). */
    public static final int MIN_EF_CONSTRUCT = 4;
    /** The smallest {@code full_scan_threshold} (KB) Qdrant accepts in a create or update request. */
    public static final int MIN_FULL_SCAN_THRESHOLD_KB = 10;
    /** The largest {@code wal_capacity_mb}: a WAL segment must stay below 2 GiB (WalConfig); Qdrant's minimum is 1. */
    public static final int MAX_WAL_CAPACITY_MB = 2047;
    /** The largest {@code wal_segments_ahead} the WAL prepares (WalConfig: 0..16); Qdrant sets no maximum. */
    public static final int MAX_WAL_SEGMENTS_AHEAD = 16;

    public CollectionConfig {
        if (vectors == null) {
            throw new BadRequestException("vectors config is missing");
        }
        strictMode = strictMode == null ? StrictModeConfig.DEFAULT : strictMode;
    }

    /** A config with Qdrant's defaults for everything but the vector size and distance. */
    public static CollectionConfig of(int size, Distance distance) {
        CollectionDefaults d = CollectionDefaults.defaults();
        return new CollectionConfig(new VectorParams(size, distance, false), 1, d.replicationFactor(),
                d.writeConsistencyFactor(), d.onDiskPayload(), d.hnsw(), d.optimizers(), d.wal(),
                d.quantizationOrNull());
    }

    public CollectionConfig withShardNumber(int n) {
        return new CollectionConfig(vectors, n, replicationFactor, writeConsistencyFactor, onDiskPayload, hnsw,
                optimizers, wal, quantizationOrNull, readFanOutFactorOrNull,
                strictMode);
    }

    public CollectionConfig withHnsw(HnswConfig h) {
        return new CollectionConfig(vectors, shardNumber, replicationFactor, writeConsistencyFactor, onDiskPayload, h,
                optimizers, wal, quantizationOrNull, readFanOutFactorOrNull,
                strictMode);
    }

    public CollectionConfig withOptimizers(OptimizersConfig o) {
        return new CollectionConfig(vectors, shardNumber, replicationFactor, writeConsistencyFactor, onDiskPayload,
                hnsw, o, wal, quantizationOrNull, readFanOutFactorOrNull,
                strictMode);
    }

    public CollectionConfig withQuantization(QuantizationConfig q) {
        return new CollectionConfig(vectors, shardNumber, replicationFactor, writeConsistencyFactor, onDiskPayload,
                hnsw, optimizers, wal, q, readFanOutFactorOrNull,
                strictMode);
    }

    /** The HNSW parameters of the vector: the collection's {@code hnsw_config} with the vector's own diff over it. */
    public HnswConfig vectorHnsw() {
        return vectors.hnswOrNull() == null ? hnsw : vectors.hnswOrNull().applyTo(hnsw);
    }

    /** The quantization of the vector: its own {@code quantization_config} when given, else the collection's. */
    public QuantizationConfig vectorQuantizationOrNull() {
        return vectors.quantizationOrNull() != null ? vectors.quantizationOrNull() : quantizationOrNull;
    }

    /** Vectors per sealed segment implied by indexing_threshold; Long.MAX_VALUE when indexing is disabled (0). */
    public long indexingThresholdVectors() {
        long kb = optimizers.indexingThresholdKb();
        if (kb <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(1, kb * 1024 / (vectors.size() * 4L));
    }

    /** Vectors below which a segment is searched exactly (the vector's full_scan_threshold, in KB). */
    public long fullScanThresholdVectors() {
        return vectorHnsw().fullScanThresholdKb() * 1024 / (vectors.size() * 4L);
    }

    /** Parses Qdrant's create-collection body: BadRequest (400) for wrong types and enums, Validation (422) for
     * out-of-range values. */
    public static CollectionConfig fromCreateRequest(JsonNode body, CollectionDefaults defaults) {
        return CollectionConfigParser.fromCreateRequest(body, defaults);
    }

    /** Reads a persisted config (the shape of {@link #toJson()}). */
    public static CollectionConfig fromJson(JsonNode config) {
        return CollectionConfigParser.fromJson(config);
    }

    /**
     * Applies Qdrant's PATCH body (diffs of optimizers_config, params, hnsw_config, vectors, quantization_config and
     * strict_mode_config).
     */
    public CollectionConfig applyUpdate(JsonNode patch) {
        return CollectionConfigParser.applyUpdate(this, patch);
    }

    /**
     * Checks that the collection has a vector named {@code name} (a vector name of a request): the only one is
     * {@link VectorParams#name()} ({@code ""} for the unnamed vector); another name is a BadRequest in Qdrant's
     * words, "Not existing vector name error: NAME".
     */
    public void requireVectorName(String name) {
        if (name == null || !name.equals(vectors.name())) {
            throw new BadRequestException("Not existing vector name error: " + name);
        }
    }

    /** The name of the collection's one vector: {@code ""} when it is unnamed. */
    public String vectorName() {
        return vectors.name();
    }

    /** Qdrant's {@code config} object of CollectionInfo; also the persisted form. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode params = root.putObject("params");
        ObjectNode v = vectors.name().isEmpty() ? params.putObject("vectors")
                : params.putObject("vectors").putObject(vectors.name());
        v.put("size", vectors.size());
        v.put("distance", distanceName(vectors.distance()));
        if (vectors.hnswOrNull() != null) {
            v.set("hnsw_config", vectors.hnswOrNull().toJson());
        }
        if (vectors.quantizationOrNull() != null) {
            v.set("quantization_config", quantizationJson(vectors.quantizationOrNull()));
        }
        if (vectors.onDiskOrNull() != null) {
            v.put("on_disk", vectors.onDiskOrNull());
        }
        if (vectors.datatypeOrNull() != null) {
            v.put("datatype", vectors.datatypeOrNull());
        }
        params.put("shard_number", shardNumber);
        params.put("replication_factor", replicationFactor);
        params.put("write_consistency_factor", writeConsistencyFactor);
        params.put("on_disk_payload", onDiskPayload);
        if (readFanOutFactorOrNull != null) {
            params.put("read_fan_out_factor", readFanOutFactorOrNull);
        }
        ObjectNode h = root.putObject("hnsw_config");
        h.put("m", hnsw.m());
        h.put("ef_construct", hnsw.efConstruct());
        h.put("full_scan_threshold", hnsw.fullScanThresholdKb());
        h.put("max_indexing_threads", hnsw.maxIndexingThreads());
        h.put("on_disk", hnsw.onDisk());
        ObjectNode o = root.putObject("optimizer_config");
        o.put("deleted_threshold", optimizers.deletedThreshold());
        o.put("vacuum_min_vector_number", optimizers.vacuumMinVectorNumber());
        o.put("default_segment_number", optimizers.defaultSegmentNumber());
        o.set("max_segment_size", nullableLong(optimizers.maxSegmentSizeKbOrNull()));
        o.set("memmap_threshold", nullableLong(optimizers.memmapThresholdKbOrNull()));
        o.put("indexing_threshold", optimizers.indexingThresholdKb());
        o.put("flush_interval_sec", optimizers.flushIntervalSec());
        o.set("max_optimization_threads", optimizers.maxOptimizationThreadsOrNull() == null ? f.nullNode()
                : f.numberNode(optimizers.maxOptimizationThreadsOrNull()));
        ObjectNode w = root.putObject("wal_config");
        w.put("wal_capacity_mb", wal.walCapacityMb());
        w.put("wal_segments_ahead", wal.walSegmentsAhead());
        if (quantizationOrNull == null) {
            root.putNull("quantization_config");
        } else {
            root.set("quantization_config", quantizationJson(quantizationOrNull));
        }
        root.set("strict_mode_config", strictMode.toJson());
        return root;
    }

    private static ObjectNode quantizationJson(QuantizationConfig q) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        switch (q) {
            case QuantizationConfig.Scalar scalar -> {
                ObjectNode s = root.putObject("scalar");
                s.put("type", "int8");
                if (scalar.quantileOrNull() != null) {
                    s.put("quantile", scalar.quantileOrNull());
                }
                if (scalar.alwaysRamOrNull() != null) {
                    s.put("always_ram", scalar.alwaysRamOrNull());
                }
            }
            case QuantizationConfig.Product product -> {
                ObjectNode p = root.putObject("product");
                p.put("compression", product.compression());
                if (product.alwaysRamOrNull() != null) {
                    p.put("always_ram", product.alwaysRamOrNull());
                }
            }
            case QuantizationConfig.Binary binary -> {
                ObjectNode b = root.putObject("binary");
                if (binary.alwaysRamOrNull() != null) {
                    b.put("always_ram", binary.alwaysRamOrNull());
                }
                if (binary.encodingOrNull() != null) {
                    b.put("encoding", binary.encodingOrNull());
                }
                if (binary.queryEncodingOrNull() != null) {
                    b.put("query_encoding", binary.queryEncodingOrNull());
                }
            }
        }
        return root;
    }

    /** Qdrant's JSON name of a distance: "Cosine", "Dot", "Euclid", "Manhattan". */
    public static String distanceName(Distance d) {
        return switch (d) {
            case COSINE -> "Cosine";
            case DOT -> "Dot";
            case EUCLID -> "Euclid";
            case MANHATTAN -> "Manhattan";
        };
    }

    /** Parses Qdrant's exact distance names; anything else (e.g. "cosine") is a BadRequest. */
    public static Distance parseDistance(String name) {
        if (name == null) {
            throw new BadRequestException("Format error in JSON body: missing field `distance`");
        }
        return switch (name) {
            case "Cosine" -> Distance.COSINE;
            case "Dot" -> Distance.DOT;
            case "Euclid" -> Distance.EUCLID;
            case "Manhattan" -> Distance.MANHATTAN;
            default -> throw new BadRequestException("Format error in JSON body: unknown variant `" + name
                    + "`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
        };
    }

    private static JsonNode nullableLong(Long v) {
        return v == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.numberNode(v);
    }

    /**
     * Checks that the engine can run this config (whatever built it: a request, a stored file, code): vector size,
     * shard number, the engine's hnsw ranges (the vector's own and the collection's) and the WAL ranges. Validation
     * (422) naming every field out of range.
     */
    public void checkRunnable() {
        List<String> problems = new ArrayList<>();
        if (vectors.size() < 1 || vectors.size() > MAX_VECTOR_SIZE) {
            problems.add("size: value " + vectors.size() + " invalid, must be from 1 to " + MAX_VECTOR_SIZE);
        }
        atLeast(problems, "shard_number", shardNumber, 1);
        CollectionConfigParser.checkHnsw(problems, hnsw.m(), hnsw.efConstruct(), hnsw.fullScanThresholdKb(), hnsw.maxIndexingThreads(),
                false);
        HnswConfig vh = vectorHnsw();
        if (vectors.hnswOrNull() != null) {
            CollectionConfigParser.checkHnsw(problems, vh.m(), vh.efConstruct(), vh.fullScanThresholdKb(), vh.maxIndexingThreads(), false);
        }
        CollectionConfigParser.checkWal(problems, wal);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
    }

}
