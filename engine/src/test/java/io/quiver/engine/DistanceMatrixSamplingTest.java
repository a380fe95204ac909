package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.filter.Filter;
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
 * The distance matrix samples through a {@link DistanceMatrix.Sampler}: without a filter it first asks for a sample of
 * every point (which a collection draws without reading every id) and keeps it when every drawn point has the vector;
 * when some lack it, it samples again among the points that have it. Either way every row holds the sampled point's
 * nearest other sampled points, as a brute force over the sample finds them. Real collections, no stand-ins: the
 * sampler here only records the filters it was asked for.
 */
class DistanceMatrixSamplingTest {
    @TempDir
    Path storage;

    private static final int POINTS = 400;

    @Test
    void anUnfilteredMatrixDrawsFromEveryPointAndFallsBackWhenADrawnPointHasNoVector() {
        Random rnd = new Random(TestSeeds.seed("DistanceMatrixSamplingTest"));
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("m", CollectionConfig.of(3, Distance.EUCLID));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < POINTS; i++) {
                points.add(new Point(PointId.of(i), new float[] {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()}));
            }
            c.upsert(points, true);

            List<Filter> asked = new ArrayList<>();
            DistanceMatrix.Sampler sampler = (filter, n) -> {
                asked.add(filter);
                return RandomSample.sample(c, filter, n, WithPayload.NONE, true, rnd);
            };
            DistanceMatrix.Result all = DistanceMatrix.compute(sampler, c::search, "", null, 20, 3);
            assertEquals(1, asked.size(), "one draw over every point: " + asked);
            assertNull(asked.get(0));
            assertEquals(20, all.ids().size());
            assertRowsAreNearestInSample(c, all, 3);

            // a third of the points lose their vector: a draw over every point will meet one of them
            List<PointId> vectorless = new ArrayList<>();
            for (int i = 0; i < POINTS; i += 3) {
                vectorless.add(PointId.of(i));
            }
            c.deleteVectors(PointsSelector.ids(vectorless), List.of(""), true);
            Set<PointId> without = new HashSet<>(vectorless);
            int fellBack = 0;
            for (int round = 0; round < 10; round++) {
                asked.clear();
                DistanceMatrix.Result some = DistanceMatrix.compute(sampler, c::search, "", null, 30, 2);
                assertEquals(30, some.ids().size());
                assertTrue(some.ids().stream().noneMatch(without::contains), "only points with the vector");
                assertNull(asked.get(0), "a draw over every point first");
                if (asked.size() == 2) {
                    assertTrue(asked.get(1) != null, "then a sample among the points with the vector");
                    fellBack++;
                }
                assertRowsAreNearestInSample(c, some, 2);
            }
            // 30 points drawn from a set a third of which lack the vector all have it with probability (2/3)^30
            assertTrue(fellBack >= 9, "fell back in " + fellBack + " of 10 rounds");
        }
    }

    /** Each row: the {@code limit} sampled points nearest to its own, by brute force over the sample. */
    private static void assertRowsAreNearestInSample(Collection c, DistanceMatrix.Result matrix, int limit) {
        List<Record> sample = c.retrieve(matrix.ids(), WithPayload.NONE, true);
        for (int i = 0; i < sample.size(); i++) {
            float[] v = sample.get(i).vectorOrNull();
            List<Float> expected = new ArrayList<>();
            for (int j = 0; j < sample.size(); j++) {
                if (j != i) {
                    expected.add(Distance.EUCLID.score(v, sample.get(j).vectorOrNull()));
                }
            }
            expected.sort(null);
            List<ScoredPoint> row = matrix.rows().get(i);
            assertEquals(limit, row.size());
            for (int k = 0; k < limit; k++) {
                assertEquals(expected.get(k), row.get(k).score(), 1e-5f, "row " + i + " rank " + k);
            }
        }
    }
}
