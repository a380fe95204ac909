package io.quiver.engine;

import static io.quiver.engine.JsonFields.atLeast;
import static io.quiver.engine.JsonFields.boolOr;
import static io.quiver.engine.JsonFields.doubleOr;
import static io.quiver.engine.JsonFields.field;
import static io.quiver.engine.JsonFields.intOr;
import static io.quiver.engine.JsonFields.longOr;
import static io.quiver.engine.JsonFields.object;
import static io.quiver.engine.JsonFields.textOr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of one collection, in Qdrant's shape; persisted as {@code config.json} (its {@link #toJson()}) and
 * reloaded on open. Immutable: {@link #applyUpdate} returns a copy.
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

    /** int8 scalar quantization: {"scalar":{"type":"int8","quantile":q,"always_ram":b}}. */
    public record QuantizationConfig(Float quantileOrNull, Boolean alwaysRamOrNull) {}

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
        if (body == null || !body.isObject()) {
            throw new BadRequestException("Format error in JSON body: expected an object");
        }
        CollectionDefaults d = defaults == null ? CollectionDefaults.defaults() : defaults;
        List<String> problems = new ArrayList<>();
        JsonNode v = field(body, "vectors");
        if (v == null) {
            throw new BadRequestException("Format error in JSON body: missing field `vectors`");
        }
        if (!v.isObject()) {
            throw new BadRequestException("Format error in JSON body: vectors: expected an object, got " + v);
        }
        String name = namedVectorOrNull(v);
        VectorParams vectors = name == null ? parseVectorParams("", v, under("vectors.", problems), true)
                : parseVectorParams(name, v.get(name), under("vectors." + name + ".", problems), true);
        if (vectors.onDiskOrNull() == null && d.vectorsOnDiskOrNull() != null) { // storage.collection.vectors.on_disk
            vectors = new VectorParams(vectors.name(), vectors.size(), vectors.distance(), d.vectorsOnDiskOrNull(),
                    vectors.hnswOrNull(), vectors.quantizationOrNull(), vectors.datatypeOrNull());
        }
        HnswConfig hnsw = hnswDiff(d.hnsw(), object(body, "hnsw_config"), under("hnsw_config.", problems), true);
        rejectSparseVectors(body);
        OptimizersConfig opt = optimizersDiff(d.optimizers(), object(body, "optimizers_config"),
                under("optimizers_config.", problems));
        WalParams wal = walDiff(d.wal(), object(body, "wal_config"), under("wal_config.", problems));
        int shards = intOr(body, "shard_number", 1);
        int rf = intOr(body, "replication_factor", d.replicationFactor());
        int wcf = intOr(body, "write_consistency_factor", d.writeConsistencyFactor());
        atLeast(problems, "shard_number", shards, 1);
        atLeast(problems, "replication_factor", rf, 1);
        atLeast(problems, "write_consistency_factor", wcf, 1);
        boolean onDiskPayload = boolOr(body, "on_disk_payload", d.onDiskPayload());
        QuantizationConfig q = d.quantizationOrNull();
        JsonNode qn = body.get("quantization_config");
        if (qn != null) {
            q = parseQuantization(qn, under("quantization_config.", problems));
        }
        StrictModeConfig strict = StrictModeConfig.DEFAULT.updatedBy(body.get("strict_mode_config"), problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new CollectionConfig(vectors, shards, rf, wcf, onDiskPayload, hnsw, opt, wal, q, null, strict);
    }

    /**
     * The name of the one vector of Qdrant's named form ({@code {"name": {size, distance, …}}}), or null for the
     * unnamed form ({@code {size, distance, …}}, recognised by either key). No dense vector at all, or more than one,
     * is a BadRequest: Quiver stores exactly one dense vector per point.
     */
    private static String namedVectorOrNull(JsonNode v) {
        if (v.has("size") || v.has("distance")) {
            return null;
        }
        List<String> names = new ArrayList<>();
        v.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            throw new BadRequestException("a collection without dense vectors is not supported: Quiver stores one "
                    + "dense vector per point");
        }
        if (names.size() > 1) {
            throw new BadRequestException("more than one named vector is not supported: Quiver stores one dense "
                    + "vector per point (vectors: " + String.join(", ", names) + ")");
        }
        JsonNode params = v.get(names.getFirst());
        if (!params.isObject()) {
            throw new BadRequestException("Format error in JSON body: vectors." + names.getFirst()
                    + ": expected an object (VectorParams), got " + params);
        }
        return names.getFirst();
    }

    /**
     * Qdrant's VectorParams: size (1..=65536, else a validation problem) and distance required; {@code on_disk},
     * {@code hnsw_config}, {@code quantization_config} (alias {@code quantization}) and {@code datatype} kept; what
     * Quiver cannot store ({@code uint8} under Cosine, {@code multivector_config}) is a BadRequest, never dropped.
     */
    private static VectorParams parseVectorParams(String name, JsonNode v, List<String> problems, boolean strict) {
        Integer size = intOr(v, "size", null);
        if (size == null) {
            throw new BadRequestException("Format error in JSON body: vectors: missing field `size`");
        }
        if (size < 1 || size > MAX_VECTOR_SIZE) {
            problems.add("size: value " + size + " invalid, must be from 1 to " + MAX_VECTOR_SIZE);
        }
        String dist = textOr(v, "distance", null);
        if (dist == null) {
            throw new BadRequestException("Format error in JSON body: vectors: missing field `distance`");
        }
        Distance distance = parseDistance(dist);
        Boolean onDisk = boolOr(v, "on_disk", null);
        HnswConfigDiff hnsw = vectorHnswDiff(object(v, "hnsw_config"), under("hnsw_config.", problems), strict);
        JsonNode qn = field(v, "quantization_config") != null ? v.get("quantization_config") : v.get("quantization");
        QuantizationConfig q = qn == null ? null : parseQuantization(qn, under("quantization_config.", problems));
        String datatype = parseDatatype(textOr(v, "datatype", null));
        if ("uint8".equals(datatype) && distance == Distance.COSINE) {
            throw new BadRequestException("datatype `uint8` with Cosine distance is not supported: Quiver stores "
                    + "Cosine vectors normalised to unit length, which uint8 values cannot hold");
        }
        if (field(v, "multivector_config") != null) {
            throw new BadRequestException("multivector_config is not supported: Quiver stores one dense vector per "
                    + "point");
        }
        return new VectorParams(name, size, distance, onDisk, hnsw, q, datatype);
    }

    /** Qdrant's vector datatypes, as given (null when absent). */
    private static String parseDatatype(String datatype) {
        if (datatype == null) {
            return null;
        }
        return switch (datatype) {
            case "float32", "float16", "uint8" -> datatype;
            default -> throw new BadRequestException("Format error in JSON body: vectors.datatype: unknown variant `"
                    + datatype + "`, expected one of `float32`, `uint8`, `float16`");
        };
    }

    /** Sparse vectors are not supported: a non-empty {@code sparse_vectors} is a BadRequest (an empty one is none). */
    private static void rejectSparseVectors(JsonNode body) {
        JsonNode sparse = object(body, "sparse_vectors");
        if (sparse != null && !sparse.isEmpty()) {
            throw new BadRequestException("sparse vectors are not supported: Quiver stores one dense vector per point "
                    + "(sparse_vectors: " + String.join(", ", (Iterable<String>) sparse::fieldNames) + ")");
        }
    }

    /**
     * A vector's {@code hnsw_config} diff, validated as the collection's ({@link #checkHnsw}); null when absent or
     * empty.
     */
    private static HnswConfigDiff vectorHnswDiff(JsonNode n, List<String> problems, boolean strict) {
        if (n == null) {
            return null;
        }
        HnswConfigDiff h = new HnswConfigDiff(intOr(n, "m", null), intOr(n, "ef_construct", null),
                longOr(n, "full_scan_threshold", null), intOr(n, "max_indexing_threads", null),
                boolOr(n, "on_disk", null));
        checkHnsw(problems, h.mOrNull(), h.efConstructOrNull(), h.fullScanThresholdKbOrNull(),
                h.maxIndexingThreadsOrNull(), strict);
        return h.isEmpty() ? null : h;
    }

    /**
     * The ranges of hnsw parameters. Always (what the engine can build): {@code m} 0..{@value #MAX_HNSW_M},
     * {@code ef_construct} at least 1, {@code full_scan_threshold} and {@code max_indexing_threads} at least 0.
     * {@code strict} (a create or update request) adds Qdrant's own minimums: {@code ef_construct} at least
     * {@value #MIN_EF_CONSTRUCT}, {@code full_scan_threshold} at least {@value #MIN_FULL_SCAN_THRESHOLD_KB}. A stored
     * config is read with the engine's ranges only, as Qdrant only warns about its ranges when it loads one.
     */
    private static void checkHnsw(List<String> problems, Integer m, Integer efConstruct, Long fullScanKb,
            Integer maxIndexingThreads, boolean strict) {
        if (m != null && (m < 0 || m > MAX_HNSW_M)) {
            problems.add("m: value " + m + " invalid, must be from 0 to " + MAX_HNSW_M
                    + " (Quiver's HNSW limit; Qdrant sets no maximum)");
        }
        atLeast(problems, "ef_construct", efConstruct, strict ? MIN_EF_CONSTRUCT : 1);
        atLeast(problems, "full_scan_threshold", fullScanKb, strict ? MIN_FULL_SCAN_THRESHOLD_KB : 0);
        atLeast(problems, "max_indexing_threads", maxIndexingThreads, 0);
    }

    /**
     * An add-only view of {@code problems} that names each problem added through it under {@code prefix}, the path of
     * a nested object in the request ({@code "hnsw_config."}), as Qdrant's validation messages name a nested field
     * ({@code hnsw_config.ef_construct: value 0 invalid, …}).
     */
    private static List<String> under(String prefix, List<String> problems) {
        return new AbstractList<>() {
            @Override
            public boolean add(String problem) {
                return problems.add(prefix + problem);
            }

            @Override
            public String get(int index) {
                return problems.get(index);
            }

            @Override
            public int size() {
                return problems.size();
            }
        };
    }

    /** Reads a persisted config (the shape of {@link #toJson()}). */
    public static CollectionConfig fromJson(JsonNode config) {
        JsonNode params = object(config, "params");
        JsonNode vectorsNode = object(params, "vectors");
        String name = namedVectorOrNull(vectorsNode);
        JsonNode v = name == null ? vectorsNode : vectorsNode.get(name);
        List<String> problems = new ArrayList<>();
        HnswConfig hnsw = hnswDiff(HnswConfig.defaults(), object(config, "hnsw_config"), problems, false);
        OptimizersConfig opt = optimizersDiff(OptimizersConfig.defaults(), object(config, "optimizer_config"),
                problems);
        WalParams wal = walDiff(WalParams.defaults(), object(config, "wal_config"), problems);
        JsonNode qn = config.get("quantization_config");
        QuantizationConfig q = qn == null ? null : parseQuantization(qn, problems);
        JsonNode vq = v.get("quantization_config");
        VectorParams vectors = new VectorParams(name == null ? "" : name, intOr(v, "size", null),
                parseDistance(textOr(v, "distance", null)),
                boolOr(v, "on_disk", null), vectorHnswDiff(object(v, "hnsw_config"), problems, false),
                vq == null ? null : parseQuantization(vq, problems), parseDatatype(textOr(v, "datatype", null)));
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new CollectionConfig(vectors,
                intOr(params, "shard_number", 1), intOr(params, "replication_factor", 1),
                intOr(params, "write_consistency_factor", 1), boolOr(params, "on_disk_payload", true), hnsw, opt, wal,
                q, intOr(params, "read_fan_out_factor", null),
                StrictModeConfig.fromJson(config.get("strict_mode_config")));
    }

    /**
     * Applies Qdrant's PATCH body (diffs of optimizers_config, params, hnsw_config, vectors, quantization_config and
     * strict_mode_config).
     */
    public CollectionConfig applyUpdate(JsonNode patch) {
        if (patch == null || patch.isNull()) {
            return this;
        }
        if (!patch.isObject()) {
            throw new BadRequestException("Format error in JSON body: expected an object");
        }
        List<String> problems = new ArrayList<>();
        OptimizersConfig opt = optimizersDiff(optimizers, object(patch, "optimizers_config"),
                under("optimizers_config.", problems));
        HnswConfig h = hnswDiff(hnsw, object(patch, "hnsw_config"), under("hnsw_config.", problems), true);
        JsonNode params = object(patch, "params");
        int rf = intOr(params, "replication_factor", replicationFactor);
        int wcf = intOr(params, "write_consistency_factor", writeConsistencyFactor);
        atLeast(problems, "params.replication_factor", rf, 1);
        atLeast(problems, "params.write_consistency_factor", wcf, 1);
        boolean odp = boolOr(params, "on_disk_payload", onDiskPayload);
        Integer fanOut = intOr(params, "read_fan_out_factor", readFanOutFactorOrNull);
        if (fanOut != null && fanOut < 0) { // an unsigned field in Qdrant: a negative value does not deserialize
            throw new BadRequestException("Format error in JSON body: read_fan_out_factor: expected an unsigned "
                    + "integer, got " + fanOut);
        }
        VectorParams vp = vectorsDiff(object(patch, "vectors"), problems);
        JsonNode sparse = object(patch, "sparse_vectors");
        if (sparse != null && !sparse.isEmpty()) { // Qdrant: updates sparse vectors by name; there are none here
            throw new BadRequestException("Not existing vector name error: " + sparse.fieldNames().next());
        }
        QuantizationConfig q = quantizationOrNull;
        JsonNode qn = patch.get("quantization_config");
        if (qn != null) {
            q = qn.isTextual() && "Disabled".equals(qn.textValue()) ? null
                    : parseQuantization(qn, under("quantization_config.", problems));
        }
        StrictModeConfig strict = strictMode.updatedBy(patch.get("strict_mode_config"), problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new CollectionConfig(vp, shardNumber, rf, wcf, odp, h, opt, wal, q, fanOut, strict);
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

    /**
     * Qdrant's VectorsConfigDiff of a PATCH body: vector name → {@code on_disk}, {@code hnsw_config} (merged into the
     * vector's own diff), {@code quantization_config} (a config, or "Disabled" to drop the vector's own). The only
     * vector is {@link VectorParams#name()}; another name is Qdrant's "Not existing vector name error".
     */
    private VectorParams vectorsDiff(JsonNode vpatch, List<String> problems) {
        VectorParams vp = vectors;
        if (vpatch == null) {
            return vp;
        }
        for (var e : vpatch.properties()) {
            String name = e.getKey();
            JsonNode diff = e.getValue();
            if (!diff.isObject()) {
                throw new BadRequestException("Format error in JSON body: vectors." + name
                        + ": expected an object (VectorParamsDiff), got " + diff);
            }
            requireVectorName(name);
            Boolean onDisk = boolOr(diff, "on_disk", vp.onDiskOrNull());
            HnswConfigDiff hnswDiff = vp.hnswOrNull();
            HnswConfigDiff given = vectorHnswDiff(object(diff, "hnsw_config"), problems, true);
            if (given != null) {
                hnswDiff = hnswDiff == null ? given : hnswDiff.updatedBy(given);
            }
            QuantizationConfig q = vp.quantizationOrNull();
            JsonNode qn = field(diff, "quantization_config") != null ? diff.get("quantization_config")
                    : diff.get("quantization");
            if (qn != null && !qn.isNull()) {
                q = qn.isTextual() && "Disabled".equals(qn.textValue()) ? null : parseQuantization(qn, problems);
            }
            vp = new VectorParams(vp.name(), vp.size(), vp.distance(), onDisk, hnswDiff, q, vp.datatypeOrNull());
        }
        return vp;
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
        ObjectNode s = root.putObject("scalar");
        s.put("type", "int8");
        if (q.quantileOrNull() != null) {
            s.put("quantile", q.quantileOrNull());
        }
        if (q.alwaysRamOrNull() != null) {
            s.put("always_ram", q.alwaysRamOrNull());
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

    /** {@code base} with the fields of {@code n}; only the fields given are checked ({@link #checkHnsw}). */
    private static HnswConfig hnswDiff(HnswConfig base, JsonNode n, List<String> problems, boolean strict) {
        if (n == null) {
            return base;
        }
        Integer m = intOr(n, "m", null);
        Integer ef = intOr(n, "ef_construct", null);
        Long fullScan = longOr(n, "full_scan_threshold", null);
        Integer threads = intOr(n, "max_indexing_threads", null);
        checkHnsw(problems, m, ef, fullScan, threads, strict);
        return new HnswConfig(m != null ? m : base.m(), ef != null ? ef : base.efConstruct(),
                fullScan != null ? fullScan : base.fullScanThresholdKb(),
                threads != null ? threads : base.maxIndexingThreads(), boolOr(n, "on_disk", base.onDisk()));
    }

    private static OptimizersConfig optimizersDiff(OptimizersConfig b, JsonNode n, List<String> problems) {
        if (n == null) {
            return b;
        }
        OptimizersConfig o = new OptimizersConfig(doubleOr(n, "deleted_threshold", b.deletedThreshold()),
                longOr(n, "vacuum_min_vector_number", b.vacuumMinVectorNumber()),
                longOr(n, "default_segment_number", b.defaultSegmentNumber()),
                n.has("max_segment_size") ? longOr(n, "max_segment_size", null) : b.maxSegmentSizeKbOrNull(),
                n.has("memmap_threshold") ? longOr(n, "memmap_threshold", null) : b.memmapThresholdKbOrNull(),
                longOr(n, "indexing_threshold", b.indexingThresholdKb()),
                longOr(n, "flush_interval_sec", b.flushIntervalSec()),
                n.has("max_optimization_threads") ? intOr(n, "max_optimization_threads", null)
                        : b.maxOptimizationThreadsOrNull());
        if (o.deletedThreshold() < 0 || o.deletedThreshold() > 1) {
            problems.add("deleted_threshold: value " + o.deletedThreshold() + " invalid, must be from 0 to 1");
        }
        atLeast(problems, "vacuum_min_vector_number", o.vacuumMinVectorNumber(), 100);
        atLeast(problems, "indexing_threshold", o.indexingThresholdKb(), 0);
        atLeast(problems, "flush_interval_sec", o.flushIntervalSec(), 0);
        return o;
    }

    private static WalParams walDiff(WalParams b, JsonNode n, List<String> problems) {
        if (n == null) {
            return b;
        }
        WalParams w = new WalParams(intOr(n, "wal_capacity_mb", b.walCapacityMb()),
                intOr(n, "wal_segments_ahead", b.walSegmentsAhead()));
        checkWal(problems, w);
        return w;
    }

    /**
     * WAL ranges: {@code wal_capacity_mb} 1 (Qdrant's minimum) to {@value #MAX_WAL_CAPACITY_MB} (a WAL segment must
     * stay below 2 GiB), {@code wal_segments_ahead} 0 to {@value #MAX_WAL_SEGMENTS_AHEAD} (the WAL's limit).
     */
    private static void checkWal(List<String> problems, WalParams w) {
        if (w.walCapacityMb() < 1 || w.walCapacityMb() > MAX_WAL_CAPACITY_MB) {
            problems.add("wal_capacity_mb: value " + w.walCapacityMb() + " invalid, must be from 1 to "
                    + MAX_WAL_CAPACITY_MB + " (Qdrant's minimum; Quiver's WAL segments stay below 2 GiB)");
        }
        if (w.walSegmentsAhead() < 0 || w.walSegmentsAhead() > MAX_WAL_SEGMENTS_AHEAD) {
            problems.add("wal_segments_ahead: value " + w.walSegmentsAhead() + " invalid, must be from 0 to "
                    + MAX_WAL_SEGMENTS_AHEAD + " (Quiver's WAL limit; Qdrant sets no maximum)");
        }
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
        checkHnsw(problems, hnsw.m(), hnsw.efConstruct(), hnsw.fullScanThresholdKb(), hnsw.maxIndexingThreads(),
                false);
        HnswConfig vh = vectorHnsw();
        if (vectors.hnswOrNull() != null) {
            checkHnsw(problems, vh.m(), vh.efConstruct(), vh.fullScanThresholdKb(), vh.maxIndexingThreads(), false);
        }
        checkWal(problems, wal);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
    }

    private static QuantizationConfig parseQuantization(JsonNode qn, List<String> problems) {
        if (qn.isNull()) {
            return null;
        }
        JsonNode s = object(qn, "scalar");
        if (s == null) {
            throw new BadRequestException("Format error in JSON body: quantization_config: only {\"scalar\":{..}} "
                    + "is supported");
        }
        String type = textOr(s, "type", null);
        if (!"int8".equals(type)) {
            throw new BadRequestException("Format error in JSON body: quantization_config.scalar.type: unknown "
                    + "variant `" + type + "`, expected `int8`");
        }
        Double q = doubleOr(s, "quantile", null);
        if (q != null && (q < 0.5 || q > 1.0)) {
            problems.add("scalar.quantile: value " + q + " invalid, must be from 0.5 to 1");
        }
        return new QuantizationConfig(q == null ? null : q.floatValue(), boolOr(s, "always_ram", null));
    }
}
