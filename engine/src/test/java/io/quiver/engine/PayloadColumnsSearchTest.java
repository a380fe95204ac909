package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filtering without payload indexes reads the segments' decoded payload columns, which queries build and writes keep
 * up to date. Interleaves queries (which build the columns) with upserts, deletes, set/overwrite/delete-keys/clear
 * payload and deletes by filter, over small segments that the optimizer seals, indexes and merges (merged segments
 * start without columns), then reopens: every count, scroll, exact search and graph search must equal a brute force
 * over a model of the points. Payload values change type (integers, floats, strings, arrays, null, missing) so that
 * column entries fall back to payload evaluation too. Prints its seed ({@code -Dquiver.seed=}).
 */
class PayloadColumnsSearchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] FILTERS = {
        "{\"must\":[{\"key\":\"n\",\"match\":{\"value\":3}}]}",
        "{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":2,\"lt\":6.5}}]}",
        "{\"must\":[{\"key\":\"n\",\"match\":{\"any\":[1,4,7]}}]}",
        "{\"must\":[{\"key\":\"n\",\"match\":{\"except\":[1,2,3]}}]}",
        "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Paris\"}}],\"must_not\":[{\"key\":\"ok\",\"match\":{\"value\":true}}]}",
        "{\"should\":[{\"key\":\"city\",\"match\":{\"any\":[\"Rome\",\"Oslo\"]}},{\"key\":\"n\",\"range\":{\"lt\":1}}]}",
        "{\"must\":[{\"key\":\"o.n\",\"match\":{\"value\":2}}]}",
        "{\"min_should\":{\"conditions\":[{\"key\":\"n\",\"range\":{\"gt\":4}},{\"key\":\"ok\",\"match\":{\"value\":false}},"
            + "{\"key\":\"city\",\"match\":{\"except\":[\"Paris\"]}}],\"min_count\":2}}",
        "{\"must\":[{\"is_empty\":{\"key\":\"city\"}},{\"key\":\"n\",\"range\":{\"gte\":0}}]}",
    };
    private static final String[] CITIES = {"Paris", "Rome", "Oslo", "Lima"};

    @TempDir
    Path storage;

    @Test
    void unindexedFiltersFollowWritesMergesAndReopen() throws Exception {
        filtersFollowWritesMergesAndReopen(false);
    }

    /**
     * The same with payload indexes on {@code n} and {@code city}: plans then come from the indexes, and a segment's
     * materialised plan is reused by the next search of the same filter until the segment changes.
     */
    @Test
    void indexedFiltersFollowWritesMergesAndReopen() throws Exception {
        filtersFollowWritesMergesAndReopen(true);
    }

    private void filtersFollowWritesMergesAndReopen(boolean indexed) throws Exception {
        long seed = TestSeeds.seed("PayloadColumnsSearchTest");
        Random rnd = new Random(seed);
        // 1 KB per segment = 64 vectors of dim 4: many sealed, indexed segments, merged by the optimizer
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(1));
        Map<PointId, float[]> vectors = new HashMap<>();
        Map<PointId, ObjectNode> payloads = new HashMap<>();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("plain", config);
            if (indexed) {
                c.createPayloadIndex("n", com.fasterxml.jackson.databind.node.TextNode.valueOf("float"), true);
                c.createPayloadIndex("city", com.fasterxml.jackson.databind.node.TextNode.valueOf("keyword"), true);
            }
            for (int round = 0; round < 40; round++) {
                List<Point> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    PointId id = PointId.of(rnd.nextInt(500));
                    float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                    ObjectNode p = payload(rnd);
                    batch.add(new Point(id, v, p));
                    vectors.put(id, v);
                    payloads.put(id, p.deepCopy());
                }
                c.upsert(batch, true);
                List<PointId> live = new ArrayList<>(vectors.keySet());
                PointId some = live.get(rnd.nextInt(live.size()));
                switch (rnd.nextInt(6)) {
                    case 0 -> {
                        ObjectNode patch = F.objectNode().put("n", rnd.nextInt(8)).put("city", "Paris");
                        c.setPayload(PointsSelector.ids(some), patch, null, true);
                        payloads.get(some).setAll(patch);
                    }
                    case 1 -> {
                        ObjectNode next = payload(rnd);
                        c.overwritePayload(PointsSelector.ids(some), next, true);
                        payloads.put(some, next.deepCopy());
                    }
                    case 2 -> {
                        c.deletePayloadKeys(PointsSelector.ids(some), List.of("n"), true);
                        payloads.get(some).remove("n");
                    }
                    case 3 -> {
                        c.clearPayload(PointsSelector.ids(some), true);
                        payloads.put(some, F.objectNode());
                    }
                    case 4 -> {
                        Filter f = parse("{\"must\":[{\"key\":\"n\",\"match\":{\"value\":" + rnd.nextInt(8) + "}}]}");
                        c.delete(PointsSelector.filter(f), true);
                        payloads.entrySet().removeIf(e -> f.matches(e.getKey(), e.getValue()));
                        vectors.keySet().retainAll(payloads.keySet());
                    }
                    default -> {
                        c.delete(PointsSelector.ids(some), true);
                        payloads.remove(some);
                        vectors.remove(some);
                    }
                }
                compare(c, vectors, payloads, rnd, "round " + round + " seed " + seed);
            }
            c.awaitIndexing();
            assertTrue(c.info().segmentsCount() > 1, "the test needs several segments");
            compare(c, vectors, payloads, rnd, "after indexing, seed " + seed);
        }
        try (Quiver q = Quiver.open(storage)) {
            compare(q.collection("plain"), vectors, payloads, rnd, "after reopen, seed " + seed);
        }
    }

    private static void compare(Collection c, Map<PointId, float[]> vectors, Map<PointId, ObjectNode> payloads,
            Random rnd, String ctx) {
        assertEquals(vectors.size(), c.pointsCount(), ctx);
        for (String json : FILTERS) {
            Filter filter = parse(json);
            List<PointId> matching = new ArrayList<>();
            payloads.forEach((id, p) -> {
                if (filter.matches(id, p)) {
                    matching.add(id);
                }
            });
            String at = ctx + " filter " + json;
            assertEquals(matching.size(), c.count(filter), "count: " + at);
            List<PointId> scrolled = c.scroll(new ScrollRequest(null, 1000, filter, WithPayload.NONE, false))
                    .points().stream().map(Record::id).toList();
            assertEquals(matching.stream().sorted().toList(), scrolled, "scroll: " + at);
            float[] query = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
            List<PointId> truth = matching.stream()
                    .sorted(Comparator.comparingDouble(id -> squared(vectors.get(id), query))).limit(10).toList();
            SearchRequest exact = SearchRequest.topK(query, 10).withFilter(filter).withExact(true);
            assertEquals(truth, c.search(exact).stream().map(ScoredPoint::id).toList(), "exact search: " + at);
            assertEquals(truth, c.search(SearchRequest.topK(query, 10).withFilter(filter)).stream()
                    .map(ScoredPoint::id).toList(), "graph/scan search: " + at);
        }
    }

    /** Payload values of changing types, so that column entries are integers, floats, strings or fall back. */
    private static ObjectNode payload(Random rnd) {
        ObjectNode p = F.objectNode();
        switch (rnd.nextInt(8)) {
            case 0 -> p.put("n", rnd.nextInt(8) + 0.5);
            case 1 -> p.putArray("n").add(rnd.nextInt(8)).add(rnd.nextInt(8));
            case 2 -> p.putNull("n");
            case 3 -> p.put("n", "x" + rnd.nextInt(3));
            case 4 -> { } // missing
            default -> p.put("n", rnd.nextInt(8));
        }
        if (rnd.nextInt(4) > 0) {
            p.put("city", CITIES[rnd.nextInt(CITIES.length)]);
        }
        if (rnd.nextBoolean()) {
            p.put("ok", rnd.nextBoolean());
        }
        if (rnd.nextBoolean()) {
            p.putObject("o").put("n", rnd.nextInt(4));
        }
        return p;
    }

    private static double squared(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    private static Filter parse(String json) {
        try {
            return FilterParser.parse(JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
