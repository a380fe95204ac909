package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterNodeOptions;
import io.quiver.cluster.NodeType;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.CollectionDefaults;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The server's validated configuration, read from the merged tree that {@link ConfigLoader} builds. Immutable; the
 * raw tree stays available to later layers (cluster, optimizers) through {@link #tree()}.
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
        ObjectNode tree) {

    /** Defaults, an optional YAML file, the process environment. */
    public static QuiverConfig load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.withDefaults();
        if (configFile != null) {
            loader.file(configFile);
        }
        loader.environment(env);
        overrides.forEach(loader::set);
        return from(loader.tree());
    }

    /** Validates the merged tree; every rejection names the offending key. */
    public static QuiverConfig from(ObjectNode tree) {
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
        bool(tree, "service.enable_cors");
        int p2pPort = port(tree, "cluster.p2p.port");
        integer(tree, "storage.wal.wal_capacity_mb", 1, 1 << 20);
        integer(tree, "storage.wal.wal_segments_ahead", 0, 1024);
        QuiverConfig config = new QuiverConfig(
                host,
                httpPort,
                maxMb * 1024 * 1024,
                text(tree, "service.api_key", true),
                text(tree, "service.read_only_api_key", true),
                Path.of(text(tree, "storage.storage_path", false)),
                Path.of(text(tree, "storage.snapshots_path", false)),
                normalisedType,
                clusterEnabled,
                p2pPort,
                tree);
        config.collectionDefaults(); // validates storage.hnsw_index, .optimizers, .wal, .collection
        return config;
    }

    /**
     * The consensus member's options: {@code cluster.p2p.port}, this node's p2p URI ({@code --uri}, default
     * {@code http://<service.host>:<p2p port>}; its host is the address peers reach), {@code --bootstrap},
     * {@code storage.node_type}, {@code cluster.consensus.snapshot_interval_sec} and {@code compact_wal_entries}.
     */
    public ClusterNodeOptions clusterNodeOptions() {
        String uri = optionalText("cluster.p2p.uri");
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
                .withBootstrapUri(optionalText("cluster.p2p.bootstrap"))
                .withNodeType(NodeType.parse(nodeType()))
                .withSnapshotIntervalSecs((int) integer(tree, "cluster.consensus.snapshot_interval_sec", 1, Integer.MAX_VALUE))
                .withSnapshotEveryEntries((int) integer(tree, "cluster.consensus.compact_wal_entries", 0, Integer.MAX_VALUE));
    }

    private String optionalText(String key) {
        JsonNode node = at(tree, key);
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }

    /** {@code service.enable_cors}: answer CORS preflights and allow any origin, as Qdrant does by default. */
    public boolean enableCors() {
        return bool(tree, "service.enable_cors");
    }

    /** {@code service.metrics_prefix}, or the empty string. */
    public String metricsPrefix() {
        JsonNode node = at(tree, "service.metrics_prefix");
        return node == null || node.isNull() ? "" : node.asText();
    }

    /**
     * The collection parameters a create request leaves out, from {@code storage.hnsw_index}, {@code .optimizers},
     * {@code .wal} and {@code .collection} (config keys end in {@code _kb}; the API reports the same KB values).
     */
    public CollectionDefaults collectionDefaults() {
        CollectionDefaults builtIn = CollectionDefaults.defaults();
        CollectionConfig.HnswConfig hnsw = new CollectionConfig.HnswConfig(
                (int) integer(tree, "storage.hnsw_index.m", 0, 1 << 16),
                (int) integer(tree, "storage.hnsw_index.ef_construct", 4, 1 << 20),
                integer(tree, "storage.hnsw_index.full_scan_threshold_kb", 0, Long.MAX_VALUE),
                (int) integer(tree, "storage.hnsw_index.max_indexing_threads", 0, 1 << 16),
                bool(tree, "storage.hnsw_index.on_disk"));
        Long maxOptimizationThreads = optionalLong(tree, "storage.optimizers.max_optimization_threads");
        CollectionConfig.OptimizersConfig optimizers = new CollectionConfig.OptimizersConfig(
                number(tree, "storage.optimizers.deleted_threshold", 0, 1),
                integer(tree, "storage.optimizers.vacuum_min_vector_number", 100, Long.MAX_VALUE),
                integer(tree, "storage.optimizers.default_segment_number", 0, 1 << 16),
                optionalLong(tree, "storage.optimizers.max_segment_size_kb"),
                optionalLong(tree, "storage.optimizers.memmap_threshold_kb"),
                integer(tree, "storage.optimizers.indexing_threshold_kb", 0, Long.MAX_VALUE),
                integer(tree, "storage.optimizers.flush_interval_sec", 0, Long.MAX_VALUE),
                maxOptimizationThreads == null ? null : Integer.valueOf(maxOptimizationThreads.intValue()));
        CollectionConfig.WalParams wal = new CollectionConfig.WalParams(
                (int) integer(tree, "storage.wal.wal_capacity_mb", 1, 1 << 20),
                (int) integer(tree, "storage.wal.wal_segments_ahead", 0, 1024));
        return new CollectionDefaults(hnsw, optimizers, wal,
                (int) integer(tree, "storage.collection.replication_factor", 1, 1 << 16),
                (int) integer(tree, "storage.collection.write_consistency_factor", 1, 1 << 16),
                bool(tree, "storage.on_disk_payload"),
                builtIn.quantizationOrNull());
    }

    private static Long optionalLong(JsonNode tree, String key) {
        JsonNode node = at(tree, key);
        if (node == null || node.isNull()) {
            return null;
        }
        return integer(tree, key, 0, Long.MAX_VALUE);
    }

    private static double number(JsonNode tree, String key, double min, double max) {
        JsonNode node = at(tree, key);
        if (node == null || !node.isNumber()) {
            throw new InvalidConfigException(key + ": expected a number, got " + (node == null ? "nothing" : node));
        }
        double value = node.asDouble();
        if (value < min || value > max) {
            throw new InvalidConfigException(key + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    static JsonNode at(JsonNode tree, String dotted) {
        JsonNode node = tree;
        for (String part : dotted.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
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
            throw new InvalidConfigException(key + ": expected a text value");
        }
        String value = node.asText();
        if (!nullable && value.isBlank()) {
            throw new InvalidConfigException(key + ": must not be empty");
        }
        return value.isEmpty() && nullable ? null : value;
    }

    private static long integer(JsonNode tree, String key, long min, long max) {
        JsonNode node = at(tree, key);
        if (node == null || !node.isIntegralNumber()) {
            throw new InvalidConfigException(key + ": expected an integer, got " + (node == null ? "nothing" : node));
        }
        long value = node.asLong();
        if (value < min || value > max) {
            throw new InvalidConfigException(key + ": " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    private static int port(JsonNode tree, String key) {
        return (int) integer(tree, key, 0, 65535);
    }

    private static boolean bool(JsonNode tree, String key) {
        JsonNode node = at(tree, key);
        if (node == null || !node.isBoolean()) {
            throw new InvalidConfigException(key + ": expected true or false, got " + (node == null ? "nothing" : node));
        }
        return node.asBoolean();
    }
}
