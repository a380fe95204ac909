package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.PointId;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswParams;
import io.quiver.wal.Durability;
import io.quiver.wal.WalConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payload operations whose key paths do not parse can sit in a WAL written before keys were checked; applying them,
 * live or on replay, changes nothing and does not fail the shard, while the valid keys of the same record still apply.
 */
class LoggedPayloadKeysTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unparsableLoggedKeysChangeNothingLiveOrOnReplay() {
        ShardSettings settings = new ShardSettings(2, Distance.EUCLID, 16, 0, HnswParams.defaults(), 1, null,
                WalConfig.defaults(), true, 2, 1000, 0.2, 1000, "");
        ExecutorService indexer = Executors.newSingleThreadExecutor();
        PointId id = PointId.of(7);
        List<PointId> ids = List.of(id);
        ObjectNode expected = PayloadJson.parse(bytes("{\"a\":{\"b\":1},\"keep\":true}"));
        try {
            try (Shard shard = Shard.open(0, dir, settings, indexer, new SegmentIndexBuilder(), "keys")) {
                shard.submit(new Operation.Upsert(List.of(new Operation.PointData(id, new float[] {1, 2},
                        bytes("{\"a\":{\"b\":1},\"keep\":true,\"gone\":1}")))), null, false, Durability.DURABLE).join();
                for (String bad : new String[] {"", "a..b", "a[", ".a"}) {
                    shard.submit(new Operation.SetPayload(ids, bytes("{\"x\":1}"), bad), null, false,
                            Durability.DURABLE).join();
                }
                shard.submit(new Operation.DeletePayloadKeys(ids, List.of("", "a..b", "gone")), null, false,
                        Durability.DURABLE).join();
                assertEquals(expected, shard.retrieve(id, WithPayload.ALL, false).payloadOrNull());
                assertEquals(6, shard.replayAgain(1));
                assertEquals(expected, shard.retrieve(id, WithPayload.ALL, false).payloadOrNull());
            }
            try (Shard shard = Shard.open(0, dir, settings, indexer, new SegmentIndexBuilder(), "keys")) {
                assertEquals(expected, shard.retrieve(id, WithPayload.ALL, false).payloadOrNull(), "after reopen");
            }
        } finally {
            indexer.shutdownNow();
        }
    }
}
