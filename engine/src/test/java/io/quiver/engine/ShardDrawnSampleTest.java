package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code {"sample":"random"}} on a local collection drawn from its shards' slots: two shards of several segments
 * whose old slots hold overwritten versions and deleted points. Each sample holds distinct live points only; over
 * many seeded samples every live point is picked about equally often and comes first about equally often (bounds no
 * fair sampler misses: ±6 standard deviations of the binomial); a filter and a limit above half the points take the
 * reading of every id and still answer correctly. Randomized: {@code -Dquiver.seed=} replays.
 */
class ShardDrawnSampleTest {
    @TempDir
    Path storage;

    @Test
    void samplesAreUniformOverTheLivePointsOnly() throws Exception {
        long seed = TestSeeds.seed("ShardDrawnSampleTest");
        Random random = new Random(seed);
        try (Quiver q = Quiver.open(storage)) {
            // 128 vectors per sealed segment, no merging
            CollectionConfig config = CollectionConfig.of(2, Distance.DOT).withShardNumber(2)
                    .withOptimizers(new CollectionConfig.OptimizersConfig(0.2, 1000, 100, null, null, 1, 5, null));
            Collection c = q.createCollection("sampled", config);
            for (int round = 0; round < 3; round++) { // overwrites leave old versions in earlier slots
                List<Point> points = new ArrayList<>();
                for (int id = 0; id < 400; id++) {
                    points.add(new Point(PointId.of(id), new float[] {random.nextFloat(), 1},
                            TestJson.object("{\"odd\":" + (id % 2 == 1) + "}")));
                }
                c.upsert(points, true);
            }
            List<PointId> deleted = new ArrayList<>();
            for (int id = 40; id < 400; id++) { // 40 points stay, behind 1 160 dead slots
                deleted.add(PointId.of(id));
            }
            c.delete(PointsSelector.ids(deleted), true);
            assertTrue(c.segmentInfos().size() > 4, "several segments: " + c.segmentInfos().size());

            int trials = 6000;
            int limit = 4;
            int[] picked = new int[40];
            int[] first = new int[40];
            for (int t = 0; t < trials; t++) {
                List<Record> sample = RandomSample.sample(c, null, limit, WithPayload.NONE, false, random);
                assertEquals(limit, sample.size(), "seed " + seed);
                Set<PointId> distinct = new HashSet<>();
                for (Record r : sample) {
                    assertTrue(distinct.add(r.id()), "distinct, seed " + seed);
                    int id = Integer.parseInt(r.id().toString());
                    assertTrue(id < 40, "a live point, not " + id + ", seed " + seed);
                    picked[id]++;
                }
                first[Integer.parseInt(sample.getFirst().id().toString())]++;
            }
            double p = (double) limit / 40;
            double mean = trials * p;
            double sd = Math.sqrt(trials * p * (1 - p));
            double firstMean = trials / 40.0;
            double firstSd = Math.sqrt(trials * (1 / 40.0) * (39 / 40.0));
            for (int id = 0; id < 40; id++) {
                assertTrue(Math.abs(picked[id] - mean) < 6 * sd, "point " + id + " picked " + picked[id]
                        + " times, expected " + mean + " ± " + 6 * sd + ", seed " + seed);
                assertTrue(Math.abs(first[id] - firstMean) < 6 * firstSd, "point " + id + " first " + first[id]
                        + " times, seed " + seed);
            }

            Filter odd = FilterParser.parse(TestJson.object("{\"must\":[{\"key\":\"odd\",\"match\":{\"value\":true}}]}"));
            List<Record> filtered = RandomSample.sample(c, odd, 5, WithPayload.ALL, false, random);
            assertEquals(5, filtered.size());
            filtered.forEach(r -> assertTrue(r.payloadOrNull().get("odd").asBoolean()));
            assertEquals(40, RandomSample.sample(c, null, 100, WithPayload.NONE, false, random).size(),
                    "a limit above the points: all of them");
            assertEquals(30, new HashSet<>(RandomSample.sample(c, null, 30, WithPayload.NONE, false, random)).size());
        }
    }
}
