package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.PointId;
import io.quiver.engine.StorageException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.segment.ProcessMappings;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswParams;
import io.quiver.wal.Durability;
import io.quiver.wal.WalConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed shard gives its segments' mappings back and refuses reads (its segments are unmapped, reading them would
 * crash the process); a shard whose last checkpointed segment is damaged fails to open and gives back the segments it
 * had already mapped. Mappings are read from {@code /proc/self/maps}.
 */
class ShardOpenFailureTest {
    @TempDir
    Path dir;

    private static final ShardSettings SETTINGS = new ShardSettings(4, Distance.EUCLID, 16, 0, HnswParams.defaults(),
            1, null, WalConfig.defaults(), true, 0, 1000, 0.2, 1000, "");

    @Test
    void closedAndFailedShardsUnmapTheirSegmentsAndRefuseReads() throws Exception {
        ExecutorService indexer = Executors.newSingleThreadExecutor();
        try {
            Shard shard = Shard.open(0, dir, SETTINGS, indexer, new SegmentIndexBuilder(), "open-failure");
            List<Operation.PointData> points = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                points.add(new Operation.PointData(PointId.of(i), new float[] {i, 1, 2, 3}, null));
            }
            shard.submit(new Operation.Upsert(points), null, false, Durability.DURABLE).join();
            shard.flush();
            assertEquals(50, shard.count(null));
            shard.close();
            assertThrows(StorageException.class, () -> shard.search(new float[] {1, 1, 2, 3}, 5, null, null, false,
                    WithPayload.NONE, true));
            assertThrows(StorageException.class, () -> shard.retrieve(PointId.of(3), WithPayload.NONE, true));
            assertThrows(StorageException.class, () -> shard.scroll(null, 10, null, WithPayload.NONE, true));

            List<UUID> listed = ShardStateFile.read(dir).segments();
            assertTrue(listed.size() >= 2, "sealed segments and the appendable one: " + listed);
            Path firstVectors = dir.resolve("segments").resolve(listed.getFirst().toString()).resolve("vectors.bin");
            assertEquals(0, ProcessMappings.await(firstVectors, 0), "a closed shard's segment is still mapped");

            Path last = dir.resolve("segments").resolve(listed.getLast().toString());
            try (var files = Files.list(last)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    damage(f);
                }
            }
            assertThrows(StorageException.class,
                    () -> Shard.open(0, dir, SETTINGS, indexer, new SegmentIndexBuilder(), "open-failure"));
            assertEquals(0, ProcessMappings.await(firstVectors, 0), "a segment opened before the damaged one is still mapped");
        } finally {
            indexer.shutdownNow();
        }
    }

    /** Overwrites the first 64 bytes of {@code file} (its header) with 0x5A. */
    private static void damage(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer junk = ByteBuffer.allocate((int) Math.min(64, Math.max(1, ch.size())));
            while (junk.hasRemaining()) {
                junk.put((byte) 0x5A);
            }
            ch.write(junk.flip(), 0);
        }
    }
}
