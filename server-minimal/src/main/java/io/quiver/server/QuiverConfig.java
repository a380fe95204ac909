package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterNodeOptions;
import io.quiver.cluster.NodeType;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.CollectionDefaults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The server's validated configuration, read from the merged tree that {@link ConfigLoader} builds. Immutable; the
 * raw tree stays available to later layers (cluster, optimizers) through {@link #tree()}.
 * <p>Every key is read by a getter of its type, which accepts the YAML value of that type or text (an environment or
 * {@code --set} value is always text): integers and floats as decimal text, booleans as {@code true/false},
 * {@code yes/no}, {@code on/off} or {@code 1/0} in any case (as Qdrant's config crate reads them), null as
 * {@code null} or nothing for a key that may be null; a text key keeps its text exactly. {@link #from} checks every
 * key Quiver knows, so a start with a value the server would ignore or the engine would refuse stops with the key
 * named, before anything binds.
 *
 * @param host            {@code service.host}
 * @param httpPort        {@code service.http_port}
 * @param maxRequestBytes {@code service.max_request_size_mb}, in bytes
 * @param apiKey          {@code service.api_key}, or null
 * @param readOnlyApiKey  {@code service.read_only_api_key}, or null
 * @param storagePath     {@code storage.storage_path}
 * @param snapshotsPath   {@code storage.snapshots_path}
 * @param nodeType        {@code storage.node_type}: {@code Normal} or {@code Listener}
 * @param clusterEnabled  {@code cluster.enabled}
 * @param p2pPort         {@code cluster.p2p.port}
 * @param tree            the merged tree
 * @param warnings        what the server logs at start (unknown keys), once its log level is set
 */
public record QuiverConfig(
        String host,
        int httpPort,
        long maxRequestBytes,
        String apiKey,
        String readOnlyApiKey,
        Path storagePath,
        Path snapshotsPath,
        String nodeType,
        boolean clusterEnabled,
        int p2pPort,
        ObjectNode tree,
        List<String> warnings) {

    /** The keys holding secrets: a non-empty string when set, else the start is refused. */
    static final List<String> SECRET_KEYS = List.of("service.api_key", "service.read_only_api_key");

    /** The levels {@code log_level} takes, as slf4j-simple names them. */
    private static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");
    /** A Prometheus metric name (and so a prefix of one). */
    private static final Pattern METRIC_PREFIX = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final long MAX_THREADS = 1 << 16;

    public QuiverConfig {
        warnings = List.copyOf(warnings);
    }

    /** Defaults, an optional YAML file, the process environment, then {@code --set} overrides. */
    public static QuiverConfig load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.withDefaults();
        if (configFile != null) {
            loader.file(configFile);
        }
        loader.environment(env);
        overrides.forEach(loader::set);
        List<String> warnings = new ArrayList<>();
        for (String key : loader.unknownKeys()) {
            warnings.add("unknown configuration key '" + key + "' is ignored");
        }
        return from(loader.tree(), warnings);
    }

    /** Validates the merged tree; every rejection names the offending key. */
    public static QuiverConfig from(ObjectNode tree) {
        return from(tree, List.of());
    }

    private static QuiverConfig from(ObjectNode tree, List<String> warnings) {
        String host = text(tree, "service.host", false);
        int httpPort = port(tree, "service.http_port");
        long maxMb = integer(tree, "service.max_request_size_mb", 1, 1L << 20);
        String nodeType = text(tree, "storage.node_type", false);
        String normalisedType = switch (nodeType.toLowerCase(Locale.ROOT)) {
            case "normal" -> "Normal";
            case "listener" -> "Listener";
            default -> throw new InvalidConfigException(
                    "storage.node_type: expected Normal or Listener, got '" + nodeType + "'");
        };
        boolean clusterEnabled = bool(tree, "cluster.enabled");
        int p2pPort = port(tree, "cluster.p2p.port");
        QuiverConfig config = new QuiverConfig(
                host,
                httpPort,
                maxMb * 1024 * 1024,
                secret(tree, "service.api_key"),
                secret(tree, "service.read_only_api_key"),
                Path.of(text(tree, "storage.storage_path", false)),
                Path.of(text(tree, "storage.snapshots_path", false)),
                normalisedType,
                clusterEnabled,
                p2pPort,
                tree,
                warnings);
        checkServiceKeys(tree);
        checkStorageKeys(tree);
        checkClusterKeys(tree);
        config.logLevel();
        config.metricsPrefix();
        config.collectionDefaults(); // validates storage.hnsw_index, .optimizers, .wal, .collection
        return config;
    }

    /** The {@code service} keys that no getter reads: checked for their type and range, TLS refused. */
    private static void checkServiceKeys(JsonNode tree) {
        bool(tree, "service.enable_cors");
        optionalLong(tree, "service.grpc_port", 0, 65535); // accepted, unused: Quiver serves no gRPC
        optionalLong(tree, "service.max_workers", 0, MAX_THREADS);
        bool(tree, "service.verify_https_client_certificate");
        if (bool(tree, "service.enable_tls")) {
            throw new InvalidConfigException("service.enable_tls: TLS is not supported by Quiver, which serves plain "
                    + "HTTP only; terminate TLS in a proxy in front of it and set service.enable_tls to false");
        }
        bool(tree, "telemetry_disabled");
    }

    /** The {@code storage} keys that no getter reads (the collection defaults are {@link #collectionDefaults}). */
    private static void checkStorageKeys(JsonNode tree) {
        String temp = optionalText(tree, "storage.temp_path");
        if (temp != null && temp.isBlank()) {
            throw new InvalidConfigException("storage.temp_path: must not be empty (leave it null for the default)");
        }
        bool(tree, "storage.on_disk_payload");
        optionalLong(tree, "storage.update_concurrency", 1, MAX_THREADS);
        integer(tree, "storage.performance.max_search_threads", 0, MAX_THREADS);
        integer(tree, "storage.performance.max_optimization_threads", 0, MAX_THREADS);
        integer(tree, "storage.performance.optimizer_cpu_budget", -MAX_THREADS, MAX_THREADS); // negative: CPUs less n
        optionalLong(tree, "storage.performance.update_rate_limit", 0, Integer.MAX_VALUE);
    }

    /** The {@code cluster} keys, checked whether or not the cluster is enabled. */
    private static void checkClusterKeys(JsonNode tree) {
        if (bool(tree, "cluster.p2p.enable_tls")) {
            throw new InvalidConfigException("cluster.p2p.enable_tls: TLS is not supported by Quiver, whose peers talk "
                    + "plain HTTP; set cluster.p2p.enable_tls to false");
        }
        integer(tree, "cluster.p2p.connection_pool_size", 1, 1 << 10);
        integer(tree, "cluster.consensus.tick_period_ms", 1, Integer.MAX_VALUE);
        integer(tree, "cluster.consensus.snapshot_interval_sec", 1, Integer.MAX_VALUE);
        integer(tree, "cluster.consensus.compact_wal_entries", 0, Integer.MAX_VALUE);
    }

    /**
     * The consensus member's options: {@code cluster.p2p.port}, this node's p2p URI ({@code --uri}, default
     * {@code http://<service.host>:<p2p port>}; its host is the address peers reach), {@code --bootstrap},
     * {@code storage.node_type}, {@code cluster.consensus.snapshot_interval_sec} and {@code compact_wal_entries}.
     */
    public ClusterNodeOptions clusterNodeOptions() {
        String uri = optionalUri("cluster.p2p.uri");
        String host = host();
        if (uri != null) {
            try {
                String uriHost = java.net.URI.create(uri).getHost();
                if (uriHost == null) {
                    throw new IllegalArgumentException("no host");
                }
                host = uriHost;
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("cluster.p2p.uri (--uri): not a URI with a host: '" + uri + "'");
            }
        } else {
            uri = "http://" + host + ":" + p2pPort();
        }
        return ClusterNodeOptions.of(storagePath(), p2pPort())
                .withP2pHost(host)
                .withUri(uri)
                .withBootstrapUri(optionalUri("cluster.p2p.bootstrap"))
                .withNodeType(NodeType.parse(nodeType()))
                .withSnapshotIntervalSecs((int) integer(tree, "cluster.consensus.snapshot_interval_sec", 1, Integer.MAX_VALUE))
                .withSnapshotEveryEntries((int) integer(tree, "cluster.consensus.compact_wal_entries", 0, Integer.MAX_VALUE));
    }

    private String optionalUri(String key) {
        String value = optionalText(tree, key);
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code service.enable_cors}: answer CORS preflights and allow any origin, as Qdrant does by default. */
    public boolean enableCors() {
        return bool(tree, "service.enable_cors");
    }

    /**
     * {@code service.metrics_prefix}, or the empty string: a Prometheus name prefix ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}),
     * else every metric name it starts would break the exposition format.
     */
    public String metricsPrefix() {
        String prefix = optionalText(tree, "service.metrics_prefix");
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        if (!METRIC_PREFIX.matcher(prefix).matches()) {
            throw new InvalidConfigException("service.metrics_prefix: '" + prefix + "' is not a Prometheus metric name "
                    + "prefix: it must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        return prefix;
    }

    /**
     * {@code log_level} as slf4j-simple names it: one of {@code trace, debug, info, warn, error, off}, in any case.
     * (Qdrant also takes per-module filters such as {@code warn,collection=debug}; Quiver takes a single level.)
     */
    public String logLevel() {
        String level = text(tree, "log_level", false).trim().toLowerCase(Locale.ROOT);
        if (level.equals("warning")) {
            level = "warn";
        }
        if (!LOG_LEVELS.contains(level)) {
            throw new InvalidConfigException("log_level: expected one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got '"
                    + text(tree, "log_level", false) + "'");
        }
        return level;
    }

    /**
     * The collection parameters a create request leaves out, from {@code storage.hnsw_index}, {@code .optimizers},
     * {@code .wal} and {@code .collection} (config keys end in {@code _kb}; the API reports the same KB values).
     * Ranges are the stricter of Qdrant's and the engine's, as for a create request: a default the engine refuses
     * would make every create fail.
     */
    public CollectionDefaults collectionDefaults() {
        int m = (int) integer(tree, "storage.hnsw_index.m", 0, CollectionConfig.MAX_HNSW_M,
                "(" + CollectionConfig.MAX_HNSW_M + " is Quiver's HNSW limit)");
        CollectionConfig.HnswConfig hnsw = new CollectionConfig.HnswConfig(m,
                (int) integer(tree, "storage.hnsw_index.ef_construct", CollectionConfig.MIN_EF_CONSTRUCT, 1 << 20),
                integer(tree, "storage.hnsw_index.full_scan_threshold_kb",
                        CollectionConfig.MIN_FULL_SCAN_THRESHOLD_KB, Integer.MAX_VALUE),
                (int) integer(tree, "storage.hnsw_index.max_indexing_threads", 0, MAX_THREADS),
                bool(tree, "storage.hnsw_index.on_disk"));
        optionalLong(tree, "storage.hnsw_index.payload_m", 0, CollectionConfig.MAX_HNSW_M); // accepted, unused
        Long maxOptimizationThreads = optionalLong(tree, "storage.optimizers.max_optimization_threads", 0, MAX_THREADS);
        CollectionConfig.OptimizersConfig optimizers = new CollectionConfig.OptimizersConfig(
                number(tree, "storage.optimizers.deleted_threshold", 0, 1),
                integer(tree, "storage.optimizers.vacuum_min_vector_number", 100, Long.MAX_VALUE),
                integer(tree, "storage.optimizers.default_segment_number", 0, 1 << 16),
                optionalLong(tree, "storage.optimizers.max_segment_size_kb", 0, Long.MAX_VALUE / 1024),
                optionalLong(tree, "storage.optimizers.memmap_threshold_kb", 0, Long.MAX_VALUE / 1024),
                integer(tree, "storage.optimizers.indexing_threshold_kb", 0, Long.MAX_VALUE / 1024),
                integer(tree, "storage.optimizers.flush_interval_sec", 0, Long.MAX_VALUE / 1000),
                maxOptimizationThreads == null ? null : Integer.valueOf(maxOptimizationThreads.intValue()));
        CollectionConfig.WalParams wal = new CollectionConfig.WalParams(
                (int) integer(tree, "storage.wal.wal_capacity_mb", 1, CollectionConfig.MAX_WAL_CAPACITY_MB,
                        "(Quiver's WAL segments stay below 2 GiB)"),
                (int) integer(tree, "storage.wal.wal_segments_ahead", 0, CollectionConfig.MAX_WAL_SEGMENTS_AHEAD,
                        "(Quiver's WAL limit)"));
        return new CollectionDefaults(hnsw, optimizers, wal,
                (int) integer(tree, "storage.collection.replication_factor", 1, 1 << 16),
                (int) integer(tree, "storage.collection.write_consistency_factor", 1, 1 << 16),
                bool(tree, "storage.on_disk_payload"),
                quantization(tree, "storage.collection.quantization"),
                optionalBool(tree, "storage.collection.vectors.on_disk"));
    }

    /**
     * {@code storage.collection.quantization}: null, or Qdrant's scalar form
     * {@code {scalar: {type: int8, quantile: 0.5..1, always_ram: bool}}}, the product form
     * {@code {product: {compression: x4|x8|x16|x32|x64, always_ram: bool}}}, or the binary form
     * {@code {binary: {always_ram: bool, encoding: one_bit|two_bits|one_and_half_bits, query_encoding:
     * default|binary|scalar4bits|scalar8bits}}}.
     */
    private static CollectionConfig.QuantizationConfig quantization(JsonNode tree, String key) {
        JsonNode node = at(tree, key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject() && node.size() == 1 && node.has("binary") && node.get("binary").isObject()) {
            return binaryQuantization(tree, key + ".binary");
        }
        if (node.isObject() && node.size() == 1 && node.has("product") && node.get("product").isObject()) {
            String compression = text(tree, key + ".product.compression", false);
            if (!CollectionConfig.QuantizationConfig.Product.COMPRESSIONS.contains(compression)) {
                throw new InvalidConfigException(key + ".product.compression: expected one of "
                        + CollectionConfig.QuantizationConfig.Product.COMPRESSIONS + ", got '" + compression + "'");
            }
            return new CollectionConfig.QuantizationConfig.Product(compression,
                    optionalBool(tree, key + ".product.always_ram"));
        }
        if (!node.isObject() || node.size() != 1 || !node.has("scalar") || !node.get("scalar").isObject()) {
            throw new InvalidConfigException(key + ": expected scalar, product or binary quantization, as "
                    + "{scalar: {type: int8, quantile: 0.99, always_ram: true}}, {product: {compression: x16}} or "
                    + "{binary: {always_ram: true}}, got " + node);
        }
        String type = text(tree, key + ".scalar.type", false);
        if (!type.equals("int8")) {
            throw new InvalidConfigException(key + ".scalar.type: expected int8, got '" + type + "'");
        }
        JsonNode quantile = at(tree, key + ".scalar.quantile");
        Double q = quantile == null || quantile.isNull() ? null : number(tree, key + ".scalar.quantile", 0.5, 1);
        return new CollectionConfig.QuantizationConfig.Scalar(q == null ? null : q.floatValue(),
                optionalBool(tree, key + ".scalar.always_ram"));
    }

    private static CollectionConfig.QuantizationConfig.Binary binaryQuantization(JsonNode tree, String key) {
        String encoding = text(tree, key + ".encoding", true);
        if (encoding != null && !CollectionConfig.QuantizationConfig.Binary.ENCODINGS.contains(encoding)) {
            throw new InvalidConfigException(key + ".encoding: expected one of "
                    + CollectionConfig.QuantizationConfig.Binary.ENCODINGS + ", got '" + encoding + "'");
        }
        String query = text(tree, key + ".query_encoding", true);
        if (query != null && !CollectionConfig.QuantizationConfig.Binary.QUERY_ENCODINGS.contains(query)) {
            throw new InvalidConfigException(key + ".query_encoding: expected one of "
                    + CollectionConfig.QuantizationConfig.Binary.QUERY_ENCODINGS + ", got '" + query + "'");
        }
        return new CollectionConfig.QuantizationConfig.Binary(optionalBool(tree, key + ".always_ram"), encoding, query);
    }

    static JsonNode at(JsonNode tree, String dotted) {
        JsonNode node = tree;
        for (String part : dotted.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.isTextual() ? "'" + node.textValue() + "'" : node.toString();
    }

    /** Null in YAML, or the text {@code null} or nothing from the environment: for keys that are not text. */
    private static boolean isNull(JsonNode node) {
        return node == null || node.isNull()
                || (node.isTextual() && (node.textValue().isEmpty() || node.textValue().equals("null")));
    }

    private static String text(JsonNode tree, String key, boolean nullable) {
        JsonNode node = at(tree, key);
        if (node == null || node.isNull()) {
            if (nullable) {
                return null;
            }
            throw new InvalidConfigException(key + ": a value is required");
        }
        if (!node.isValueNode()) {
            throw new InvalidConfigException(key + ": expected a text value, got " + node);
        }
        String value = node.asText();
        if (!nullable && value.isBlank()) {
            throw new InvalidConfigException(key + ": must not be empty");
        }
        return value;
    }

    /** A nullable text key: its text exactly (even {@code null} given as text), or null when YAML gives null. */
    private static String optionalText(JsonNode tree, String key) {
        return text(tree, key, true);
    }

    /**
     * An API key: null when not set; else it must be a non-empty string, as a key that ended up empty or as another
     * type would otherwise leave the server open or locked in a way nobody asked for.
     */
    private static String secret(JsonNode tree, String key) {
        JsonNode node = at(tree, key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidConfigException(key + ": expected a string, got a " + node.getNodeType().name()
                    .toLowerCase(Locale.ROOT) + "; quote it in YAML");
        }
        if (node.textValue().isEmpty()) {
            throw new InvalidConfigException(key + ": is set but empty; give a key or leave it unset");
        }
        return node.textValue();
    }

    private static Long asLong(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static long integer(JsonNode tree, String key, long min, long max) {
        return integer(tree, key, min, max, "");
    }

    private static long integer(JsonNode tree, String key, long min, long max, String whyBounds) {
        JsonNode node = at(tree, key);
        Long value = node == null ? null : asLong(node);
        if (value == null) {
            throw new InvalidConfigException(key + ": expected an integer, got " + describe(node));
        }
        if (value < min || value > max) {
            throw new InvalidConfigException(key + ": " + value + " is outside [" + min + ", " + max + "]"
                    + (whyBounds.isEmpty() ? "" : " " + whyBounds));
        }
        return value;
    }

    private static Long optionalLong(JsonNode tree, String key, long min, long max) {
        return isNull(at(tree, key)) ? null : integer(tree, key, min, max);
    }

    private static double number(JsonNode tree, String key, double min, double max) {
        JsonNode node = at(tree, key);
        Double value = null;
        if (node != null && node.isNumber()) {
            value = node.asDouble();
        } else if (node != null && node.isTextual() && DECIMAL.matcher(node.textValue()).matches()) {
            value = Double.parseDouble(node.textValue());
        }
        if (value == null || !Double.isFinite(value)) {
            throw new InvalidConfigException(key + ": expected a number, got " + describe(node));
        }
        if (value < min || value > max) {
            throw new InvalidConfigException(key + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    private static int port(JsonNode tree, String key) {
        return (int) integer(tree, key, 0, 65535);
    }

    /** {@code true/false}, {@code yes/no}, {@code on/off}, {@code 1/0} in any case, as Qdrant's config crate. */
    private static boolean bool(JsonNode tree, String key) {
        JsonNode node = at(tree, key);
        if (node != null && node.isBoolean()) {
            return node.booleanValue();
        }
        if (node != null && node.isIntegralNumber() && (node.asLong() == 0 || node.asLong() == 1)) {
            return node.asLong() == 1;
        }
        if (node != null && node.isTextual()) {
            switch (node.textValue().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> {
                    return true;
                }
                case "false", "no", "off", "0" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new InvalidConfigException(key + ": expected true or false, got " + describe(node));
    }

    private static Boolean optionalBool(JsonNode tree, String key) {
        return isNull(at(tree, key)) ? null : bool(tree, key);
    }
}
