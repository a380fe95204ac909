package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.CollectionConfig;
import org.junit.jupiter.api.Test;

/**
 * A collection config update travels through consensus as the merge patch from the stored config to the new one:
 * applied to the stored config it gives the new one, also when the update removes a key (a vector's own
 * quantization_config dropped with "Disabled", which the new config's JSON leaves out; RFC 7386 drops explicit nulls,
 * which read back as absent). Pure values; one test thread.
 */
class ConfigMergePatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePatchTurnsTheStoredConfigIntoTheNewOne() throws Exception {
        CollectionConfig before = CollectionConfig.fromCreateRequest(JSON.readTree("""
                {"vectors":{"size":4,"distance":"Dot","hnsw_config":{"m":8},
                 "quantization_config":{"scalar":{"type":"int8"}}}}"""), null);
        CollectionConfig after = before.applyUpdate(JSON.readTree("""
                {"vectors":{"":{"quantization_config":"Disabled","hnsw_config":{"ef_construct":50}}},
                 "optimizers_config":{"indexing_threshold":0}}"""));
        ObjectNode stored = before.toJson();
        ObjectNode patch = ClusterCollectionCatalog.mergePatchTo(stored, after.toJson());
        ClusterMetadata.mergePatch(stored, patch);
        assertEquals(after, CollectionConfig.fromJson(stored));
        assertNull(CollectionConfig.fromJson(stored).vectorQuantizationOrNull());
    }
}
