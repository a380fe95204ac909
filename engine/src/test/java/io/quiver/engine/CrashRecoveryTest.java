package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes with wait=true (SIGKILL at random moments, several rounds, one with a tiny indexing
 * threshold so segments are sealed and indexed all the time, frequent checkpoints) and checks after each kill that
 * the reopened collection holds exactly the acknowledged writes (plus possibly the one in flight), with their latest
 * vectors and payloads, that deleted points stay deleted, and that search still equals brute force.
 */
class CrashRecoveryTest {
    @TempDir
    Path storage;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        long seed = TestSeeds.seed("CrashRecoveryTest");
        Random rnd = new Random(seed);
        long[] thresholdsKb = {10_000, 1, 4, 8};
        long[] flushMillis = {60_000, 150, 300, 100};
        Map<PointId, CrashWorkload.Expected> model = new TreeMap<>();
        int next = 0;
        for (int round = 0; round < thresholdsKb.length; round++) {
            int lastAck = runAndKill(seed, next, thresholdsKb[round], flushMillis[round], 700 + rnd.nextInt(2000));
            assertTrue(lastAck >= next - 1);
            Map<PointId, CrashWorkload.Expected> acked = new TreeMap<>(model);
            for (int b = next; b <= lastAck; b++) {
                CrashWorkload.apply(acked, seed, b);
            }
            Map<PointId, CrashWorkload.Expected> inFlight = new TreeMap<>(acked);
            CrashWorkload.apply(inFlight, seed, lastAck + 1);
            long t0 = System.nanoTime();
            try (Quiver q = Quiver.open(storage)) {
                System.out.printf("round %d: reopen after SIGKILL took %.0f ms%n", round,
                        (System.nanoTime() - t0) / 1e6);
                Collection c = q.collection(CrashWorkload.COLLECTION);
                Map<PointId, CrashWorkload.Expected> found = CrashWorkload.read(c);
                if (found.equals(acked)) {
                    model = acked;
                    next = lastAck + 1;
                } else if (found.equals(inFlight)) {
                    model = inFlight;
                    next = lastAck + 2;
                } else {
                    fail("round " + round + ": recovered state is neither batch " + lastAck + " nor " + (lastAck + 1)
                            + "; differences: " + diff(acked, found));
                }
                assertEquals(model.size(), c.count(null));
                checkSearch(c, model, rnd);
                System.out.println("round " + round + ": " + (next) + " batches, " + model.size() + " points, info "
                        + c.info().toJson().without("config"));
                t0 = System.nanoTime();
            }
            System.out.printf("round %d: close took %.0f ms%n", round, (System.nanoTime() - t0) / 1e6);
        }
        assertTrue(next > 20, "the child made progress: " + next + " batches");
    }

    private static void checkSearch(Collection c, Map<PointId, CrashWorkload.Expected> model, Random rnd) {
        Map<PointId, float[]> vectors = new TreeMap<>();
        model.forEach((id, e) -> vectors.put(id, e.vector()));
        for (int i = 0; i < 5; i++) {
            float[] q = new float[CrashWorkload.DIM];
            for (int d = 0; d < q.length; d++) {
                q[d] = rnd.nextFloat();
            }
            List<PointId> expected = SearchExactnessTest.bruteForce(vectors, io.quiver.hnsw.Distance.EUCLID, q, 5);
            List<PointId> got = c.search(SearchRequest.topK(q, 5).withExact(true)).stream().map(ScoredPoint::id)
                    .toList();
            assertEquals(expected, got);
        }
    }

    private static String diff(Map<PointId, CrashWorkload.Expected> want, Map<PointId, CrashWorkload.Expected> got) {
        List<String> out = new ArrayList<>();
        for (var e : want.entrySet()) {
            CrashWorkload.Expected g = got.get(e.getKey());
            if (!e.getValue().equals(g)) {
                out.add(e.getKey() + ": want batch " + e.getValue().batch() + ", got "
                        + (g == null ? "missing" : "batch " + g.batch()));
            }
        }
        for (PointId id : got.keySet()) {
            if (!want.containsKey(id)) {
                out.add(id + ": unexpected (batch " + got.get(id).batch() + ")");
            }
        }
        return out.size() > 20 ? out.subList(0, 20) + " ..." : out.toString();
    }

    /** Runs the child from batch {@code first}, kills it {@code runMillis} after it is ready; the last ACK. */
    private int runAndKill(long seed, int first, long thresholdKb, long flushMillis, long runMillis)
            throws Exception {
        KilledChild.runAndKill(storage, CrashChild.class, List.of(storage.toString(), Long.toString(seed),
                Integer.toString(first), Long.toString(thresholdKb), Long.toString(flushMillis)), runMillis, false);
        int lastAck = (int) KilledChild.lastAcknowledged(storage.resolve("acks.log"), first - 1);
        System.out.println("killed child after " + runMillis + " ms at ACK " + lastAck
                + " (threshold " + thresholdKb + " KB, flush every " + flushMillis + " ms)");
        return lastAck;
    }
}
