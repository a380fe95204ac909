package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link VisitedSet} against a {@link HashSet} over rounds of adds and clears, small (slot-wise clear) and large. */
class VisitedSetTest {

    @Test
    void behavesAsASetAcrossClearsAndGrowth() {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        VisitedSet visited = new VisitedSet(64);
        for (int round = 0; round < 200; round++) {
            Set<Integer> expected = new HashSet<>();
            int adds = random.nextInt(round % 10 == 0 ? 5000 : 40);
            for (int i = 0; i < adds; i++) {
                int node = random.nextInt(round % 3 == 0 ? 100 : 1_000_000);
                assertEquals(expected.add(node), visited.add(node), "add " + node + ", seed " + seed);
            }
            for (int i = 0; i < 200; i++) {
                int node = random.nextInt(1_000_000);
                assertEquals(expected.contains(node), visited.contains(node), "seed " + seed);
            }
            for (int node : expected) {
                assertEquals(true, visited.contains(node), "seed " + seed);
            }
            visited.clear();
            for (int node : expected) {
                assertEquals(false, visited.contains(node), "cleared " + node + ", seed " + seed);
            }
        }
    }
}
