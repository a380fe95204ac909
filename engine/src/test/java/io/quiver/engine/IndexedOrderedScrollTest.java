package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code order_by} on a local collection read through the shards' range indexes equals the same query answered by
 * scrolling every candidate's key (checked against a brute-force sort in {@link OrderedScrollTest}): two shards of
 * many segments, points overwritten (their old versions stay in sealed segments) and deleted, values of every index
 * type, arrays, values of other types, ties, {@code start_from}, filters, both directions and limits from 1 to past
 * the end. Randomized: {@code -Dquiver.seed=} replays.
 */
class IndexedOrderedScrollTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    @Test
    void theIndexesGiveWhatAScanOfEveryPointGives() throws Exception {
        long seed = TestSeeds.seed("IndexedOrderedScrollTest");
        Random random = new Random(seed);
        try (Quiver q = Quiver.open(storage)) {
            // 128 vectors per sealed segment, and no merging of them (default_segment_number 100)
            CollectionConfig config = CollectionConfig.of(2, Distance.DOT).withShardNumber(2)
                    .withOptimizers(new CollectionConfig.OptimizersConfig(0.2, 1000, 100, null, null, 1, 5, null));
            Collection c = q.createCollection("ordered", config);
            c.createPayloadIndex("i", JsonNodeFactory.instance.textNode("integer"), true);
            c.createPayloadIndex("f", JsonNodeFactory.instance.textNode("float"), true);
            c.createPayloadIndex("t", JsonNodeFactory.instance.textNode("datetime"), true);
            c.createPayloadIndex("even", JsonNodeFactory.instance.textNode("bool"), true);
            for (int round = 0; round < 3; round++) { // later rounds overwrite: old versions stay behind
                List<Point> points = new ArrayList<>();
                for (int id = 0; id < 900; id++) {
                    if (round > 0 && random.nextInt(3) > 0) {
                        continue;
                    }
                    points.add(new Point(PointId.of(id), new float[] {random.nextFloat(), 1}, payload(random, id)));
                }
                c.upsert(points, true);
            }
            List<PointId> deleted = new ArrayList<>();
            for (int id = 0; id < 900; id += 7) {
                deleted.add(PointId.of(id));
            }
            c.delete(PointsSelector.ids(deleted), true);
            assertTrue(c.segmentInfos().size() > 4, "several segments: " + c.segmentInfos().size());

            ObjectNode schema = c.info().payloadSchema();
            Filter even = FilterParser.parse(JSON.readTree("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}"));
            int compared = 0;
            for (String key : List.of("i", "f", "t")) {
                for (boolean descending : new boolean[] {false, true}) {
                    for (Filter filter : new Filter[] {null, even}) {
                        for (String start : new String[] {null, "3", "-2.5", "\"2024-01-01T00:00:30Z\""}) {
                            for (int limit : new int[] {1, 7, 100, 2000}) {
                                OrderBy orderBy = OrderBy.parse(JSON.readTree("{\"key\":\"" + key + "\",\"direction\":\""
                                        + (descending ? "desc" : "asc") + "\"" + (start == null ? ""
                                        : ",\"start_from\":" + start) + "}"));
                                List<String> indexed = pairs(OrderedScroll.scroll(c, orderBy, filter, limit,
                                        WithPayload.NONE, false));
                                List<String> scanned = pairs(OrderedScroll.scroll((PointReads) c, schema, orderBy,
                                        filter, limit, WithPayload.NONE, false));
                                assertEquals(scanned, indexed, "seed " + seed + ": " + orderBy + ", filter " + filter
                                        + ", limit " + limit);
                                compared += indexed.size();
                            }
                        }
                    }
                }
            }
            assertTrue(compared > 10_000, "the comparisons saw pairs: " + compared);
            List<OrderedScroll.OrderedRecord> withPayload = OrderedScroll.scroll(c, OrderBy.parse(
                    JSON.readTree("\"i\"")), null, 3, WithPayload.ALL, true);
            assertEquals(3, withPayload.size());
            withPayload.forEach(r -> assertFalse(r.record().payloadOrNull().isEmpty()));
            withPayload.forEach(r -> assertEquals(2, r.record().vectorOrNull().length));
        }
    }

    /** Integer, float and datetime values with many ties, some arrays (a repeated value too), some of other types. */
    private static ObjectNode payload(Random random, int id) {
        ObjectNode p = JSON.createObjectNode();
        p.put("even", id % 2 == 0);
        int shape = random.nextInt(5);
        long a = random.nextInt(20) - 10;
        long b = random.nextInt(20) - 10;
        switch (shape) {
            case 0 -> p.put("i", a);
            case 1 -> p.putArray("i").add(a).add(b).add(a);
            case 2 -> p.put("i", a + 0.5); // not an integer: not in the integer index
            case 3 -> p.put("i", "x");
            default -> { }
        }
        if (random.nextBoolean()) {
            p.put("f", (random.nextInt(40) - 20) / 4.0);
        } else if (random.nextBoolean()) {
            p.putArray("f").add(a).add(-0.0).add(0.0);
        }
        if (random.nextInt(3) > 0) {
            p.put("t", "2024-01-01T00:00:" + String.format("%02d", random.nextInt(60)) + "Z");
        }
        return p;
    }

    private static List<String> pairs(List<OrderedScroll.OrderedRecord> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(r.record().id() + "=" + r.orderValue()));
        return out;
    }
}
