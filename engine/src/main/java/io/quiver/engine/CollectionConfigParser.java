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
import io.quiver.engine.CollectionConfig.HnswConfig;
import io.quiver.engine.CollectionConfig.HnswConfigDiff;
import io.quiver.engine.CollectionConfig.OptimizersConfig;
import io.quiver.engine.CollectionConfig.QuantizationConfig;
import io.quiver.engine.CollectionConfig.VectorParams;
import io.quiver.engine.CollectionConfig.WalParams;
import io.quiver.hnsw.Distance;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link CollectionConfig}s from JSON: Qdrant's create body, the persisted form and the PATCH body, with
 * Qdrant's split of errors (BadRequest, 400, for wrong types and enums; Validation, 422, for values out of range,
 * each problem named by its field path). Stateless and threadsafe.
 */
final class CollectionConfigParser {
    private CollectionConfigParser() {
    }

    /** See {@link CollectionConfig#fromCreateRequest}. */
    static CollectionConfig fromCreateRequest(JsonNode body, CollectionDefaults defaults) {
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
        rejectCustomSharding(body);
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
        if (size < 1 || size > CollectionConfig.MAX_VECTOR_SIZE) {
            problems.add("size: value " + size + " invalid, must be from 1 to " + CollectionConfig.MAX_VECTOR_SIZE);
        }
        String dist = textOr(v, "distance", null);
        if (dist == null) {
            throw new BadRequestException("Format error in JSON body: vectors: missing field `distance`");
        }
        Distance distance = CollectionConfig.parseDistance(dist);
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

    /**
     * Qdrant's {@code sharding_method}: {@code auto} (or absent) is Quiver's only one; {@code custom} (shards created by
     * shard key) is a BadRequest rather than a collection silently sharded by id.
     */
    private static void rejectCustomSharding(JsonNode body) {
        JsonNode method = body.get("sharding_method");
        if (method == null || method.isNull() || "auto".equals(method.asText())) {
            return;
        }
        if ("custom".equals(method.asText())) {
            throw new BadRequestException("sharding_method `custom` is not supported: Quiver places points in shards "
                    + "by id only (sharding_method `auto`)");
        }
        throw new BadRequestException("Format error in JSON body: sharding_method: unknown variant `" + method.asText()
                + "`, expected `auto` or `custom`");
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
     * The ranges of hnsw parameters. Always (what the engine can build): {@code m} 0..{@value CollectionConfig#MAX_HNSW_M},
     * {@code ef_construct} at least 1, {@code full_scan_threshold} and {@code max_indexing_threads} at least 0.
     * {@code strict} (a create or update request) adds Qdrant's own minimums: {@code ef_construct} at least
     * {@value CollectionConfig#MIN_EF_CONSTRUCT}, {@code full_scan_threshold} at least {@value CollectionConfig#MIN_FULL_SCAN_THRESHOLD_KB}. A stored
     * config is read with the engine's ranges only, as Qdrant only warns about its ranges when it loads one.
     */
    static void checkHnsw(List<String> problems, Integer m, Integer efConstruct, Long fullScanKb,
            Integer maxIndexingThreads, boolean strict) {
        if (m != null && (m < 0 || m > CollectionConfig.MAX_HNSW_M)) {
            problems.add("m: value " + m + " invalid, must be from 0 to " + CollectionConfig.MAX_HNSW_M
                    + " (Quiver's HNSW limit; Qdrant sets no maximum)");
        }
        atLeast(problems, "ef_construct", efConstruct, strict ? CollectionConfig.MIN_EF_CONSTRUCT : 1);
        atLeast(problems, "full_scan_threshold", fullScanKb, strict ? CollectionConfig.MIN_FULL_SCAN_THRESHOLD_KB : 0);
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

    /** See {@link CollectionConfig#fromJson}. */
    static CollectionConfig fromJson(JsonNode config) {
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
                CollectionConfig.parseDistance(textOr(v, "distance", null)),
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

    /** See {@link CollectionConfig#applyUpdate}: {@code c} with the PATCH body applied. */
    static CollectionConfig applyUpdate(CollectionConfig c, JsonNode patch) {
        if (patch == null || patch.isNull()) {
            return c;
        }
        if (!patch.isObject()) {
            throw new BadRequestException("Format error in JSON body: expected an object");
        }
        List<String> problems = new ArrayList<>();
        OptimizersConfig opt = optimizersDiff(c.optimizers(), object(patch, "optimizers_config"),
                under("optimizers_config.", problems));
        HnswConfig h = hnswDiff(c.hnsw(), object(patch, "hnsw_config"), under("hnsw_config.", problems), true);
        JsonNode params = object(patch, "params");
        int rf = intOr(params, "replication_factor", c.replicationFactor());
        int wcf = intOr(params, "write_consistency_factor", c.writeConsistencyFactor());
        atLeast(problems, "params.replication_factor", rf, 1);
        atLeast(problems, "params.write_consistency_factor", wcf, 1);
        boolean odp = boolOr(params, "on_disk_payload", c.onDiskPayload());
        Integer fanOut = intOr(params, "read_fan_out_factor", c.readFanOutFactorOrNull());
        if (fanOut != null && fanOut < 0) { // an unsigned field in Qdrant: a negative value does not deserialize
            throw new BadRequestException("Format error in JSON body: read_fan_out_factor: expected an unsigned "
                    + "integer, got " + fanOut);
        }
        VectorParams vp = vectorsDiff(c, object(patch, "vectors"), problems);
        JsonNode sparse = object(patch, "sparse_vectors");
        if (sparse != null && !sparse.isEmpty()) { // Qdrant: updates sparse vectors by name; there are none here
            throw new BadRequestException("Not existing vector name error: " + sparse.fieldNames().next());
        }
        QuantizationConfig q = c.quantizationOrNull();
        JsonNode qn = patch.get("quantization_config");
        if (qn != null) {
            q = qn.isTextual() && "Disabled".equals(qn.textValue()) ? null
                    : parseQuantization(qn, under("quantization_config.", problems));
        }
        StrictModeConfig strict = c.strictMode().updatedBy(patch.get("strict_mode_config"), problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new CollectionConfig(vp, c.shardNumber(), rf, wcf, odp, h, opt, c.wal(), q, fanOut, strict);
    }

    /**
     * Qdrant's VectorsConfigDiff of a PATCH body: vector name → {@code on_disk}, {@code hnsw_config} (merged into the
     * vector's own diff), {@code quantization_config} (a config, or "Disabled" to drop the vector's own). The only
     * vector is {@link VectorParams#name()}; another name is Qdrant's "Not existing vector name error".
     */
    private static VectorParams vectorsDiff(CollectionConfig c, JsonNode vpatch, List<String> problems) {
        VectorParams vp = c.vectors();
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
            c.requireVectorName(name);
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
     * WAL ranges: {@code wal_capacity_mb} 1 (Qdrant's minimum) to {@value CollectionConfig#MAX_WAL_CAPACITY_MB} (a WAL segment must
     * stay below 2 GiB), {@code wal_segments_ahead} 0 to {@value CollectionConfig#MAX_WAL_SEGMENTS_AHEAD} (the WAL's limit).
     */
    static void checkWal(List<String> problems, WalParams w) {
        if (w.walCapacityMb() < 1 || w.walCapacityMb() > CollectionConfig.MAX_WAL_CAPACITY_MB) {
            problems.add("wal_capacity_mb: value " + w.walCapacityMb() + " invalid, must be from 1 to "
                    + CollectionConfig.MAX_WAL_CAPACITY_MB + " (Qdrant's minimum; Quiver's WAL segments stay below 2 GiB)");
        }
        if (w.walSegmentsAhead() < 0 || w.walSegmentsAhead() > CollectionConfig.MAX_WAL_SEGMENTS_AHEAD) {
            problems.add("wal_segments_ahead: value " + w.walSegmentsAhead() + " invalid, must be from 0 to "
                    + CollectionConfig.MAX_WAL_SEGMENTS_AHEAD + " (Quiver's WAL limit; Qdrant sets no maximum)");
        }
    }

    /**
     * Qdrant's {@code quantization_config} (an untagged enum, tried in Qdrant's order): {@code {"scalar":{..}}} (int8),
     * {@code {"product":{..}}} (centroid numbers of sub-vectors) or {@code {"binary":{..}}} (one, one and a half or two
     * bits per component).
     */
    private static QuantizationConfig parseQuantization(JsonNode qn, List<String> problems) {
        if (qn.isNull()) {
            return null;
        }
        JsonNode s = object(qn, "scalar");
        if (s == null) {
            JsonNode p = object(qn, "product");
            if (p != null) {
                return parseProductQuantization(p);
            }
            JsonNode b = object(qn, "binary");
            if (b != null) {
                return parseBinaryQuantization(b);
            }
            throw new BadRequestException("Format error in JSON body: quantization_config: data did not match any "
                    + "variant of untagged enum QuantizationConfig");
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
        return new QuantizationConfig.Scalar(q == null ? null : q.floatValue(), boolOr(s, "always_ram", null));
    }

    private static QuantizationConfig.Product parseProductQuantization(JsonNode p) {
        String compression = textOr(p, "compression", null);
        if (compression == null) {
            throw new BadRequestException("Format error in JSON body: quantization_config.product: missing field "
                    + "`compression`");
        }
        if (!QuantizationConfig.Product.COMPRESSIONS.contains(compression)) {
            throw new BadRequestException("Format error in JSON body: quantization_config.product.compression: "
                    + "unknown variant `" + compression + "`, expected one of `x4`, `x8`, `x16`, `x32`, `x64`");
        }
        return new QuantizationConfig.Product(compression, boolOr(p, "always_ram", null));
    }

    private static QuantizationConfig.Binary parseBinaryQuantization(JsonNode b) {
        String encoding = textOr(b, "encoding", null);
        if (encoding != null && !QuantizationConfig.Binary.ENCODINGS.contains(encoding)) {
            throw new BadRequestException("Format error in JSON body: quantization_config.binary.encoding: "
                    + "unknown variant `" + encoding + "`, expected one of `one_bit`, `two_bits`, `one_and_half_bits`");
        }
        String query = textOr(b, "query_encoding", null);
        if (query != null && !QuantizationConfig.Binary.QUERY_ENCODINGS.contains(query)) {
            throw new BadRequestException("Format error in JSON body: quantization_config.binary.query_encoding: "
                    + "unknown variant `" + query + "`, expected one of `default`, `binary`, `scalar4bits`, "
                    + "`scalar8bits`");
        }
        return new QuantizationConfig.Binary(boolOr(b, "always_ram", null), encoding, query);
    }
}
