package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Payload indexes wired into segments: a collection with keyword, integer, float, bool, uuid and datetime indexes
 * answers count, scroll, exact search and delete-by-filter exactly like an unindexed twin receiving the same writes
 * (upserts, payload edits, deletes; segments sealing and merging meanwhile), also after a reopen (indexes loaded from
 * their files or rebuilt); payload_schema counts the indexed points; a text index switches {@code text} matching
 * to tokens.
 */
class PayloadIndexWiringTest {
    @TempDir
    Path storage;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CITIES = {"Berlin", "London", "Paris", "Rome"};
    private static final List<String> FILTERS = List.of(
            "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"Paris\"}}]}",
            "{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":10,\"lt\":40}}]}",
            "{\"should\":[{\"key\":\"f\",\"range\":{\"lt\":0.1}},{\"key\":\"ok\",\"match\":{\"value\":true}}]}",
            "{\"must_not\":[{\"key\":\"city\",\"match\":{\"any\":[\"Rome\",\"Berlin\"]}}],"
                    + "\"must\":[{\"key\":\"t\",\"range\":{\"gt\":\"2024-01-15T00:00:00Z\"}}]}",
            "{\"must\":[{\"key\":\"u\",\"match\":{\"value\":\"00000000-0000-0000-0000-000000000007\"}}]}",
            "{\"must\":[{\"has_id\":[1,2,3,50,51]},{\"key\":\"city\",\"match\":{\"except\":[\"London\"]}}]}");

