package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.ExampleQuery.BestScore;
import io.quiver.engine.ExampleQuery.Context;
import io.quiver.engine.ExampleQuery.ContextPair;
import io.quiver.engine.ExampleQuery.Discover;
import io.quiver.engine.ExampleQuery.SumScores;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Searches by example queries ({@code best_score}, {@code sum_scores}, discovery, context) against a brute force
 * computed here in double precision from the vectors the test stored: with {@code exact} every rank's score equals the
 * brute force's (and each returned point's score is its own), with filters, offsets, score thresholds, deleted
 * points, across indexed segments, the appendable one and two shards; through HNSW graphs of 1280 points at ef 32
 * the hits reach recall@10 ≥ 0.85 by score, also under a filter searched through the graphs. Every distance. Prints its seed ({@code -Dquiver.seed=}).
 */
class ExampleSearchTest {
    private static final int DIM = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    private Random random;
    private Distance distance;
    /** The live points as stored (unit length under Cosine), by id. */
    private final Map<Long, float[]> stored = new TreeMap<>();

    private float[] gaussian() {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    private float[] asStored(float[] v) {
        return distance == Distance.COSINE ? SearchExactnessTest.unit(v) : v;
    }

    /** The distance's similarity (larger is better) in double precision. */
    private double similarity(float[] example, float[] point) {
        float[] e = asStored(example);
        double sum = 0;
        for (int d = 0; d < DIM; d++) {
            double diff = (double) e[d] - point[d];
            sum += switch (distance) {
                case COSINE, DOT -> (double) e[d] * point[d];
                case EUCLID -> -diff * diff;
                case MANHATTAN -> -Math.abs(diff);
            };
        }
        return sum;
    }

    private static float sigmoid(double x) {
        return (float) (0.5 * (x / (1 + Math.abs(x)) + 1));
    }

    /** The query's score of a stored point, from Qdrant's formulas, independently of the engine's code. */
    private double score(ExampleQuery query, float[] point) {
        return switch (query) {
            case BestScore q -> {
                double p = q.positives().stream().mapToDouble(e -> similarity(e, point)).max()
                        .orElse(Double.NEGATIVE_INFINITY);
                double n = q.negatives().stream().mapToDouble(e -> similarity(e, point)).max()
                        .orElse(Double.NEGATIVE_INFINITY);
                yield p > n ? sigmoid(p) : -sigmoid(n);
            }
            case SumScores q -> q.positives().stream().mapToDouble(e -> similarity(e, point)).sum()
                    - q.negatives().stream().mapToDouble(e -> similarity(e, point)).sum();
            case Discover q -> {
                int rank = 0;
                for (ContextPair pair : q.pairs()) {
                    rank += Double.compare(similarity(pair.positive(), point), similarity(pair.negative(), point));
                }
                yield rank + sigmoid(similarity(q.target(), point));
            }
            case Context q -> {
                double loss = 0;
                for (ContextPair pair : q.pairs()) {
                    double diff = Math.min(similarity(pair.positive(), point) - similarity(pair.negative(), point)
                            - Math.ulp(1f), 0);
                    loss += diff / (1 + Math.abs(diff));
                }
                yield loss;
            }
        };
    }

    private record Hit(long id, double score) {}

    private List<Hit> bruteForce(ExampleQuery query, LongPredicate filter, List<Long> excluded) {
        List<Hit> hits = new ArrayList<>();
        stored.forEach((id, v) -> {
            if (filter.test(id) && !excluded.contains(id)) {
                hits.add(new Hit(id, score(query, v)));
            }
        });
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingLong(Hit::id));
        return hits;
    }

