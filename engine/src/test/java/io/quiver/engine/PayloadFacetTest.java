package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadFacet} over in-memory pages: which index types can facet, which values each counts, once per point,
 * the order of equal counts, paging, and the answer without a suitable index.
 */
class PayloadFacetTest {
    /** Pages over {@code payloads} (ids 0, 1, …) in id order, filtered, each payload narrowed as asked. */
    private static PayloadFacet.Pages pages(List<ObjectNode> payloads) {
        return (offset, limit, filter, withPayload) -> {
            int from = offset == null ? 0 : Integer.parseInt(offset.toString());
            List<Record> out = new ArrayList<>();
            int i = from;
            for (; i < payloads.size() && out.size() < limit; i++) {
                if (filter == null || filter.matches(PointId.of(i), payloads.get(i))) {
                    out.add(new Record(PointId.of(i), withPayload.select(payloads.get(i)), null));
                }
            }
            return new ScrollResult(out, i < payloads.size() ? PointId.of(i) : null);
        };
    }

    private static String facet(String schema, List<ObjectNode> payloads, String key, Filter filter, int limit) {
        List<String> out = new ArrayList<>();
        for (PayloadFacet.Hit h : PayloadFacet.facet(TestJson.object(schema), () -> payloads.size(), key, filter, limit,
                pages(payloads))) {
            out.add(h.value() + "=" + h.count());
        }
        return String.join(" ", out);
    }

    @Test
    void keywordFacetCountsEachPointOnceAndOrdersEqualCountsByValue() {
        List<ObjectNode> payloads = new ArrayList<>();
        String[] cities = {"\"b\"", "[\"a\",\"a\",\"b\"]", "\"c\"", "7", "[\"c\",[\"d\"]]", "null", "[]", "\"é\"",
                "\"z\""};
        for (int i = 0; i < 3000; i++) {
            payloads.add(TestJson.object("{\"city\":" + cities[i % cities.length] + ",\"n\":" + (i % 3) + "}"));
        }
        String schema = "{\"city\":{\"data_type\":\"keyword\",\"points\":0}}";
        // 3000 = 9 · 333 + 3: the first three patterns hold 334 points each; "z" sorts before "é"
        assertEquals("\"b\"=668 \"c\"=667 \"a\"=334 \"z\"=333 \"é\"=333",
                facet(schema, payloads, "city", null, 10));
        assertEquals("\"b\"=668 \"c\"=667", facet(schema, payloads, "city", null, 2));
        Filter n0 = FilterParser.parse(TestJson.object("{\"must\":[{\"key\":\"n\",\"match\":{\"value\":0}}]}"));
        int expectedB = 0;
        for (int i = 0; i < 3000; i++) {
            if (i % 3 == 0 && (i % 9 == 0 || i % 9 == 1)) {
                expectedB++;
            }
        }
        assertTrue(facet(schema, payloads, "city", n0, 10).contains("\"b\"=" + expectedB));
    }

    @Test
    void integerUuidAndBoolIndexesCountTheirOwnValues() {
        List<ObjectNode> payloads = List.of(
                TestJson.object("{\"v\":[3,-1,3,\"3\",2.5],\"u\":\"550E8400-E29B-41D4-A716-446655440000\",\"b\":[true,false]}"),
                TestJson.object("{\"v\":-1,\"u\":\"{550e8400-e29b-41d4-a716-446655440000}\",\"b\":true}"),
                TestJson.object("{\"v\":18446744073709551615,\"u\":\"00000000000000000000000000000001\",\"b\":\"true\"}"),
                TestJson.object("{\"u\":\"not-a-uuid\"}"));
        assertEquals("-1=2 3=1",
                facet("{\"v\":{\"data_type\":\"integer\",\"points\":0}}", payloads, "v", null, 10));
        assertEquals("\"550e8400-e29b-41d4-a716-446655440000\"=2 \"00000000-0000-0000-0000-000000000001\"=1",
                facet("{\"u\":{\"data_type\":\"uuid\",\"points\":0}}", payloads, "u", null, 10));
        assertEquals("true=2 false=1", facet("{\"b\":{\"data_type\":\"bool\",\"points\":0}}", payloads, "b", null, 10));
        assertNull(PayloadFacet.canonicalUuid("550e8400-e29b-41d4-a716-44665544000g"));
    }

    @Test
    void aKeyWithoutAValueListingIndexIsRefusedUnlessTheCollectionIsEmpty() {
        List<ObjectNode> payloads = List.of(TestJson.object("{\"v\":1,\"f\":1.5}"));
        for (String schema : List.of("{}", "{\"f\":{\"data_type\":\"float\",\"points\":1}}",
                "{\"v\":{\"data_type\":\"integer\",\"params\":{\"type\":\"integer\",\"lookup\":false,\"range\":true},"
                        + "\"points\":1}}")) {
            for (String key : List.of("v", "f")) {
                BadRequestException e = assertThrows(BadRequestException.class,
                        () -> facet(schema, payloads, key, null, 10));
                assertTrue(e.getMessage().startsWith("Wrong input: No appropriate index for faceting: `" + key + "`"),
                        e.getMessage());
            }
        }
        assertEquals(List.of(), PayloadFacet.facet(TestJson.object("{}"), () -> 0, "v", null, 10, pages(List.of())));
        assertEquals("1=1", facet("{\"v\":{\"data_type\":\"integer\",\"params\":{\"type\":\"integer\",\"lookup\":true}"
                + ",\"points\":1}}", payloads, "v", null, 10));
    }
}
