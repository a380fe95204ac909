package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Filters in search (exact and HNSW), scroll, count, delete and payload operations, before and after a reopen. */
class FilteredOperationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    private static Filter filter(String json) throws Exception {
        return FilterParser.parse(JSON.readTree(json));
    }

    @Test
    void filterDrivesSearchScrollCountAndWrites() throws Exception {
        long seed = TestSeeds.seed("FilteredOperationsTest");
        Random rnd = new Random(seed);
        CollectionConfig config = CollectionConfig.of(8, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(2)); // 64 vectors per segment
        Map<PointId, float[]> vectors = new HashMap<>();
        Map<PointId, Integer> colour = new HashMap<>();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("f", config);
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                float[] v = new float[8];
                for (int d = 0; d < 8; d++) {
                    v[d] = rnd.nextFloat();
                }
                PointId id = PointId.of(i);
                vectors.put(id, v);
                colour.put(id, i % 4);
                points.add(new Point(id, v, JsonNodeFactory.instance.objectNode().put("colour", i % 4)));
            }
            c.upsert(points, true);
            c.awaitIndexing();
            Filter red = filter("{\"must\":[{\"key\":\"colour\",\"match\":{\"value\":1}}]}");
            assertEquals(100, c.count(red));
            for (int n = 0; n < 10; n++) {
                float[] query = new float[8];
                for (int d = 0; d < 8; d++) {
                    query[d] = rnd.nextFloat();
                }
                Map<PointId, float[]> reds = new HashMap<>();
                vectors.forEach((id, v) -> {
                    if (colour.get(id) == 1) {
                        reds.put(id, v);
                    }
                });
                List<PointId> expected = SearchExactnessTest.bruteForce(reds, Distance.EUCLID, query, 5);
                SearchRequest req = SearchRequest.topK(query, 5).withFilter(red).withHnswEf(200);
                assertEquals(expected, c.search(req).stream().map(ScoredPoint::id).toList());
                assertEquals(expected, c.search(req.withExact(true)).stream().map(ScoredPoint::id).toList());
            }
            ScrollResult page = c.scroll(new ScrollRequest(PointId.of(10), 3, red, WithPayload.ALL, false));
            assertEquals(List.of(PointId.of(13), PointId.of(17), PointId.of(21)),
                    page.points().stream().map(Record::id).toList());
            assertEquals(PointId.of(25), page.nextPageOffsetOrNull());

            // writes by filter: tag the reds, delete colour 2
            ObjectNode tag = (ObjectNode) JSON.readTree("{\"tagged\":true}");
            c.setPayload(PointsSelector.filter(red), tag, null, true);
            assertEquals(100, c.count(filter("{\"must\":[{\"key\":\"tagged\",\"match\":{\"value\":true}}]}")));
            c.delete(PointsSelector.filter(filter("{\"must\":[{\"key\":\"colour\",\"match\":{\"value\":2}}]}")),
                    true);
            assertEquals(300, c.count(null));
            c.clearPayload(PointsSelector.filter(filter("{\"must\":[{\"key\":\"colour\",\"match\":{\"value\":3}}]}")),
                    false);
            assertEquals(JSON.readTree("{}"), c.retrieve(PointId.of(3)).payloadOrNull());
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("f");
            assertEquals(300, c.count(null));
            assertEquals(0, c.count(filter("{\"must\":[{\"key\":\"colour\",\"match\":{\"value\":2}}]}")));
            assertEquals(100, c.count(filter("{\"must\":[{\"key\":\"tagged\",\"match\":{\"value\":true}}]}")));
            assertEquals(JSON.readTree("{}"), c.retrieve(PointId.of(3)).payloadOrNull());
        }
    }
}
