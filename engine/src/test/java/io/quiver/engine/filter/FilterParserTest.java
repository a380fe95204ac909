package io.quiver.engine.filter;

import static io.quiver.engine.filter.FilterEvaluatorTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.QuiverException;
import io.quiver.engine.ValidationException;
import org.junit.jupiter.api.Test;

/** Shapes the parser accepts and the errors (with locations) it reports. */
class FilterParserTest {

    private static String error(String filter) {
        QuiverException e = assertThrows(BadRequestException.class, () -> FilterParser.parse(json(filter)), filter);
        return e.getMessage();
    }

    private static void assertError(String filter, String... fragments) {
        String message = error(filter);
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
        }
    }

    @Test
    void parsesEveryShape() {
        Filter f = FilterParser.parse(json("""
                {"must": {"key": "a.b[].c", "match": {"value": "x"}},
                 "should": [{"has_id": [1, "550e8400-e29b-41d4-a716-446655440000"]}, {"is_empty": {"key": "t"}}],
                 "must_not": [{"must": [{"is_null": {"key": "n"}}]}],
                 "min_should": {"conditions": [{"key": "p", "range": {"gte": 1.5, "lt": null}}], "min_count": 1}}"""));
        assertEquals(1, f.must().size());
        FieldCondition fc = assertInstanceOf(FieldCondition.class, f.must().getFirst());
        assertEquals("a.b[].c", fc.key().toString());
        assertEquals(new Match.Value("x"), fc.match());
        Condition.HasId hasId = assertInstanceOf(Condition.HasId.class, f.should().getFirst());
        assertTrue(hasId.ids().contains(PointId.of(1)));
        assertInstanceOf(Filter.class, f.mustNot().getFirst());
        assertEquals(1, f.minShould().minCount());
        FieldCondition range = (FieldCondition) f.minShould().conditions().getFirst();
        assertEquals(new FieldCondition.NumberRange(null, 1.5, null, null), range.range());
        assertEquals(json("{\"must\":{\"key\":\"a.b[].c\",\"match\":{\"value\":\"x\"}},\"should\":[{\"has_id\":[1,"
                + "\"550e8400-e29b-41d4-a716-446655440000\"]},{\"is_empty\":{\"key\":\"t\"}}],\"must_not\":[{\"must\":"
                + "[{\"is_null\":{\"key\":\"n\"}}]}],\"min_should\":{\"conditions\":[{\"key\":\"p\",\"range\":{\"gte\":1.5,"
                + "\"lt\":null}}],\"min_count\":1}}"), f.toJson());
        assertEquals(f, FilterParser.parse(f.toJson()));
        Filter ints = FilterParser.parse(json("{\"must\":{\"key\":\"n\",\"match\":{\"any\":[3,1,2]}}}"));
        assertEquals(ints, FilterParser.parse(ints.toJson()));
        assertEquals(new Match.Any(Match.Values.ofIntegers(new long[] {1, 2, 3})),
                ((FieldCondition) ints.must().getFirst()).match());
        assertNull(FilterParser.parseOrNull(null));
        assertNull(FilterParser.parseOrNull(json("null")));
    }

    @Test
    void nestedKeysAreResolvedFromTheRoot() {
        Filter f = FilterParser.parse(json("{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must\":[{\"nested\":"
                + "{\"key\":\"parts[]\",\"filter\":{\"must\":[{\"key\":\"name\",\"match\":{\"text\":\"x\"}}]}}}]}}}]}"));
        Condition.Nested outer = (Condition.Nested) f.must().getFirst();
        assertEquals("diet[]", outer.arrayKey().toString());
        Condition.Nested inner = (Condition.Nested) outer.filter().must().getFirst();
        FieldCondition name = (FieldCondition) inner.filter().must().getFirst();
        assertEquals("name", name.key().toString());
        assertEquals("diet[].parts[].name", name.fullKey().toString());
    }

    @Test
    void datetimeRangesNeedStringBoundsThatParse() {
        Filter f = FilterParser.parse(json("{\"must\":{\"key\":\"d\",\"range\":{\"gte\":\"2020-01-01T00:00:00Z\"}}}"));
        assertEquals(DateTimeParser.parseMicros("2020-01-01"),
                ((FieldCondition) f.must().getFirst()).datetimeRange().gte());
        assertError("{\"must\":{\"key\":\"d\",\"range\":{\"gte\":\"2020-13-01\"}}}", "filter.must.range.gte",
                "RFC3339");
        assertError("{\"must\":{\"key\":\"d\",\"range\":{\"gte\":\"2020-01-01\",\"lt\":5}}}", "filter.must.range.lt");
        assertError("{\"must\":{\"key\":\"d\",\"range\":{\"gte\":true}}}", "filter.must.range.gte", "boolean");
        assertError("{\"must\":{\"key\":\"d\",\"range\":{\"from\":1}}}", "unknown field `from`");
    }

    @Test
    void rejectsMalformedFilters() {
        assertError("[]", "filter:", "expected a filter object");
        assertError("{\"must\":[],\"filter\":{}}", "filter:", "unknown field `filter`");
        assertError("{\"must\":\"x\"}", "filter.must:", "expected a condition object or an array");
        assertError("{\"must\":[1]}", "filter.must[0]:", "expected a condition object");
        assertError("{\"must\":[{\"foo\":1}]}", "filter.must[0]:", "unknown condition [foo]");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1.5}}]}", "filter.must[0].match.value",
                "string, a 64-bit integer or a boolean");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":null}}]}", "filter.must[0].match.value");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"nope\":1}}]}", "unknown field `nope` in match");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1,\"any\":[1]}}]}", "exactly one of");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"any\":[1,\"x\"]}}]}", "filter.must[0].match.any[1]");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"except\":\"x\"}}]}", "match.except", "array");
        assertError("{\"must\":[{\"key\":\"a\",\"match\":{\"text\":5}}]}", "match.text", "expected a string");
        assertError("{\"must\":[{\"key\":5,\"match\":{\"value\":1}}]}", "filter.must[0].key", "payload key string");
        assertError("{\"must\":[{\"key\":\"a..b\",\"match\":{\"value\":1}}]}", "filter.must[0].key", "invalid payload key");
        assertError("{\"must\":[{\"key\":\"a[x]\",\"match\":{\"value\":1}}]}", "array index");
        assertError("{\"must\":[{\"key\":\"a\",\"oops\":1}]}", "unknown field `oops` in field condition");
        assertError("{\"must\":[{\"key\":\"a\",\"values_count\":{\"gt\":-1}}]}", "values_count.gt", "non-negative");
        assertError("{\"must\":[{\"has_id\":[-1]}]}", "filter.must[0].has_id[0]");
        assertError("{\"must\":[{\"has_id\":[\"not-a-uuid\"]}]}", "filter.must[0].has_id[0]", "UUID");
        assertError("{\"must\":[{\"has_id\":5}]}", "has_id", "array");
        assertError("{\"must\":[{\"is_empty\":{\"key\":\"a\",\"x\":1}}]}", "unknown field `x`");
        assertError("{\"must\":[{\"is_null\":\"a\"}]}", "filter.must[0].is_null");
        assertError("{\"must\":[{\"nested\":{\"key\":\"a\"}}]}", "filter.must[0].nested.filter", "missing");
        assertError("{\"must\":[{\"nested\":{\"key\":\"a\",\"filter\":{\"must\":[{\"zzz\":1}]}}}]}",
                "filter.must[0].nested.filter.must[0]");
        assertError("{\"min_should\":{\"conditions\":[]}}", "filter.min_should.min_count", "missing");
        assertError("{\"min_should\":{\"conditions\":{},\"min_count\":1}}", "min_should.conditions");
        assertError("{\"min_should\":{\"conditions\":[],\"min_count\":-2}}", "min_should.min_count");
        assertError("{\"must\":[{\"key\":\"l\",\"geo_radius\":{\"center\":{\"lon\":200,\"lat\":0},\"radius\":1}}]}",
                "geo_radius.center.lon");
        assertError("{\"must\":[{\"key\":\"l\",\"geo_polygon\":{\"exterior\":{\"points\":[{\"lon\":0,\"lat\":0}]}}}]}",
                "at least 4");
        assertError("{\"must\":[{\"has_vector\":1}]}", "has_vector");
    }

    @Test
    void aFieldConditionNeedsAConditionPart() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> FilterParser.parse(json("{\"must\":[{\"key\":\"a\"}]}")));
        assertTrue(e.getMessage().contains("filter.must[0]: At least one field condition must be specified"),
                e.getMessage());
        ValidationException e2 = assertThrows(ValidationException.class,
                () -> FilterParser.parse(json("{\"must\":[{\"key\":\"a\",\"match\":null,\"range\":null}]}")));
        assertTrue(e2.getMessage().startsWith("Validation error in JSON body"));
    }
}
