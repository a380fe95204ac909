package io.quiver.engine.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vector file's mappings are given back: growing the mapping unmaps the smaller one, closing unmaps the file
 * ({@code /proc/self/maps} tells; chronicle-bytes unmaps on a background thread, so the checks poll for a while).
 */
class MappedVectorStoreTest {
    @TempDir
    Path dir;

    @Test
    void growingAndClosingGiveTheMappingsBack() throws Exception {
        Path file = dir.resolve("vectors.bin");
        MappedVectorStore store = MappedVectorStore.create(file, 4, UUID.randomUUID(), 16);
        for (int i = 0; i < 5000; i++) { // 16 → 5000 vectors: about nine remaps
            store.append(i, new float[] {i, 1, 2, 3});
        }
        assertArrayEquals(new float[] {4999, 1, 2, 3}, store.copyOf(4999));
        assertEquals(1, ProcessMappings.await(file, 1), "only the current mapping is left after the file grew");
        store.close();
        assertEquals(0, ProcessMappings.await(file, 0), "closed, the file is no longer mapped");
        assertTrue(Files.size(file) >= MappedVectorStore.usedBytes(4, 5000));
    }
}
