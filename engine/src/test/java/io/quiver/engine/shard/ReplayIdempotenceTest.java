package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.HnswParams;
import io.quiver.wal.Durability;
import io.quiver.wal.WalConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applying the whole WAL a second time over the current state changes nothing (versions make replay idempotent), for
 * every kind of operation, vector updates and deletes included.
 */
class ReplayIdempotenceTest {
    @TempDir
    Path dir;

    @Test
    void replayingEveryOperationAgainChangesNothing() {
        String fixed = System.getProperty("quiver.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("ReplayIdempotenceTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        Random rnd = new Random(seed);
        ShardSettings settings = new ShardSettings(4, Distance.EUCLID, 16, 0, HnswParams.defaults(), 1, null,
                WalConfig.defaults(), true, 2, 1000, 0.2, 1000, "");
        ExecutorService indexer = Executors.newSingleThreadExecutor();
        try (Shard shard = Shard.open(0, dir, settings, indexer, new SegmentIndexBuilder(), "replay")) {
            for (int op = 0; op < 300; op++) {
                List<PointId> ids = new ArrayList<>();
                for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                    ids.add(PointId.of(rnd.nextInt(60)));
                }
                ids = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
                byte[] json = ("{\"op\":" + op + ",\"n\":{\"x\":1}}").getBytes(StandardCharsets.UTF_8);
                Operation o = switch (rnd.nextInt(8)) {
                    case 0, 1 -> {
                        List<Operation.PointData> pts = new ArrayList<>();
                        for (PointId id : ids) {
                            pts.add(new Operation.PointData(id, new float[] {rnd.nextFloat(), op, 1, 2}, json));
                        }
                        yield new Operation.Upsert(pts);
                    }
                    case 2 -> new Operation.Delete(ids);
                    case 3 -> new Operation.SetPayload(ids, "{\"s\":true}".getBytes(StandardCharsets.UTF_8), "n");
                    case 4 -> new Operation.DeletePayloadKeys(ids, List.of("op", "n.x"));
                    case 5 -> new Operation.DeleteVectors(ids);
                    case 6 -> {
                        List<Operation.PointVector> vectors = new ArrayList<>();
                        for (PointId id : ids) {
                            if (shard.retrieve(id, WithPayload.NONE, false) != null) {
                                vectors.add(new Operation.PointVector(id, new float[] {op, rnd.nextFloat(), 3, 4}));
                            }
                        }
                        yield new Operation.UpdateVectors(vectors);
                    }
                    default -> rnd.nextBoolean() ? new Operation.ClearPayload(ids)
                            : new Operation.OverwritePayload(ids, json);
                };
                shard.submit(o, null, false, rnd.nextBoolean() ? Durability.DURABLE : Durability.WRITTEN).join();
            }
            List<Record> before = shard.scroll(null, 1000, null, WithPayload.ALL, true);
            assertEquals(300, shard.replayAgain(1), "the whole WAL is still there (no checkpoint yet)");
            List<Record> after = shard.scroll(null, 1000, null, WithPayload.ALL, true);
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++) {
                assertEquals(before.get(i).id(), after.get(i).id());
                assertEquals(before.get(i).payloadOrNull(), after.get(i).payloadOrNull(),
                        "payload of " + before.get(i).id());
                assertArrayEquals(before.get(i).vectorOrNull(), after.get(i).vectorOrNull());
                assertEquals(before.get(i).vectorMissing(), after.get(i).vectorMissing());
            }
        } finally {
            indexer.shutdownNow();
        }
    }
}
