package io.quiver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration layers: defaults, YAML file, QUIVER__ environment variables, --set overrides. */
class QuiverConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheDocumentedEmbeddedDefault() {
        QuiverConfig config = QuiverConfig.load(null, Map.of(), Map.of());
        assertEquals("127.0.0.1", config.host());
        assertEquals(6333, config.httpPort());
        assertEquals(Path.of("./storage"), config.storagePath());
        assertEquals(Path.of("./snapshots"), config.snapshotsPath());
        assertEquals(32L * 1024 * 1024, config.maxRequestBytes());
        assertEquals("Normal", config.nodeType());
        assertNull(config.apiKey());
    }

    @Test
    void laterLayersWin() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                service:
                  http_port: 7000
                  api_key: from-file
                storage:
                  node_type: Listener
                """);
        QuiverConfig config = QuiverConfig.load(file,
                Map.of("QUIVER__SERVICE__HTTP_PORT", "16333",
                        "QUIVER__STORAGE__STORAGE_PATH", "/tmp/q",
                        "QUIVER__SERVICE__MAX_REQUEST_SIZE_MB", "1",
                        "OTHER__SERVICE__HTTP_PORT", "1"),
                Map.of("storage.snapshots_path", "/tmp/snaps"));
        assertEquals(16333, config.httpPort());
        assertEquals("from-file", config.apiKey());
        assertEquals(Path.of("/tmp/q"), config.storagePath());
        assertEquals(Path.of("/tmp/snaps"), config.snapshotsPath());
        assertEquals(1024L * 1024, config.maxRequestBytes());
        assertEquals("Listener", config.nodeType());
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyNamed() {
        InvalidConfigException port = assertThrows(InvalidConfigException.class,
                () -> QuiverConfig.load(null, Map.of("QUIVER__SERVICE__HTTP_PORT", "seventy"), Map.of()));
        assertTrue(port.getMessage().contains("service.http_port"), port.getMessage());
        InvalidConfigException type = assertThrows(InvalidConfigException.class,
                () -> QuiverConfig.load(null, Map.of("QUIVER__STORAGE__NODE_TYPE", "Witness"), Map.of()));
        assertTrue(type.getMessage().contains("storage.node_type"), type.getMessage());
    }

    @Test
    void unknownKeysAreNotedNotFatal() {
        ConfigLoader loader = ConfigLoader.withDefaults().environment(Map.of("QUIVER__SERVICE__NO_SUCH_KEY", "1"));
        assertEquals(java.util.List.of("service.no_such_key"), loader.unknownKeys());
        QuiverConfig.from(loader.tree());
    }

    private static InvalidConfigException refused(String name, String value) {
        return assertThrows(InvalidConfigException.class, () -> QuiverConfig.load(null, Map.of(name, value), Map.of()),
                name + "=" + value);
    }

    private static void assertRefusedNaming(String key, String name, String value) {
        InvalidConfigException e = refused(name, value);
        assertTrue(e.getMessage().startsWith(key + ":"), name + "=" + value + ": " + e.getMessage());
    }

    @Test
    void environmentAndSetValuesOfTextKeysAreKeptExactly() {
        for (String key : List.of("!Sup3rSecret", "&abc", "*ref", "|", ">", "pass word #1", "007", "yes", "null", "~",
                "[a, b]", "{x: 1}", " spaced ")) {
            assertEquals(key, QuiverConfig.load(null, Map.of("QUIVER__SERVICE__API_KEY", key), Map.of()).apiKey());
            assertEquals(key, QuiverConfig.load(null, Map.of(), Map.of("service.read_only_api_key", key))
                    .readOnlyApiKey());
        }
        assertEquals("./my #storage", QuiverConfig.load(null, Map.of("QUIVER__STORAGE__STORAGE_PATH", "./my #storage"),
                Map.of()).storagePath().toString());
    }

    @Test
    void environmentValuesOfTypedKeysAreConvertedByTheKeysType() {
        QuiverConfig config = QuiverConfig.load(null, Map.of(
                "QUIVER__SERVICE__HTTP_PORT", "007",
                "QUIVER__SERVICE__ENABLE_CORS", "Off",
                "QUIVER__STORAGE__OPTIMIZERS__DELETED_THRESHOLD", "0.5",
                "QUIVER__STORAGE__OPTIMIZERS__MAX_SEGMENT_SIZE_KB", "null",
                "QUIVER__STORAGE__HNSW_INDEX__ON_DISK", "1"), Map.of("cluster.enabled", "no"));
        assertEquals(7, config.httpPort());
        assertFalse(config.enableCors());
        assertFalse(config.clusterEnabled());
        assertEquals(0.5, config.collectionDefaults().optimizers().deletedThreshold());
        assertNull(config.collectionDefaults().optimizers().maxSegmentSizeKbOrNull());
        assertTrue(config.collectionDefaults().hnsw().onDisk());
        for (String yes : List.of("true", "TRUE", "yes", "On", "1")) {
            assertTrue(QuiverConfig.load(null, Map.of("QUIVER__SERVICE__ENABLE_CORS", yes), Map.of()).enableCors(), yes);
        }
        assertRefusedNaming("service.enable_cors", "QUIVER__SERVICE__ENABLE_CORS", "maybe");
        assertRefusedNaming("service.enable_cors", "QUIVER__SERVICE__ENABLE_CORS", "2");
        assertRefusedNaming("storage.optimizers.deleted_threshold", "QUIVER__STORAGE__OPTIMIZERS__DELETED_THRESHOLD",
                "NaN");
        assertRefusedNaming("service.http_port", "QUIVER__SERVICE__HTTP_PORT", "null");
    }

    @Test
    void anApiKeyThatIsEmptyOrNotTextRefusesTheStart() throws Exception {
        assertRefusedNaming("service.api_key", "QUIVER__SERVICE__API_KEY", "");
        assertRefusedNaming("service.read_only_api_key", "QUIVER__SERVICE__READ_ONLY_API_KEY", "");
        for (String line : List.of("api_key: &abc", "api_key: !Sup3rSecret", "api_key:", "api_key: 12345",
                "read_only_api_key: ''", "api_key: [a]")) {
            Path file = dir.resolve("keys.yaml");
            Files.writeString(file, "service:\n  " + line + "\n");
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> QuiverConfig.load(file, Map.of(), Map.of()), line);
            assertTrue(e.getMessage().startsWith("service."), line + ": " + e.getMessage());
        }
        Path quoted = dir.resolve("quoted.yaml");
        Files.writeString(quoted, "service:\n  api_key: '&abc'\n");
        assertEquals("&abc", QuiverConfig.load(quoted, Map.of(), Map.of()).apiKey());
    }

    @Test
    void defaultsTheEngineWouldRefuseStopTheStartNamingTheKey() {
        assertRefusedNaming("storage.hnsw_index.m", "QUIVER__STORAGE__HNSW_INDEX__M", "65536");
        assertRefusedNaming("storage.hnsw_index.ef_construct", "QUIVER__STORAGE__HNSW_INDEX__EF_CONSTRUCT", "3");
        assertRefusedNaming("storage.hnsw_index.full_scan_threshold_kb",
                "QUIVER__STORAGE__HNSW_INDEX__FULL_SCAN_THRESHOLD_KB", "9");
        assertRefusedNaming("storage.wal.wal_capacity_mb", "QUIVER__STORAGE__WAL__WAL_CAPACITY_MB", "2048");
        assertRefusedNaming("storage.wal.wal_capacity_mb", "QUIVER__STORAGE__WAL__WAL_CAPACITY_MB", "0");
        assertRefusedNaming("storage.wal.wal_segments_ahead", "QUIVER__STORAGE__WAL__WAL_SEGMENTS_AHEAD", "100");
        assertEquals(512, QuiverConfig.load(null, Map.of("QUIVER__STORAGE__HNSW_INDEX__M", "512"), Map.of())
                .collectionDefaults().hnsw().m());
        assertEquals(2047, QuiverConfig.load(null, Map.of("QUIVER__STORAGE__WAL__WAL_CAPACITY_MB", "2047"), Map.of())
                .collectionDefaults().wal().walCapacityMb());
    }

    @Test
    void keysQuiverWouldIgnoreOrCannotHonourStopTheStart() {
        InvalidConfigException tls = refused("QUIVER__SERVICE__ENABLE_TLS", "true");
        assertTrue(tls.getMessage().startsWith("service.enable_tls: TLS is not supported"), tls.getMessage());
        assertRefusedNaming("cluster.p2p.enable_tls", "QUIVER__CLUSTER__P2P__ENABLE_TLS", "true");
        assertRefusedNaming("cluster.p2p.enable_tls", "QUIVER__CLUSTER__P2P__ENABLE_TLS", "sometimes");
        assertRefusedNaming("log_level", "QUIVER__LOG_LEVEL", "LOUD");
        assertRefusedNaming("storage.performance.max_search_threads",
                "QUIVER__STORAGE__PERFORMANCE__MAX_SEARCH_THREADS", "-1");
        assertRefusedNaming("storage.performance.optimizer_cpu_budget",
                "QUIVER__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET", "lots");
        assertRefusedNaming("service.grpc_port", "QUIVER__SERVICE__GRPC_PORT", "70000");
        assertRefusedNaming("service.max_workers", "QUIVER__SERVICE__MAX_WORKERS", "-2");
        assertRefusedNaming("cluster.consensus.tick_period_ms", "QUIVER__CLUSTER__CONSENSUS__TICK_PERIOD_MS", "0");
        assertRefusedNaming("storage.temp_path", "QUIVER__STORAGE__TEMP_PATH", " ");
        assertRefusedNaming("storage.update_concurrency", "QUIVER__STORAGE__UPDATE_CONCURRENCY", "0");
        assertRefusedNaming("storage.hnsw_index.payload_m", "QUIVER__STORAGE__HNSW_INDEX__PAYLOAD_M", "65536");
        assertRefusedNaming("service.metrics_prefix", "QUIVER__SERVICE__METRICS_PREFIX", "my-app_");
        assertRefusedNaming("service.metrics_prefix", "QUIVER__SERVICE__METRICS_PREFIX", "1app_");
        assertRefusedNaming("storage.collection.quantization", "QUIVER__STORAGE__COLLECTION__QUANTIZATION",
                "scalar");
        assertEquals("my_app:", QuiverConfig.load(null, Map.of("QUIVER__SERVICE__METRICS_PREFIX", "my_app:"),
                Map.of()).metricsPrefix());
        assertEquals("warn", QuiverConfig.load(null, Map.of("QUIVER__LOG_LEVEL", "Warn"), Map.of()).logLevel());
        assertEquals("info", QuiverConfig.load(null, Map.of(), Map.of()).logLevel());
    }

    @Test
    void collectionQuantizationAndVectorsOnDiskAreDefaultsForNewCollections() throws Exception {
        Path file = dir.resolve("defaults.yaml");
        Files.writeString(file, """
                storage:
                  collection:
                    vectors:
                      on_disk: true
                    quantization:
                      scalar:
                        type: int8
                        quantile: 0.95
                """);
        QuiverConfig config = QuiverConfig.load(file, Map.of("QUIVER__STORAGE__COLLECTION__QUANTIZATION__SCALAR__ALWAYS_RAM",
                "true"), Map.of());
        var created = io.quiver.engine.CollectionConfig.fromCreateRequest(RestClient.JSON.readTree(
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}"), config.collectionDefaults());
        assertEquals(new io.quiver.engine.CollectionConfig.QuantizationConfig.Scalar(0.95f, true),
                created.quantizationOrNull());
        assertEquals(Boolean.TRUE, created.vectors().onDiskOrNull());
        var explicit = io.quiver.engine.CollectionConfig.fromCreateRequest(RestClient.JSON.readTree(
                "{\"vectors\":{\"size\":2,\"distance\":\"Dot\",\"on_disk\":false},\"quantization_config\":null}"),
                config.collectionDefaults());
        assertEquals(Boolean.FALSE, explicit.vectors().onDiskOrNull(), "the request's own on_disk wins");
        assertNull(explicit.quantizationOrNull());
        InvalidConfigException quantile = assertThrows(InvalidConfigException.class, () -> QuiverConfig.load(null,
                Map.of("QUIVER__STORAGE__COLLECTION__QUANTIZATION__SCALAR__TYPE", "int8",
                        "QUIVER__STORAGE__COLLECTION__QUANTIZATION__SCALAR__QUANTILE", "0.2"), Map.of()));
        assertTrue(quantile.getMessage().startsWith("storage.collection.quantization.scalar.quantile:"),
                quantile.getMessage());
        assertRefusedNaming("storage.collection.vectors.on_disk", "QUIVER__STORAGE__COLLECTION__VECTORS__ON_DISK",
                "sometimes");
    }

    @Test
    void binaryAndProductQuantizationCanBeTheDefaultToo() throws Exception {
        var binary = QuiverConfig.load(null, Map.of(
                "QUIVER__STORAGE__COLLECTION__QUANTIZATION__BINARY__ENCODING", "two_bits",
                "QUIVER__STORAGE__COLLECTION__QUANTIZATION__BINARY__QUERY_ENCODING", "scalar4bits"), Map.of());
        assertEquals(new io.quiver.engine.CollectionConfig.QuantizationConfig.Binary(null, "two_bits", "scalar4bits"),
                binary.collectionDefaults().quantizationOrNull());
        var product = QuiverConfig.load(null, Map.of(
                "QUIVER__STORAGE__COLLECTION__QUANTIZATION__PRODUCT__COMPRESSION", "x32",
                "QUIVER__STORAGE__COLLECTION__QUANTIZATION__PRODUCT__ALWAYS_RAM", "false"), Map.of());
        assertEquals(new io.quiver.engine.CollectionConfig.QuantizationConfig.Product("x32", false),
                product.collectionDefaults().quantizationOrNull());
        for (Map<String, String> bad : List.of(
                Map.of("QUIVER__STORAGE__COLLECTION__QUANTIZATION__PRODUCT__COMPRESSION", "x5"),
                Map.of("QUIVER__STORAGE__COLLECTION__QUANTIZATION__BINARY__ENCODING", "three_bits"),
                Map.of("QUIVER__STORAGE__COLLECTION__QUANTIZATION__BINARY__QUERY_ENCODING", "scalar2bits"))) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> QuiverConfig.load(null, bad, Map.of()));
            assertTrue(e.getMessage().startsWith("storage.collection.quantization."), e.getMessage());
        }
    }

    @Test
    void aMissingConfigFileIsSaidToBeMissing() {
        Path missing = dir.resolve("nope.yaml");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> QuiverConfig.load(missing, Map.of(), Map.of()));
        assertEquals("config file " + missing + ": not found", e.getMessage());
    }
}
