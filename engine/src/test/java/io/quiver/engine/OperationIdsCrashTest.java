package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a child JVM ({@link OperationIdsChild}) that runs acknowledged (wait=false) operations on a 3-shard
 * collection with checkpoints every 30 ms, in several rounds, and checks after each kill that the reopened collection
 * gives the next operation an id above every id acknowledged before the kill, and that this id is the written point's
 * version. The test thread drives the child and owns the storage; a daemon thread only reads the child's stdout.
 */
class OperationIdsCrashTest {
    @TempDir
    Path storage;

    @Test
    void operationIdsNeverGoBackAfterSigkill() throws Exception {
        long seed = TestSeeds.seed("OperationIdsCrashTest");
        Random rnd = new Random(seed);
        long lastAcked = 0;
        for (int round = 0; round < 3; round++) {
            long acked = runAndKill(rnd.nextLong(), 600 + rnd.nextInt(900));
            assertTrue(acked >= lastAcked, "round " + round + ": acknowledged ids went back: " + acked + " after "
                    + lastAcked);
            try (Quiver q = Quiver.open(storage)) {
                Collection c = q.collection(OperationIdsChild.COLLECTION);
                long id = c.upsert(List.of(new Point(PointId.of(777), new float[] {-5, 0, 0, 0}, null)), true)
                        .operationId();
                assertTrue(id > acked, "round " + round + ": operation id " + id + " after reopening, but " + acked
                        + " was acknowledged before the kill");
                ScoredPoint hit = c.search(SearchRequest.topK(new float[] {-5, 0, 0, 0}, 1).withExact(true)).get(0);
                assertEquals(PointId.of(777), hit.id());
                assertEquals(id, hit.version());
                lastAcked = id;
            }
        }
        assertTrue(lastAcked > 30, "the child made progress: " + lastAcked);
    }

    /** Runs the child for {@code runMillis} after it is ready, kills it; the highest id it acknowledged. */
    private long runAndKill(long seed, long runMillis) throws Exception {
        KilledChild.runAndKill(storage, OperationIdsChild.class, List.of(storage.toString(), Long.toString(seed)),
                runMillis, true);
        long max = KilledChild.lastAcknowledged(storage.resolve("op-acks.log"), 0);
        System.out.println("killed the child after " + runMillis + " ms; highest acknowledged operation id " + max);
        return max;
    }
}
