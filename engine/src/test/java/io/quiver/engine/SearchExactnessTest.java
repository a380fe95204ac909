package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Search results equal an exact brute force over the points (with overwrites and deletes), for every distance, while
 * the data sits in the appendable segment and again after segments were sealed and indexed.
 */
class SearchExactnessTest {
    private static final int DIM = 16;

    @TempDir
    Path storage;

    @ParameterizedTest
    @EnumSource(Distance.class)
    void searchEqualsBruteForceBeforeAndAfterIndexing(Distance distance) {
        long seed = TestSeeds.seed("SearchExactnessTest." + distance);
        Random rnd = new Random(seed);
        // 1 KB per segment = 16 vectors of dim 16: 300 points make ~19 sealed, indexed segments
        CollectionConfig sealing = CollectionConfig.of(DIM, distance).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(1));
        CollectionConfig appendOnly = CollectionConfig.of(DIM, distance).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(0));
        try (Quiver q = Quiver.open(storage)) {
            Collection plain = q.createCollection("plain", appendOnly);
            Collection indexed = q.createCollection("indexed", sealing.withShardNumber(2));
            Map<PointId, float[]> truth = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                List<Point> batch = new ArrayList<>();
                for (int i = 0; i < 120; i++) {
                    PointId id = PointId.of(rnd.nextInt(300));
                    float[] v = randomVector(rnd);
                    batch.add(new Point(id, v, JsonNodeFactory.instance.objectNode().put("i", i)));
                    truth.put(id, distance == Distance.COSINE ? unit(v) : v);
                }
                List<PointId> dels = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    dels.add(PointId.of(rnd.nextInt(300)));
                }
                for (Collection c : List.of(plain, indexed)) {
                    c.upsert(batch, true);
                    c.delete(PointsSelector.ids(dels), true);
                }
                dels.forEach(truth::remove);
            }
            indexed.awaitIndexing();
            CollectionInfo info = indexed.info();
            assertTrue(info.indexedVectorsCount() > 0, "segments were indexed: " + info.toJson());
            assertTrue(indexed.indexBuildCount() > 2, "segments were sealed and indexed: " + info.toJson());
            // ~19 sealed segments were merged down to at most 2 sealed + 1 appendable per shard
            assertTrue(info.segmentsCount() <= 6, "the merge optimizer ran: " + info.toJson());
            assertEquals(CollectionStatus.GREEN, info.status());
            assertEquals(truth.size(), plain.count(null));
            assertEquals(truth.size(), indexed.count(null));

            for (int qn = 0; qn < 20; qn++) {
                float[] query = randomVector(rnd);
                List<PointId> expected = bruteForce(truth, distance, query, 10);
                SearchRequest req = SearchRequest.topK(query, 10).withHnswEf(64);
                assertEquals(expected, ids(plain.search(req)), "appendable segment, query " + qn);
                assertEquals(expected, ids(indexed.search(req)), "indexed segments, query " + qn);
                assertEquals(expected, ids(indexed.search(req.withExact(true))), "exact flag, query " + qn);
                // offset skips the first results
                SearchRequest paged = new SearchRequest(query, null, 4, 3, WithPayload.ALL, true, null, 64, false);
                List<ScoredPoint> page = indexed.search(paged);
                assertEquals(expected.subList(3, 7), ids(page));
                assertTrue(page.get(0).payloadOrNull().has("i"));
                assertEquals(DIM, page.get(0).vectorOrNull().length);
            }
            // score threshold keeps only scores at least as good as it
            float[] query = randomVector(rnd);
            List<ScoredPoint> all = plain.search(SearchRequest.topK(query, 10));
            float t = all.get(4).score();
            List<ScoredPoint> kept = plain.search(new SearchRequest(query, null, 10, 0, WithPayload.NONE, false, t,
                    null, false));
            assertEquals(ids(all.subList(0, 5)), ids(kept).subList(0, Math.min(5, kept.size())));
            for (ScoredPoint p : kept) {
                assertTrue(distance.higherIsBetter() ? p.score() >= t : p.score() <= t);
            }
        }
    }

    private static List<PointId> ids(List<ScoredPoint> points) {
        return points.stream().map(ScoredPoint::id).toList();
    }

    static List<PointId> bruteForce(Map<PointId, float[]> points, Distance d, float[] query, int k) {
        float[] q = d == Distance.COSINE ? unit(query) : query;
        Comparator<Map.Entry<PointId, Float>> order = d.higherIsBetter()
                ? Map.Entry.<PointId, Float>comparingByValue().reversed() : Map.Entry.comparingByValue();
        return points.entrySet().stream().map(e -> Map.entry(e.getKey(), d.score(q, e.getValue())))
                .sorted(order.thenComparing(Map.Entry.comparingByKey())).limit(k).map(Map.Entry::getKey).toList();
    }

    private static float[] randomVector(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    static float[] unit(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        float[] out = v.clone();
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < out.length; i++) {
            out[i] *= inv;
        }
        return out;
    }
}