    private List<ExampleQuery> queries() {
        List<ExampleQuery> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out.add(new BestScore(List.of(gaussian(), gaussian()), List.of(gaussian())));
            out.add(new BestScore(List.of(), List.of(gaussian(), gaussian())));
            out.add(new SumScores(List.of(gaussian(), gaussian(), gaussian()), List.of(gaussian())));
            out.add(new Discover(gaussian(), List.of(new ContextPair(gaussian(), gaussian()),
                    new ContextPair(gaussian(), gaussian()))));
            out.add(new Discover(gaussian(), List.of()));
            out.add(new Context(List.of(new ContextPair(gaussian(), gaussian()),
                    new ContextPair(gaussian(), gaussian()))));
        }
        return out;
    }

    /**
     * {@code points} random points, every seventh deleted, in {@code shards} shards whose segments are sealed and
     * indexed at {@code segmentKb} (of 32-byte vectors), the rest in the appendable segment.
     */
    private Collection load(Quiver quiver, int shards, int segmentKb, int points) {
        Collection c = quiver.createCollection("e", CollectionConfig.of(DIM, distance).withShardNumber(shards)
                .withOptimizers(CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(segmentKb)));
        List<Point> batch = new ArrayList<>();
        for (long id = 0; id < points; id++) {
            float[] v = gaussian();
            batch.add(new Point(PointId.of(id), v, JsonNodeFactory.instance.objectNode().put("i", id)));
            stored.put(id, asStored(v));
        }
        c.upsert(batch, true);
        List<PointId> deleted = new ArrayList<>();
        for (long id = 0; id < points; id += 7) {
            deleted.add(PointId.of(id));
            stored.remove(id);
        }
        c.delete(PointsSelector.ids(deleted), true);
        c.awaitIndexing();
        assertTrue(c.info().indexedVectorsCount() > points / 2, "most points sit in indexed segments");
        return c;
    }

    @ParameterizedTest
    @EnumSource(Distance.class)
    void exactSearchesEqualTheBruteForce(Distance distance) throws Exception {
        this.distance = distance;
        random = new Random(TestSeeds.seed("ExampleSearchTest.exact." + distance));
        try (Quiver quiver = Quiver.open(storage)) {
            // 8 KB per segment = 256 vectors: sealed, indexed segments and an appendable one in each of two shards
            Collection c = load(quiver, 2, 8, 1500);
            Filter from100 = FilterParser.parse(JSON.readTree("{\"must\":[{\"key\":\"i\",\"range\":{\"gte\":100}}]}"));
            for (ExampleQuery query : queries()) {
                List<Hit> all = bruteForce(query, id -> true, List.of());
                SearchRequest exact = SearchRequest.byExamples(query, 10).withExact(true);
                assertSame(all.subList(0, 10), c.search(exact), query);

                List<Hit> filtered = bruteForce(query, id -> id >= 100, List.of());
                SearchRequest page = new SearchRequest(null, from100, 5, 3, WithPayload.ALL, true, null, null, true,
                        null, false, query);
                List<ScoredPoint> hits = c.search(page);
                assertSame(filtered.subList(3, 8), hits, query);
                hits.forEach(h -> assertEquals(((PointId.Num) h.id()).unsigned(),
                        h.payloadOrNull().get("i").asLong()));
                hits.forEach(h -> assertEquals(DIM, h.vectorOrNull().length));

                float threshold = (float) all.get(20).score();
                List<ScoredPoint> kept = c.search(new SearchRequest(null, null, 1000, 0, WithPayload.NONE, false,
                        threshold, null, true, null, false, query));
                kept.forEach(h -> assertTrue(h.score() >= threshold, query.kind() + " threshold"));
                // a context query's best score, 0, is shared by many points: more than the limit may reach it
                long expected = Math.min(1000, all.stream().filter(h -> h.score() >= threshold).count());
                assertTrue(Math.abs(kept.size() - expected) <= 1, kept.size() + " kept, brute force " + expected);
            }
        }
    }

    /** Each rank's score equals the brute force's, and each hit's score is that point's own. */
    private void assertSame(List<Hit> expected, List<ScoredPoint> actual, ExampleQuery query) {
        assertEquals(expected.size(), actual.size(), query.kind());
        for (int i = 0; i < expected.size(); i++) {
            ScoredPoint hit = actual.get(i);
            long id = ((PointId.Num) hit.id()).unsigned();
            assertTrue(stored.containsKey(id), "a deleted point came back: " + id);
            assertEquals(expected.get(i).score(), hit.score(), 1e-4, query.kind() + " rank " + i);
            assertEquals(score(query, stored.get(id)), hit.score(), 1e-4, query.kind() + " point " + id);
        }
    }

    @ParameterizedTest
    @EnumSource(Distance.class)
    void graphSearchesReachRecall(Distance distance) throws Exception {
        this.distance = distance;
        random = new Random(TestSeeds.seed("ExampleSearchTest.graph." + distance));
        try (Quiver quiver = Quiver.open(storage)) {
            // 40 KB per segment = 1280 vectors: two graphs and an appendable segment, searched with ef 32
            Collection c = load(quiver, 1, 40, 3000);
            List<ExampleQuery> queries = queries();
            double recall = recall(c, queries, null, id -> true);
            System.out.printf("%s example queries through the graph: recall@10 %.4f%n", distance, recall);
            assertTrue(recall >= 0.85, "recall " + recall);
            // a full_scan_threshold of 10 KB (320 vectors) sends a broad filter through the graphs too
            c.updateConfig(JSON.readTree("{\"hnsw_config\": {\"full_scan_threshold\": 10}}"));
            Filter from100 = FilterParser.parse(JSON.readTree("{\"must\":[{\"key\":\"i\",\"range\":{\"gte\":100}}]}"));
            double filtered = recall(c, queries, from100, id -> id >= 100);
            System.out.printf("%s filtered example queries through the graph: recall@10 %.4f%n", distance, filtered);
            assertTrue(filtered >= 0.85, "filtered recall " + filtered);
        }
    }

    /** Mean recall@10 by score (a hit counts when it scores at least the brute force's tenth); checks every hit. */
    private double recall(Collection c, List<ExampleQuery> queries, Filter filterOrNull, LongPredicate filter) {
        double recall = 0;
        for (ExampleQuery query : queries) {
            double kth = bruteForce(query, filter, List.of()).get(9).score();
            List<ScoredPoint> found = c.search(new SearchRequest(null, filterOrNull, 10, 0, WithPayload.NONE, false,
                    null, 32, false, null, false, query));
            assertEquals(10, found.size(), query.kind());
            for (int i = 0; i < found.size(); i++) {
                ScoredPoint hit = found.get(i);
                long id = ((PointId.Num) hit.id()).unsigned();
                assertTrue(stored.containsKey(id) && filter.test(id), "point " + id + " should not come back");
                assertEquals(score(query, stored.get(id)), hit.score(), 1e-4);
                recall += hit.score() >= kth - 1e-4 ? 1 : 0;
                if (i > 0) {
                    assertFalse(found.get(i - 1).score() < hit.score(), "best first");
                }
            }
        }
        return recall / (10.0 * queries.size());
    }
}
