package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderedScroll} over in-memory points: the order of (value, id) pairs in both directions against a
 * brute-force sort, the values each index type holds, {@code start_from}, filters, the re-scoring of a set of ids,
 * what the picked points carry, and the error without a range index.
 */
class OrderedScrollTest {
    private static final ObjectNode INTEGER = TestJson.object("{\"n\":{\"data_type\":\"integer\",\"points\":0}}");

    private static OrderBy orderBy(String json) {
        return OrderBy.parse(TestJson.object("{\"o\":" + json + "}").get("o"));
    }

    /** "id=value" of each result, in order. */
    private static List<String> pairs(List<OrderedScroll.OrderedRecord> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(r.record().id() + "=" + r.orderValue()));
        return out;
    }

    @Test
    void manyPointsComeInTheBruteForceOrderOfTheirValuesAndIdsInBothDirections() {
        long seed = TestSeeds.seed("OrderedScrollTest");
        Random random = new Random(seed);
        MemoryPointReads reads = new MemoryPointReads();
        record Pair(long value, long id) {
        }
        List<Pair> all = new ArrayList<>();
        for (long id = 0; id < 5000; id++) {
            // few distinct values, so that ties (broken by id) are frequent; some points hold two, some none
            long a = random.nextInt(40) - 20;
            long b = random.nextInt(40) - 20;
            int shape = random.nextInt(4);
            String n = switch (shape) {
                case 0 -> String.valueOf(a);
                case 1 -> "[" + a + "," + b + "]";
                case 2 -> "\"" + a + "\"";
                default -> "null";
            };
            reads.put(id, "{\"n\":" + n + ",\"even\":" + (id % 2 == 0) + "}", null);
            if (shape == 0 || shape == 1) {
                all.add(new Pair(a, id));
            }
            if (shape == 1 && b != a) { // a value held twice counts once
                all.add(new Pair(b, id));
            }
        }
        Filter even = FilterParser.parse(TestJson.object("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}"));
        // about 1150 pairs pass: the selection is cut to the limit (300) once, on the way
        for (boolean descending : new boolean[] {false, true}) {
            Comparator<Pair> asc = Comparator.comparingLong(Pair::value).thenComparingLong(Pair::id);
            List<Pair> expected = new ArrayList<>(all.stream().filter(p -> p.id() % 2 == 0)
                    .filter(p -> descending ? p.value() <= 5 : p.value() >= -5)
                    .sorted(descending ? asc.reversed() : asc).toList());
            List<String> expectedPairs = new ArrayList<>();
            expected.subList(0, Math.min(300, expected.size()))
                    .forEach(p -> expectedPairs.add(p.id() + "=" + p.value()));
            String spec = "{\"key\":\"n\",\"direction\":\"" + (descending ? "desc" : "asc") + "\",\"start_from\":"
                    + (descending ? 5 : -5) + "}";
            List<OrderedScroll.OrderedRecord> got = OrderedScroll.scroll(reads, INTEGER, orderBy(spec), even, 300,
                    WithPayload.NONE, false);
            assertEquals(expectedPairs, pairs(got), "descending " + descending + ", seed " + seed);
            got.forEach(r -> assertInstanceOf(Long.class, r.orderValue()));
        }
    }

    @Test
    void eachIndexTypeOrdersByItsOwnValuesAndWritesThemAsQdrantsOrderValue() {
        MemoryPointReads reads = new MemoryPointReads()
                .put(1, "{\"v\":2.5,\"t\":\"2024-01-02T00:00:00Z\"}", null)
                .put(2, "{\"v\":2,\"t\":\"2024-01-01T00:00:00Z\"}", null)
                .put(3, "{\"v\":\"1\",\"t\":\"yesterday\"}", null)
                .put(4, "{\"v\":[7,-1.5],\"t\":1704067200}", null);
        ObjectNode floats = TestJson.object("{\"v\":{\"data_type\":\"float\",\"points\":0}}");
        List<OrderedScroll.OrderedRecord> byFloat = OrderedScroll.scroll(reads, floats, orderBy("\"v\""), null, 10,
                WithPayload.NONE, false);
        assertEquals(List.of("4=-1.5", "2=2.0", "1=2.5", "4=7.0"), pairs(byFloat));
        assertEquals("{\"id\":2,\"payload\":null,\"vector\":null,\"order_value\":2.0}",
                byFloat.get(1).toJson().toString());

        ObjectNode integers = TestJson.object("{\"v\":{\"data_type\":\"integer\",\"points\":0}}");
        assertEquals(List.of("2=2", "4=7"), pairs(OrderedScroll.scroll(reads, integers, orderBy("\"v\""), null, 10,
                WithPayload.NONE, false)));

        ObjectNode dates = TestJson.object("{\"t\":{\"data_type\":\"datetime\",\"points\":0}}");
        List<OrderedScroll.OrderedRecord> byDate = OrderedScroll.scroll(reads, dates,
                orderBy("{\"key\":\"t\",\"direction\":\"desc\"}"), null, 10, WithPayload.NONE, false);
        assertEquals(List.of("1=1704153600000000", "2=1704067200000000"), pairs(byDate));
        assertEquals(1704153600000000L, byDate.get(0).toJson().get("order_value").longValue());
        assertTrue(byDate.get(0).toJson().get("order_value").isIntegralNumber());
    }

    @Test
    void withoutARangeIndexOnTheKeyItIsABadRequest() {
        MemoryPointReads reads = new MemoryPointReads().put(1, "{\"n\":1}", null);
        for (String schema : new String[] {"{}", "{\"n\":{\"data_type\":\"keyword\"}}",
                "{\"m\":{\"data_type\":\"integer\"}}",
                "{\"n\":{\"data_type\":\"integer\",\"params\":{\"type\":\"integer\",\"lookup\":true,"
                        + "\"range\":false}}}"}) {
            BadRequestException e = assertThrows(BadRequestException.class, () -> OrderedScroll.scroll(reads,
                    TestJson.object(schema), orderBy("\"n\""), null, 10, WithPayload.ALL, false));
            assertTrue(e.getMessage().startsWith("Wrong input: No range index for `order_by` key: `n`."), schema);
        }
        assertEquals(0, reads.scrolls, "refused before reading");
        // the schema's key is matched as a path, however it is written
        assertEquals(List.of("1=1"), pairs(OrderedScroll.scroll(reads,
                TestJson.object("{\"\\\"n\\\"\":{\"data_type\":\"integer\"}}"), orderBy("\"n\""), null, 10,
                WithPayload.NONE, false)));
    }

    @Test
    void amongGivenIdsOnlyThoseThatExistAreOrderedAndEachIsReadOnce() {
        MemoryPointReads reads = new MemoryPointReads();
        for (long id = 0; id < 20; id++) {
            reads.put(id, "{\"n\":" + (id % 5) + ",\"name\":\"p" + id + "\"}", id % 2 == 0 ? new float[] {id} : null);
        }
        List<PointId> ids = List.of(PointId.of(3), PointId.of(9), PointId.of(4), PointId.of(3), PointId.of(12),
                PointId.of(99));
        List<OrderedScroll.OrderedRecord> got = OrderedScroll.among(reads, INTEGER,
                orderBy("{\"key\":\"n\",\"direction\":\"desc\"}"), ids, 3, WithPayload.ALL, true);
        assertEquals(List.of("9=4", "4=4", "3=3"), pairs(got));
        assertEquals(0, reads.scrolls);
        assertEquals("p9", got.get(0).record().payloadOrNull().get("name").asText());
        assertTrue(got.get(0).record().vectorMissing(), "point 9 has no vector");
        assertFalse(got.get(1).record().vectorMissing());
        assertEquals(4f, got.get(1).record().vectorOrNull()[0]);
    }

    @Test
    void aPointDeletedBeforeItsRecordIsReadIsLeftOut() {
        MemoryPointReads reads = new MemoryPointReads() {
            @Override
            public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
                if (withPayload == WithPayload.NONE) {
                    remove(1); // the second read: the page's points, after point 1 was deleted
                }
                return super.retrieve(ids, withPayload, withVector);
            }
        };
        reads.put(1, "{\"n\":1}", null).put(2, "{\"n\":2}", null);
        List<OrderedScroll.OrderedRecord> got = OrderedScroll.among(reads, INTEGER, orderBy("\"n\""),
                List.of(PointId.of(1), PointId.of(2)), 10, WithPayload.NONE, false);
        assertEquals(List.of("2=2"), pairs(got));
        assertNull(got.get(0).record().payloadOrNull());
    }
}
