package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
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
        assertEquals(0.99f, c.quantizationOrNull().quantileOrNull());
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
        assertEquals("Validation error in JSON body: [size: value 0 invalid, must be 1 or larger]", v.getMessage());
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
}