    private static ObjectNode payload(Random rnd) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("city", CITIES[rnd.nextInt(CITIES.length)]);
        p.put("n", rnd.nextInt(100));
        p.put("f", rnd.nextDouble());
        p.put("ok", rnd.nextBoolean());
        p.put("u", "00000000-0000-0000-0000-00000000000" + rnd.nextInt(10));
        p.put("t", String.format("2024-01-%02dT12:00:00Z", 1 + rnd.nextInt(28)));
        return p;
    }

    @Test
    void indexedCollectionAnswersLikeUnindexedTwin() throws Exception {
        long seed = TestSeeds.seed("PayloadIndexWiringTest");
        Random rnd = new Random(seed);
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(1)); // 64 vectors per segment
        try (Quiver q = Quiver.open(storage)) {
            Collection indexed = q.createCollection("indexed", config);
            Collection plain = q.createCollection("plain", config);
            indexed.createPayloadIndex("city", JSON.readTree("{\"type\":\"keyword\",\"is_tenant\":true}"), true);
            indexed.createPayloadIndex("n", JsonNodeFactory.instance.textNode("integer"), true);
            indexed.createPayloadIndex("f", JsonNodeFactory.instance.textNode("float"), true);
            indexed.createPayloadIndex("ok", JsonNodeFactory.instance.textNode("bool"), true);
            indexed.createPayloadIndex("u", JsonNodeFactory.instance.textNode("uuid"), true);
            assertThrows(BadRequestException.class,
                    () -> indexed.createPayloadIndex("x", JsonNodeFactory.instance.textNode("nope"), true));
            for (int round = 0; round < 60; round++) {
                List<Point> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                    batch.add(new Point(PointId.of(rnd.nextInt(600)), v, payload(rnd)));
                }
                both(indexed, plain, c -> c.upsert(batch, true));
                int kind = rnd.nextInt(5);
                PointsSelector some = PointsSelector.ids(batch.get(0).id());
                switch (kind) {
                    case 0 -> both(indexed, plain, c -> c.setPayload(some,
                            JsonNodeFactory.instance.objectNode().put("city", "Paris").put("n", 20), null, true));
                    case 1 -> both(indexed, plain, c -> c.deletePayloadKeys(some, List.of("city"), true));
                    case 2 -> both(indexed, plain, c -> c.clearPayload(some, true));
                    case 3 -> {
                        int from = rnd.nextInt(100);
                        Filter range = parse("{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":" + from + ",\"lt\":"
                                + (from + 1 + rnd.nextInt(5)) + "}}]}");
                        both(indexed, plain, c -> c.delete(PointsSelector.filter(range), true));
                    }
                    default -> {
                        ObjectNode next = payload(rnd);
                        both(indexed, plain, c -> c.overwritePayload(some, next, true));
                    }
                }
                if (Boolean.getBoolean("debugWiring")) {
                    System.out.println("round " + round + " kind " + kind);
                    compare(indexed, plain, rnd);
                }
                if (round == 30) {
                    indexed.createPayloadIndex("t", JsonNodeFactory.instance.textNode("datetime"), true);
                }
            }
            indexed.awaitIndexing();
            compare(indexed, plain, rnd);
            JsonNode schema = indexed.info().toJson().get("payload_schema");
            System.out.println("payload_schema " + schema + ", segments " + indexed.info().segmentsCount());
            assertEquals(plain.count(parse("{\"must\":[{\"is_empty\":{\"key\":\"city\"}}]}")),
                    plain.pointsCount() - schema.path("city").path("points").asLong());
            assertEquals(JSON.readTree("{\"type\":\"keyword\",\"is_tenant\":true}"), schema.path("city").path("params"));
        }
        try (Quiver q = Quiver.open(storage)) {
            compare(q.collection("indexed"), q.collection("plain"), rnd);
            q.collection("indexed").deletePayloadIndex("city", true);
            assertEquals(null, q.collection("indexed").info().toJson().get("payload_schema").get("city"));
            compare(q.collection("indexed"), q.collection("plain"), rnd);
        }
    }

    @Test
    void textIndexMatchesTokens() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("t", CollectionConfig.of(2, Distance.DOT));
            c.upsert(List.of(new Point(PointId.of(1), new float[] {1, 0},
                    JsonNodeFactory.instance.objectNode().put("d", "The quick brown fox"))), true);
            Filter substring = parse("{\"must\":[{\"key\":\"d\",\"match\":{\"text\":\"row\"}}]}");
            Filter token = parse("{\"must\":[{\"key\":\"d\",\"match\":{\"text\":\"BROWN quick\"}}]}");
            assertEquals(1, c.count(substring), "without an index, text is a substring test");
            c.createPayloadIndex("d", JSON.readTree("{\"type\":\"text\",\"tokenizer\":\"word\",\"lowercase\":true}"),
                    true);
            assertEquals(0, c.count(substring), "with a text index, text matches whole tokens");
            assertEquals(1, c.count(token));
            assertEquals(1, c.search(SearchRequest.topK(new float[] {1, 0}, 3).withFilter(token)).size());
            assertEquals(1, c.info().toJson().at("/payload_schema/d/points").asLong());
        }
    }

    private interface Write {
        void apply(Collection c);
    }

    private static void both(Collection a, Collection b, Write w) {
        w.apply(a);
        w.apply(b);
    }

    private static Filter parse(String json) {
        try {
            return FilterParser.parse(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void compare(Collection indexed, Collection plain, Random rnd) {
        assertEquals(plain.pointsCount(), indexed.pointsCount());
        for (String f : FILTERS) {
            Filter filter = parse(f);
            assertEquals(plain.count(filter), indexed.count(filter), f);
            ScrollRequest scroll = new ScrollRequest(null, 1000, filter, WithPayload.ALL, false);
            assertEquals(plain.scroll(scroll).points().stream().map(Record::id).toList(),
                    indexed.scroll(scroll).points().stream().map(Record::id).toList(), f);
            float[] query = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
            SearchRequest s = SearchRequest.topK(query, 10).withFilter(filter).withExact(true);
            assertEquals(plain.search(s).stream().map(ScoredPoint::id).toList(),
                    indexed.search(s).stream().map(ScoredPoint::id).toList(), f);
            List<PointId> hnsw = indexed.search(SearchRequest.topK(query, 10).withFilter(filter)).stream()
                    .map(ScoredPoint::id).toList();
            assertEquals(plain.search(s).stream().map(ScoredPoint::id).toList(), hnsw, "HNSW/scan choice: " + f);
        }
    }
}
