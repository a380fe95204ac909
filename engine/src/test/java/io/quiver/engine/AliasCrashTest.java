package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a child JVM ({@link AliasCrashChild}) that keeps switching an alias, in several rounds, and checks after
 * each kill that the reopened storage holds exactly the aliases of the last acknowledged step or of the step in
 * flight (an acknowledged change is durable; a change is never half there). The test thread drives the child and
 * owns the storage.
 */
class AliasCrashTest {
    @TempDir
    Path storage;

    @Test
    void aliasChangesAreAtomicAndDurableAcrossSigkill() throws Exception {
        Random rnd = new Random(TestSeeds.seed("AliasCrashTest"));
        long lastAcked = 0;
        for (int round = 0; round < 3; round++) {
            long runMillis = 300 + rnd.nextInt(700);
            KilledChild.runAndKill(storage, AliasCrashChild.class, List.of(storage.toString()), runMillis, true);
            long acked = KilledChild.lastAcknowledged(storage.resolve("alias-acks.log"), 0);
            System.out.println("round " + round + ": killed after " + runMillis + " ms, last acknowledged step "
                    + acked);
            assertTrue(acked >= lastAcked, "acknowledged steps went back");
            try (Quiver q = Quiver.open(storage)) {
                Map<String, String> found = q.aliases().asMap();
                assertTrue(found.equals(AliasCrashChild.stateAfter(acked))
                                || found.equals(AliasCrashChild.stateAfter(acked + 1)),
                        "round " + round + ": after step " + acked + " the storage holds " + found);
                String alias = found.keySet().iterator().next();
                assertTrue(q.resolveCollection(alias).isPresent());
                lastAcked = acked;
            }
        }
        assertTrue(lastAcked > 10, "the child made progress: " + lastAcked);
    }
}
