package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collection configs over a real socket: a vector's own hnsw_config and quantization_config are kept and shown in
 * {@code params.vectors} (not merged into the collection's), VectorParams Quiver cannot store are refused with 400
 * rather than dropped, PATCH of an unknown vector name is 400, {@code vectors.size} is bounded to 65536 (422), and
 * GET /collections/{c} keeps the shape of the spec (§3.3), and a value out of range is named by its path in the body
 * (Qdrant's {@code hnsw_config.ef_construct}). Owns one server on 127.0.0.1 per test; one test thread.
 */
class CollectionConfigRestTest extends RestServerTest {
    @Test
    void aVectorsOwnHnswConfigIsShownInParamsVectors() throws Exception {
        assertTrue(rest.ok("PUT", "/collections/v", """
                {"vectors":{"size":4,"distance":"Euclid","hnsw_config":{"m":8},"datatype":"float32","on_disk":false,
                 "quantization_config":{"scalar":{"type":"int8","quantile":0.95}}}}""").asBoolean());
        JsonNode config = rest.ok("GET", "/collections/v", null).get("config");
        JsonNode vectors = config.at("/params/vectors");
        assertEquals(8, vectors.at("/hnsw_config/m").asInt(), vectors.toString());
        assertEquals(1, vectors.get("hnsw_config").size(), "the diff as given: " + vectors);
        assertEquals(16, config.at("/hnsw_config/m").asInt(), "the collection's m is untouched: " + config);
        assertEquals("float32", vectors.get("datatype").asText());
        assertFalse(vectors.get("on_disk").asBoolean(true));
        assertEquals("int8", vectors.at("/quantization_config/scalar/type").asText());
        assertTrue(config.get("quantization_config").isNull(), "the collection has no quantization of its own");

        assertTrue(rest.ok("PATCH", "/collections/v",
                "{\"vectors\":{\"\":{\"hnsw_config\":{\"ef_construct\":64},\"on_disk\":true}}}").asBoolean());
        vectors = rest.ok("GET", "/collections/v", null).at("/config/params/vectors");
        assertEquals(8, vectors.at("/hnsw_config/m").asInt(), vectors.toString());
        assertEquals(64, vectors.at("/hnsw_config/ef_construct").asInt(), vectors.toString());
        assertTrue(vectors.get("on_disk").asBoolean());

        // the vector's params survive a restart
        restartServer();
        assertEquals(vectors, rest.ok("GET", "/collections/v", null).at("/config/params/vectors"));
    }

    @Test
    void unsupportedVectorParamsAreRefusedNotDropped() {
        for (String vectors : List.of(
                "{\"size\":4,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}",
                "{\"size\":4,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":\"max_sim\"}}",
                "{\"size\":4,\"distance\":\"Dot\",\"quantization_config\":{\"product\":{\"compression\":\"x2\"}}}")) {
            rest.error(400, "PUT", "/collections/u", "{\"vectors\":" + vectors + "}");
        }
        String sparse = rest.error(400, "PUT", "/collections/u",
                "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"sparse_vectors\":{\"text\":{}}}");
        assertTrue(sparse.contains("sparse vectors are not supported"), sparse);
        assertFalse(rest.ok("GET", "/collections/u/exists", null).get("exists").asBoolean());
    }

    @Test
    void vectorDatatypesHoldTheValuesTheyName() {
        rest.ok("PUT", "/collections/u8", "{\"vectors\":{\"size\":3,\"distance\":\"Manhattan\",\"datatype\":\"uint8\"}}");
        assertEquals("uint8", rest.ok("GET", "/collections/u8", null).at("/config/params/vectors/datatype").asText());
        rest.ok("PUT", "/collections/u8/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[-3,7.9,400]}]}");
        assertEquals("[0.0,7.0,255.0]", rest.ok("GET", "/collections/u8/points/1", null).get("vector").toString());
        JsonNode hit = rest.ok("POST", "/collections/u8/points/query", "{\"query\":[1.5,7,255],\"limit\":1}")
                .get("points").get(0);
        assertEquals(1.0, hit.get("score").asDouble(), "|0-1| + |7-7| + |255-255|: the query is cast as well");
        rest.ok("PUT", "/collections/f16", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\",\"datatype\":\"float16\"}}");
        rest.ok("PUT", "/collections/f16/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[0.1,3]}]}");
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(0.1f)),
                rest.ok("GET", "/collections/f16/points/1", null).get("vector").get(0).floatValue());
        assertTrue(rest.error(400, "PUT", "/collections/f16/points", "{\"points\":[{\"id\":2,\"vector\":[1e5,0]}]}")
                .contains("float16 range"));
        assertTrue(rest.error(400, "PUT", "/collections/u8c",
                "{\"vectors\":{\"size\":3,\"distance\":\"Cosine\",\"datatype\":\"uint8\"}}").contains("uint8"));
    }

    @Test
    void patchOfAnUnknownVectorNameIs400() {
        rest.ok("PUT", "/collections/p", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        String error = rest.error(400, "PATCH", "/collections/p", "{\"vectors\":{\"img\":{\"on_disk\":true}}}");
        assertEquals("Wrong input: Not existing vector name error: img", error);
        assertFalse(rest.ok("GET", "/collections/p", null).at("/config/params/vectors").has("on_disk"));
    }

    @Test
    void vectorSizeIsAtMost65536() {
        String error = rest.error(422, "PUT", "/collections/s", "{\"vectors\":{\"size\":70000,\"distance\":\"Dot\"}}");
        assertTrue(error.contains("size: value 70000 invalid, must be from 1 to 65536"), error);
        assertFalse(rest.ok("GET", "/collections/s/exists", null).get("exists").asBoolean());
        rest.ok("PUT", "/collections/s", "{\"vectors\":{\"size\":65536,\"distance\":\"Dot\"}}");
        assertEquals(65536, rest.ok("GET", "/collections/s", null).at("/config/params/vectors/size").asInt());
    }

    @Test
    void collectionInfoHasTheShapeOfTheSpec() {
        rest.ok("PUT", "/collections/i", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\",\"hnsw_config\":{\"m\":4}}}");
        JsonNode info = rest.ok("GET", "/collections/i", null);
        for (String key : List.of("status", "optimizer_status", "segments_count", "config", "payload_schema",
                "points_count", "indexed_vectors_count")) {
            assertTrue(info.has(key), key + " in " + info);
        }
        JsonNode config = info.get("config");
        for (String path : List.of("/params/vectors/size", "/params/vectors/distance", "/params/shard_number",
                "/params/replication_factor", "/params/write_consistency_factor", "/params/on_disk_payload",
                "/hnsw_config/m", "/hnsw_config/ef_construct", "/hnsw_config/full_scan_threshold",
                "/optimizer_config/default_segment_number", "/optimizer_config/flush_interval_sec",
                "/wal_config/wal_capacity_mb", "/quantization_config")) {
            assertFalse(config.at(path).isMissingNode(), path + " in " + config);
        }
        for (String key : List.of("size", "distance", "hnsw_config")) {
            assertTrue(config.at("/params/vectors").has(key), key + " in " + config);
        }
        assertEquals(3, config.at("/params/vectors").size(), "nothing else in params.vectors: " + config);
    }

    @Test
    void configsTheEngineCannotRunAre422AndLeaveTheStorageStartable() throws Exception {
        String vectors = "\"vectors\":{\"size\":2,\"distance\":\"Dot\"}";
        for (String bad : List.of("\"hnsw_config\":{\"m\":100000}", "\"wal_config\":{\"wal_capacity_mb\":2048}",
                "\"wal_config\":{\"wal_segments_ahead\":100}", "\"hnsw_config\":{\"full_scan_threshold\":5}",
                "\"optimizers_config\":{\"deleted_threshold\":2}")) {
            String error = rest.error(422, "PUT", "/collections/x", "{" + vectors + "," + bad + "}");
            assertTrue(error.startsWith("Validation error in JSON body: ["), error);
            assertFalse(Files.exists(dir.resolve("storage").resolve("collections").resolve("x")), bad);
        }
        rest.ok("PUT", "/collections/x", "{" + vectors + "}");
        String patch = rest.error(422, "PATCH", "/collections/x", "{\"hnsw_config\":{\"m\":100000}}");
        assertTrue(patch.contains("m: value 100000 invalid, must be from 0 to 512"), patch);
        restartServer();
        assertEquals(16, rest.ok("GET", "/collections/x", null).at("/config/hnsw_config/m").asInt());
    }

    @Test
    void aValidationErrorNamesTheFieldByItsPathInTheBody() {
        String vectors = "\"vectors\":{\"size\":2,\"distance\":\"Dot\"}";
        String[][] creates = {
                {"\"vectors\":{\"size\":65537,\"distance\":\"Dot\"}",
                        "vectors.size: value 65537 invalid, must be from 1 to 65536"},
                {vectors + ",\"hnsw_config\":{\"ef_construct\":0}",
                        "hnsw_config.ef_construct: value 0 invalid, must be 4 or larger"},
                {vectors + ",\"optimizers_config\":{\"vacuum_min_vector_number\":1}",
                        "optimizers_config.vacuum_min_vector_number: value 1 invalid, must be 100 or larger"},
                {vectors + ",\"wal_config\":{\"wal_capacity_mb\":0}", "wal_config.wal_capacity_mb: value 0 invalid"},
                {vectors + ",\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.1}}",
                        "quantization_config.scalar.quantile: value 0.1 invalid, must be from 0.5 to 1"},
                {"\"vectors\":{\"size\":2,\"distance\":\"Dot\",\"hnsw_config\":{\"ef_construct\":1}}",
                        "vectors.hnsw_config.ef_construct: value 1 invalid, must be 4 or larger"},
                {vectors + ",\"shard_number\":0", "shard_number: value 0 invalid, must be 1 or larger"},
        };
        for (String[] bad : creates) {
            String error = rest.error(422, "PUT", "/collections/x", "{" + bad[0] + "}");
            assertTrue(error.startsWith("Validation error in JSON body: [" + bad[1]), bad[0] + " -> " + error);
        }
        rest.ok("PUT", "/collections/x", "{" + vectors + "}");
        String[][] patches = {
                {"\"optimizers_config\":{\"deleted_threshold\":2}",
                        "optimizers_config.deleted_threshold: value 2.0 invalid, must be from 0 to 1"},
                {"\"hnsw_config\":{\"ef_construct\":3}", "hnsw_config.ef_construct: value 3 invalid, must be 4 or larger"},
                {"\"params\":{\"replication_factor\":0}",
                        "params.replication_factor: value 0 invalid, must be 1 or larger"},
        };
        for (String[] bad : patches) {
            assertEquals("Validation error in JSON body: [" + bad[1] + "]",
                    rest.error(422, "PATCH", "/collections/x", "{" + bad[0] + "}"), bad[0]);
        }
    }

    @Test
    void aBodyOfTheWrongShapeIsAFormatErrorWithoutWrongInputBeforeIt() {
        rest.ok("PUT", "/collections/f", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        for (String[] bad : new String[][] {
                {"PATCH", "/collections/f", "{\"hnsw_config\":{\"m\":\"x\"}}"},
                {"PATCH", "/collections/f", "{\"quantization_config\":{\"product\":{\"compression\":\"x3\"}}}"},
                {"PUT", "/collections/g", "{\"vectors\":{\"distance\":\"Dot\"}}"},
                {"PUT", "/collections/g", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\",\"datatype\":\"int4\"}}"}}) {
            String error = rest.error(400, bad[0], bad[1], bad[2]);
            assertTrue(error.startsWith("Format error in JSON body: "), bad[2] + " -> " + error);
        }
    }
}
