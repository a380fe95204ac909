package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.hnsw.Distance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qdrant's create/update bodies: defaults, 400 versus 422, JSON round trip, persistence of updates. */
class CollectionConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aNamedVectorKeepsItsNameThroughJsonAndUpdates() throws Exception {
        CollectionConfig c = CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"image":{"size":3,"distance":"Euclid","hnsw_config":{"m":12}}}}"""),
                CollectionDefaults.defaults());
        assertEquals("image", c.vectorName());
        assertEquals(3, c.vectors().size());
        assertEquals(12, c.vectorHnsw().m());
        assertEquals(json("""
                {"image":{"size":3,"distance":"Euclid","hnsw_config":{"m":12}}}"""),
                c.toJson().get("params").get("vectors"));
        assertEquals(c, CollectionConfig.fromJson(c.toJson()), "the persisted form reads back the same config");
        CollectionConfig updated = c.applyUpdate(json("""
                {"vectors":{"image":{"on_disk":true}}}"""));
        assertEquals("image", updated.vectorName());
        assertTrue(updated.vectors().onDisk());
        c.requireVectorName("image");
        assertEquals("Wrong input: Not existing vector name error: ",
                assertThrows(BadRequestException.class, () -> c.requireVectorName("")).getMessage());
        assertThrows(BadRequestException.class, () -> c.applyUpdate(json("""
                {"vectors":{"":{"on_disk":true}}}""")));
        CollectionConfig unnamed = CollectionConfig.of(3, Distance.DOT);
        assertEquals("", unnamed.vectorName());
        unnamed.requireVectorName("");
        assertThrows(BadRequestException.class, () -> unnamed.requireVectorName("image"));
        assertTrue(CollectionConfig.fromJson(unnamed.toJson()).toJson().get("params").get("vectors").has("size"));
        assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"a":{"size":3,"distance":"Dot"},"b":{"size":3,"distance":"Dot"}}}"""), null));
        assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"a":3}}"""), null));
        assertEquals(1, CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":3,"distance":"Dot"},"sharding_method":"auto"}"""), null).shardNumber());
        assertTrue(assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":3,"distance":"Dot"},"sharding_method":"custom"}"""), null)).getMessage()
                .contains("sharding_method `custom` is not supported"));
    }

    @Test
    void createBodyWithDefaultsAndDiffs() throws Exception {
        CollectionConfig c = CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":4,"distance":"Dot"},"shard_number":2,
                 "hnsw_config":{"m":32},"optimizers_config":{"indexing_threshold":20000},
                 "quantization_config":{"scalar":{"type":"int8","quantile":0.99}}}"""),
                CollectionDefaults.defaults());
        assertEquals(4, c.vectors().size());
        assertEquals(Distance.DOT, c.vectors().distance());
        assertEquals(2, c.shardNumber());
        assertEquals(32, c.hnsw().m());
        assertEquals(100, c.hnsw().efConstruct());
        assertEquals(20000, c.optimizers().indexingThresholdKb());
        assertEquals(5, c.optimizers().flushIntervalSec());
        assertEquals(0.99f, ((CollectionConfig.QuantizationConfig.Scalar) c.quantizationOrNull()).quantileOrNull());
        assertEquals(c, CollectionConfig.fromJson(c.toJson()));
        JsonNode j = c.toJson();
        assertEquals("Dot", j.at("/params/vectors/distance").asText());
        assertEquals(20000, j.at("/optimizer_config/indexing_threshold").asInt());
        assertEquals("int8", j.at("/quantization_config/scalar/type").asText());
        // 20000 KB of 4-float vectors
        assertEquals(20000L * 1024 / 16, c.indexingThresholdVectors());
    }

    @Test
    void badTypesAre400AndBadValues422() {
        assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":4,\"distance\":\"cosine\"}}"), null));
        assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":\"four\",\"distance\":\"Cosine\"}}"), null));
        ValidationException v = assertThrows(ValidationException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":0,\"distance\":\"Cosine\"}}"), null));
        assertEquals("Validation error in JSON body: [vectors.size: value 0 invalid, must be from 1 to 65536]",
                v.getMessage());
        assertThrows(ValidationException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"hnsw_config\":{\"ef_construct\":2}}"),
                null));
    }

    @Test
    void updatesArePersisted() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("cfg", CollectionConfig.of(3, Distance.COSINE));
            c.updateConfig(json("{\"optimizers_config\":{\"indexing_threshold\":0},\"hnsw_config\":{\"m\":8},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\"}},\"params\":{\"read_fan_out_factor\":1}}"));
            c.updateConfig(json("{}"));
            assertThrows(BadRequestException.class,
                    () -> c.updateConfig(json("{\"params\":{\"read_fan_out_factor\":-1}}")));
        }
        try (Quiver q = Quiver.open(storage)) {
            CollectionConfig c = q.collection("cfg").config();
            assertEquals(0, c.optimizers().indexingThresholdKb());
            assertEquals(Long.MAX_VALUE, c.indexingThresholdVectors());
            assertEquals(8, c.hnsw().m());
            assertTrue(c.quantizationOrNull() != null);
            assertEquals(1, c.readFanOutFactorOrNull());
            assertEquals(1, c.toJson().at("/params/read_fan_out_factor").asInt());
            assertEquals(8, c.withShardNumber(2).hnsw().m());
            assertEquals(1, c.withShardNumber(2).readFanOutFactorOrNull());
            q.collection("cfg").updateConfig(json("{\"quantization_config\":\"Disabled\"}"));
            assertNull(q.collection("cfg").config().quantizationOrNull());
        }
    }

    @Test
    void requestRangesAreQdrantsAndTheEnginesWhicheverIsStricter() throws Exception {
        String vectors = "\"vectors\":{\"size\":2,\"distance\":\"Dot\"}";
        for (String[] bad : new String[][] {
                {"\"hnsw_config\":{\"m\":100000}", "m: value 100000 invalid, must be from 0 to 512"},
                {"\"hnsw_config\":{\"ef_construct\":3}", "ef_construct: value 3 invalid, must be 4 or larger"},
                {"\"hnsw_config\":{\"full_scan_threshold\":9}", "full_scan_threshold: value 9 invalid, must be 10"},
                {"\"wal_config\":{\"wal_capacity_mb\":2048}", "wal_capacity_mb: value 2048 invalid, must be from 1 to 2047"},
                {"\"wal_config\":{\"wal_capacity_mb\":0}", "wal_capacity_mb: value 0 invalid"},
                {"\"wal_config\":{\"wal_segments_ahead\":100}", "wal_segments_ahead: value 100 invalid, must be from 0 to 16"}}) {
            ValidationException v = assertThrows(ValidationException.class,
                    () -> CollectionConfig.fromCreateRequest(json("{" + vectors + "," + bad[0] + "}"), null), bad[0]);
            assertTrue(v.getMessage().contains(bad[1]), v.getMessage());
        }
        CollectionConfig c = CollectionConfig.of(2, Distance.DOT);
        ValidationException patch = assertThrows(ValidationException.class,
                () -> c.applyUpdate(json("{\"vectors\":{\"\":{\"hnsw_config\":{\"m\":513}}}}")));
        assertTrue(patch.getMessage().contains("m: value 513 invalid"), patch.getMessage());
        assertEquals(512, CollectionConfig.fromCreateRequest(json("{" + vectors + ",\"hnsw_config\":{\"m\":512}}"),
                null).hnsw().m());
    }

    @Test
    void aStoredConfigIsReadWithTheEnginesRangesOnly() throws Exception {
        JsonNode stored = CollectionConfig.of(2, Distance.DOT).toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) stored.get("hnsw_config")).put("full_scan_threshold", 1);
        assertEquals(1, CollectionConfig.fromJson(stored).hnsw().fullScanThresholdKb(),
                "as Qdrant, which only warns about its ranges when it loads a collection");
        ((com.fasterxml.jackson.databind.node.ObjectNode) stored.get("hnsw_config")).put("m", 65536);
        assertThrows(ValidationException.class, () -> CollectionConfig.fromJson(stored));
    }

    @Test
    void theEngineRefusesAConfigItCannotRunBeforeWritingAnything() throws Exception {
        CollectionConfig wide = CollectionConfig.of(2, Distance.DOT)
                .withHnsw(new CollectionConfig.HnswConfig(65536, 100, 10_000, 0, false));
        CollectionConfig bigWal = new CollectionConfig(new CollectionConfig.VectorParams(2, Distance.DOT, false), 1, 1,
                1, true, CollectionConfig.HnswConfig.defaults(), CollectionConfig.OptimizersConfig.defaults(),
                new CollectionConfig.WalParams(2048, 0), null);
        try (Quiver q = Quiver.open(storage)) {
            for (CollectionConfig bad : List.of(wide, bigWal)) {
                assertThrows(ValidationException.class, () -> q.createCollection("bad", bad));
                assertFalse(Files.exists(storage.resolve("collections").resolve("bad")), "no directory left behind");
            }
            Collection ok = q.createCollection("ok", CollectionConfig.of(2, Distance.DOT));
            assertThrows(ValidationException.class, () -> ok.updateConfig(json("{\"hnsw_config\":{\"m\":100000}}")));
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(List.of("ok"), q.collectionNames());
            assertEquals(16, q.collection("ok").config().hnsw().m(), "the refused update was not stored");
        }
    }

    @Test
    void aCollectionThatCannotBeOpenedStopsTheOpenNamingIt() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            q.createCollection("good", CollectionConfig.of(2, Distance.DOT));
        }
        Path broken = storage.resolve("collections").resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{\"format_version\":1,\"config\":");
        StorageException e = assertThrows(StorageException.class, () -> Quiver.open(storage));
        assertTrue(e.getMessage().contains("cannot open collection `broken` in "), e.getMessage());
    }

    @Test
    void vectorSizeIsBoundedAsInQdrant() throws Exception {
        ValidationException v = assertThrows(ValidationException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":70000,\"distance\":\"Cosine\"}}"), null));
        assertEquals("Validation error in JSON body: [vectors.size: value 70000 invalid, must be from 1 to 65536]",
                v.getMessage());
        assertEquals(65536, CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":65536,\"distance\":\"Cosine\"}}"), null).vectors().size());
    }

    @Test
    void aVectorsOwnHnswConfigOverridesTheCollectionsForThatVector() throws Exception {
        CollectionConfig c = CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":4,"distance":"Euclid","hnsw_config":{"m":8,"full_scan_threshold":10}},
                 "hnsw_config":{"ef_construct":64}}"""), null);
        assertEquals(16, c.hnsw().m(), "the collection's hnsw_config keeps its own m");
        assertEquals(64, c.hnsw().efConstruct());
        assertEquals(new CollectionConfig.HnswConfig(8, 64, 10, 0, false), c.vectorHnsw());
        assertEquals(8, CollectionShards.settings(c, EngineOptions.defaults()).hnsw().m(), "the index uses the vector's");
        assertEquals(640, c.fullScanThresholdVectors(), "the vector's full_scan_threshold: 10 KB of 16-byte vectors");
        JsonNode j = c.toJson();
        assertEquals("{\"m\":8,\"full_scan_threshold\":10}", j.at("/params/vectors/hnsw_config").toString());
        assertEquals(16, j.at("/hnsw_config/m").asInt());
        assertEquals(c, CollectionConfig.fromJson(j));

        CollectionConfig patched = c.applyUpdate(json("""
                {"vectors":{"":{"hnsw_config":{"ef_construct":200},"on_disk":true}}}"""));
        assertEquals("{\"m\":8,\"ef_construct\":200,\"full_scan_threshold\":10}",
                patched.toJson().at("/params/vectors/hnsw_config").toString(), "Qdrant updates the vector's diff");
        assertEquals(64, patched.hnsw().efConstruct(), "and leaves the collection's alone");
        assertEquals(200, patched.vectorHnsw().efConstruct());
        assertTrue(patched.toJson().at("/params/vectors/on_disk").asBoolean());
    }

    @Test
    void binaryQuantizationKeepsItsFieldsThroughJsonAndReachesTheShards() throws Exception {
        CollectionConfig c = CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":8,"distance":"Cosine"},
                 "quantization_config":{"binary":{"always_ram":false,"query_encoding":"scalar4bits"}}}"""), null);
        assertEquals(new CollectionConfig.QuantizationConfig.Binary(false, null, "scalar4bits"),
                c.vectorQuantizationOrNull());
        assertEquals("{\"binary\":{\"always_ram\":false,\"query_encoding\":\"scalar4bits\"}}",
                c.toJson().get("quantization_config").toString());
        assertEquals(c, CollectionConfig.fromJson(c.toJson()));
        assertEquals(new io.quiver.hnsw.BinaryQuantizationConfig(4),
                CollectionShards.settings(c, EngineOptions.defaults()).quantizationOrNull());
        CollectionConfig eightBits = c.applyUpdate(json(
                "{\"quantization_config\":{\"binary\":{\"encoding\":\"one_bit\",\"query_encoding\":\"scalar8bits\"}}}"));
        assertEquals(new io.quiver.hnsw.BinaryQuantizationConfig(8),
                CollectionShards.settings(eightBits, EngineOptions.defaults()).quantizationOrNull());
        for (String encoding : List.of("default", "binary")) {
            CollectionConfig signs = c.applyUpdate(json(
                    "{\"quantization_config\":{\"binary\":{\"query_encoding\":\"" + encoding + "\"}}}"));
            assertEquals(new io.quiver.hnsw.BinaryQuantizationConfig(1),
                    CollectionShards.settings(signs, EngineOptions.defaults()).quantizationOrNull());
        }
        assertNull(c.applyUpdate(json("{\"quantization_config\":\"Disabled\"}")).vectorQuantizationOrNull());

        CollectionConfig product = c.applyUpdate(json("{\"quantization_config\":{\"product\":{\"compression\":\"x32\"}}}"));
        assertEquals(new CollectionConfig.QuantizationConfig.Product("x32", null), product.vectorQuantizationOrNull());
        assertEquals("{\"product\":{\"compression\":\"x32\"}}",
                product.toJson().get("quantization_config").toString());
        assertEquals(product, CollectionConfig.fromJson(product.toJson()));
        assertEquals(new io.quiver.hnsw.ProductQuantizationConfig(8),
                CollectionShards.settings(product, EngineOptions.defaults()).quantizationOrNull());
    }

    @Test
    void vectorParamsQuiverCannotStoreAreRefusedNotDropped() throws Exception {
        CollectionConfig c = CollectionConfig.fromCreateRequest(json("""
                {"vectors":{"size":4,"distance":"Dot","datatype":"float32","on_disk":false,
                  "quantization_config":{"scalar":{"type":"int8","quantile":0.9}}},"sparse_vectors":{}}"""), null);
        JsonNode v = c.toJson().at("/params/vectors");
        assertEquals("float32", v.get("datatype").asText());
        assertEquals(false, v.get("on_disk").booleanValue());
        assertEquals(0.9f, v.at("/quantization_config/scalar/quantile").floatValue());
        assertNull(c.quantizationOrNull(), "the vector's own quantization, not the collection's");
        assertEquals(new CollectionConfig.QuantizationConfig.Scalar(0.9f, null), c.vectorQuantizationOrNull());
        assertEquals(new io.quiver.hnsw.ScalarQuantizationConfig(0.9f),
                CollectionShards.settings(c, EngineOptions.defaults()).quantizationOrNull());
        assertEquals(c, CollectionConfig.fromJson(c.toJson()));
        assertNull(c.applyUpdate(json("{\"vectors\":{\"\":{\"quantization_config\":\"Disabled\"}}}"))
                .vectorQuantizationOrNull());

        for (String vectors : List.of(
                "{\"size\":4,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}",
                "{\"size\":4,\"distance\":\"Dot\",\"datatype\":\"float64\"}",
                "{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":\"max_sim\"}}",
                "{\"size\":4,\"distance\":\"Dot\",\"quantization_config\":{\"product\":{\"compression\":\"x3\"}}}",
                "{\"size\":4,\"distance\":\"Dot\",\"quantization_config\":{\"product\":{\"always_ram\":true}}}",
                "{\"size\":4,\"distance\":\"Dot\",\"quantization_config\":{\"binary\":{\"encoding\":\"three_bits\"}}}")) {
            assertThrows(BadRequestException.class,
                    () -> CollectionConfig.fromCreateRequest(json("{\"vectors\":" + vectors + "}"), null), vectors);
        }
        BadRequestException sparse = assertThrows(BadRequestException.class, () -> CollectionConfig.fromCreateRequest(
                json("{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"sparse_vectors\":{\"text\":{}}}"),
                null));
        assertTrue(sparse.getMessage().startsWith("Wrong input: sparse vectors are not supported"), sparse.getMessage());
    }

    @Test
    void patchingAnUnknownVectorNameIsRefused() throws Exception {
        CollectionConfig c = CollectionConfig.of(4, Distance.COSINE);
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> c.applyUpdate(json("{\"vectors\":{\"img\":{\"on_disk\":true}}}")));
        assertEquals("Wrong input: Not existing vector name error: img", e.getMessage());
        assertThrows(BadRequestException.class, () -> c.applyUpdate(json("{\"vectors\":{\"on_disk\":true}}")));
        assertThrows(BadRequestException.class,
                () -> c.applyUpdate(json("{\"sparse_vectors\":{\"text\":{\"modifier\":\"idf\"}}}")));
        assertEquals(c, c.applyUpdate(json("{\"vectors\":{}}")));
    }
}
