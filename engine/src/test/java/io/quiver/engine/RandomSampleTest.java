package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link RandomSample} over in-memory points: distinct points that pass the filter, as many as the limit allows, each
 * point equally likely to be picked and to come first (frequencies over many seeded draws), and the sample of a set
 * of ids.
 */
class RandomSampleTest {
    private static List<Long> ids(List<Record> records) {
        List<Long> out = new ArrayList<>();
        records.forEach(r -> out.add(Long.parseLong(r.id().toString())));
        return out;
    }

    @Test
    void aSampleHoldsDistinctMatchingPointsUpToTheLimitEachEquallyLikelyInEveryPlace() {
        long seed = TestSeeds.seed("RandomSampleTest");
        Random random = new Random(seed);
        MemoryPointReads reads = new MemoryPointReads();
        for (long id = 0; id < 30; id++) {
            reads.put(id, "{\"keep\":" + (id % 3 == 0) + "}", id == 0 ? null : new float[] {id});
        }
        Filter keep = FilterParser.parse(TestJson.object("{\"must\":[{\"key\":\"keep\",\"match\":{\"value\":true}}]}"));
        int trials = 20_000;
        int[] picked = new int[30];
        int[] first = new int[30];
        for (int t = 0; t < trials; t++) {
            List<Long> sample = ids(RandomSample.sample(reads, keep, 3, WithPayload.NONE, false, random));
            assertEquals(3, sample.size(), "seed " + seed);
            assertEquals(3, new HashSet<>(sample).size(), "distinct, seed " + seed);
            sample.forEach(id -> {
                assertEquals(0, id % 3, "passes the filter, seed " + seed);
                picked[id.intValue()]++;
            });
            first[sample.get(0).intValue()]++;
        }
        // 10 candidates, 3 picked: each is in a sample with p = 0.3 and first with p = 0.1; the bounds are more than
        // eight standard deviations wide (sd 0.0032 and 0.0021 over 20000 draws), so a fair sampler never fails them
        for (int id = 0; id < 30; id += 3) {
            assertEquals(0.3, picked[id] / (double) trials, 0.03, "inclusion of " + id + ", seed " + seed);
            assertEquals(0.1, first[id] / (double) trials, 0.02, "first place of " + id + ", seed " + seed);
        }
        // fewer candidates than the limit: all of them (point 0, without a vector, too)
        List<Record> all = RandomSample.sample(reads, keep, 50, WithPayload.ALL, true, random);
        assertEquals(Set.of(0L, 3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L), new HashSet<>(ids(all)));
        all.forEach(r -> assertEquals(r.id().toString().equals("0"), r.vectorMissing(), r.toString()));
        assertTrue(all.stream().allMatch(r -> r.payloadOrNull() != null && r.payloadOrNull().has("keep")));
        assertEquals(List.of(), RandomSample.sample(reads, keep, 0, WithPayload.NONE, false, random));
    }

    @Test
    void aSampleOfGivenIdsTakesEachOnceAndDropsThoseThatDoNotExist() {
        Random random = new Random(TestSeeds.seed("RandomSampleTest.among"));
        MemoryPointReads reads = new MemoryPointReads();
        for (long id = 0; id < 10; id++) {
            reads.put(id, "{}", new float[] {id});
        }
        List<PointId> ids = List.of(PointId.of(1), PointId.of(1), PointId.of(2), PointId.of(77));
        for (int t = 0; t < 50; t++) {
            List<Long> sample = ids(RandomSample.among(reads, ids, 5, WithPayload.NONE, false, random));
            assertEquals(Set.of(1L, 2L), new HashSet<>(sample), sample.toString());
            assertEquals(2, sample.size(), sample.toString());
        }
        assertEquals(0, reads.scrolls);
        Set<Long> seen = new HashSet<>();
        for (int t = 0; t < 200; t++) {
            seen.addAll(ids(RandomSample.among(reads, List.of(PointId.of(4), PointId.of(5), PointId.of(6)), 1,
                    WithPayload.NONE, false, random)));
        }
        // each of three ids is missed by 200 draws of one with probability (2/3)^200 < 1e-35
        assertEquals(Set.of(4L, 5L, 6L), seen);
    }
}
