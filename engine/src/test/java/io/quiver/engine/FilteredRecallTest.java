package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filtered search on fashion-mnist-10k with payload indexes: recall@10 ≥ 0.95 for the real-label filters (the
 * correlated {@code samelabel} and the uncorrelated {@code otherlabel}, against their exact filtered ground truth)
 * and for random accept-sets of 1 % and 50 % (against brute force), both with Qdrant's choice between an exact scan
 * of the matching points and HNSW with an accept-set (default full_scan_threshold) and with HNSW forced for every
 * filter (a tiny full_scan_threshold). Filtered counts equal brute force; payload_schema counts the indexed points.
 */
class FilteredRecallTest {
    @TempDir
    Path storage;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void filteredRecallOnRealLabelsAndRandomAcceptSets() throws Exception {
        long seed = TestSeeds.seed("FilteredRecallTest");
        Path dir = AnnData.dir("fashion-mnist-10k");
        float[][] base = AnnData.bvecs(dir.resolve("base.bvecs"));
        float[][] queries = AnnData.bvecs(dir.resolve("query.bvecs"));
        byte[] labels = AnnData.labels(dir.resolve("base.labels"));
        byte[] queryLabels = AnnData.labels(dir.resolve("query.labels"));
        int[][] gtSame = AnnData.ivecs(dir.resolve("gt-euclid-samelabel.ivecs"));
        float[][] gtSameScores = AnnData.fvecs(dir.resolve("gt-euclid-samelabel-scores.fvecs"));
        int[][] gtOther = AnnData.ivecs(dir.resolve("gt-euclid-otherlabel.ivecs"));
        float[][] gtOtherScores = AnnData.fvecs(dir.resolve("gt-euclid-otherlabel-scores.fvecs"));
        Random rnd = new Random(seed);
        int[] r = new int[base.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = rnd.nextInt(100);
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("f", CollectionConfig.of(784, Distance.EUCLID));
            c.createPayloadIndex("r", JsonNodeFactory.instance.textNode("integer"), true); // filled as points arrive
            for (int from = 0; from < base.length; from += 500) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < Math.min(base.length, from + 500); i++) {
                    batch.add(new Point(PointId.of(i), base[i],
                            JsonNodeFactory.instance.objectNode().put("label", labels[i]).put("r", r[i])));
                }
                c.upsert(batch, false);
            }
            c.createPayloadIndex("label", JsonNodeFactory.instance.textNode("integer"), true); // built from payloads
            c.awaitIndexing();
            JsonNode schema = c.info().toJson().get("payload_schema");
            System.out.println("payload_schema " + schema + ", segments " + c.info().segmentsCount());
            assertEquals(10_000, schema.path("label").path("points").asLong());
            assertEquals(10_000, schema.path("r").path("points").asLong());
            assertEquals("integer", schema.path("label").path("data_type").asText());

            for (String mode : List.of("qdrant-choice", "hnsw-forced")) {
                if (mode.equals("hnsw-forced")) {
                    c.updateConfig(JSON.readTree("{\"hnsw_config\": {\"full_scan_threshold\": 10}}"));
                }
                double same = 0;
                double other = 0;
                for (int i = 0; i < queries.length; i++) {
                    int label = queryLabels[i];
                    same += recall(c, queries[i], labelFilter(label), gtSame[i], gtSameScores[i]);
                    other += recall(c, queries[i], labelFilter((label + 5) % 10), gtOther[i], gtOtherScores[i]);
                }
                same /= queries.length;
                other /= queries.length;
                double onePct = randomSetRecall(c, base, queries, "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":1}}]}",
                        i -> r[i] < 1);
                double half = randomSetRecall(c, base, queries, "{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":50}}]}",
                        i -> r[i] < 50);
                System.out.printf("%s: recall@10 samelabel %.4f, otherlabel %.4f, random 1%% %.4f, random 50%% %.4f%n",
                        mode, same, other, onePct, half);
                assertTrue(same >= 0.95, mode + " samelabel " + same);
                assertTrue(other >= 0.95, mode + " otherlabel " + other);
                assertTrue(onePct >= 0.95, mode + " 1% " + onePct);
                assertTrue(half >= 0.95, mode + " 50% " + half);
            }
            for (int label = 0; label < 10; label++) {
                int l = label;
                long expected = java.util.stream.IntStream.range(0, base.length).filter(i -> labels[i] == l).count();
                assertEquals(expected, c.count(labelFilter(label)));
            }
        }
    }

    private static Filter labelFilter(int label) throws Exception {
        return FilterParser.parse(JSON.readTree("{\"must\":[{\"key\":\"label\",\"match\":{\"value\":" + label + "}}]}"));
    }

    private static double recall(Collection c, float[] query, Filter filter, int[] gt, float[] gtScores) {
        float kth = gtScores[9];
        Set<Long> truth = new HashSet<>();
        for (int j = 0; j < 10; j++) {
            truth.add((long) gt[j]);
        }
        int hits = 0;
        for (ScoredPoint p : c.search(SearchRequest.topK(query, 10).withFilter(filter))) {
            if (truth.contains(((PointId.Num) p.id()).unsigned()) || p.score() <= kth * (1 + 1e-5f)) {
                hits++;
            }
        }
        return hits / 10.0;
    }

    /** Recall@10 against brute force over the base vectors accepted by {@code accepted}. */
    private static double randomSetRecall(Collection c, float[][] base, float[][] queries, String filterJson,
            IntPredicate accepted) throws Exception {
        Filter filter = FilterParser.parse(JSON.readTree(filterJson));
        double sum = 0;
        int n = 50; // brute force over 10k points per query: 50 queries keep the test short
        for (int qi = 0; qi < n; qi++) {
            float[] query = queries[qi];
            double[] dist = new double[base.length];
            Integer[] order = java.util.stream.IntStream.range(0, base.length).filter(accepted).boxed()
                    .toArray(Integer[]::new);
            for (int i : order) {
                double s = 0;
                for (int d = 0; d < query.length; d++) {
                    double x = query[d] - base[i][d];
                    s += x * x;
                }
                dist[i] = Math.sqrt(s);
            }
            Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
            int k = Math.min(10, order.length);
            int[] gt = new int[10];
            float[] gtScores = new float[10];
            for (int j = 0; j < k; j++) {
                gt[j] = order[j];
                gtScores[j] = (float) dist[order[j]];
            }
            sum += recall(c, query, filter, gt, gtScores);
        }
        return sum / n;
    }
}
