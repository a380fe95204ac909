package io.quiver.engine.filter;

import static io.quiver.engine.filter.FilterEvaluatorTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.BadRequestException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Key path parsing/walking and datetime parsing. */
class JsonPathAndDateTimeTest {

    private static List<String> values(String path, String payload) {
        List<JsonNode> out = new ArrayList<>();
        JsonPath.parse(path).collect(json(payload), out);
        return out.stream().map(JsonNode::toString).toList();
    }

    @Test
    void pathsParseToCanonicalText() {
        assertEquals("a.b[].c[3]", JsonPath.parse("a.b[].c[3]").toString());
        assertEquals("\"a.b\".c", JsonPath.parse("\"a.b\".c").toString());
        assertEquals("a[]", JsonPath.parse("a").arrayKey().toString());
        assertEquals("a[]", JsonPath.parse("a[]").arrayKey().toString());
        assertEquals("a[].b.c", JsonPath.parse("a[]").extend(JsonPath.parse("b.c")).toString());
        for (String bad : new String[] {"", ".a", "a.", "a..b", "[]", "a[", "a[-1]", "a[x]", "a]", "\"a", "a.\"\""}) {
            assertThrows(BadRequestException.class, () -> JsonPath.parse(bad), bad);
        }
    }

    @Test
    void walkingFollowsQdrantValueGet() {
        String p = "{\"arr\":[{\"a\":[1,2,3]},{\"a\":4},{\"b\":5}],\"o\":{\"x\":{\"y\":1}},\"n\":null}";
        assertEquals(List.of("[1,2,3]", "4"), values("arr[].a", p));
        assertEquals(List.of("1", "2", "3"), values("arr[].a[]", p));
        assertEquals(List.of(), values("arr.a", p));
        assertEquals(List.of("{\"b\":5}"), values("arr[2]", p));
        assertEquals(List.of(), values("arr[3]", p));
        assertEquals(List.of("1"), values("o.x.y", p));
        assertEquals(List.of("null"), values("n", p));
        assertEquals(List.of(), values("n.x", p));
        assertEquals(List.of(), values("missing", p));
    }

    @Test
    void datetimeFormats() {
        long base = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("2020-02-15T10:30:00Z"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T10:30:00Z"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15t10:30:00z"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15 10:30:00"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T10:30"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T11:30:00+01:00"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T11:30:00+0100"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T11:30:00+01"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15 11:30:00 +01:00"));
        assertEquals(base, DateTimeParser.parseMicros("2020-02-15T09:00:00-01:30"));
        assertEquals(base + 123_456, DateTimeParser.parseMicros("2020-02-15T10:30:00.1234569Z"));
        assertEquals(base + 500_000, DateTimeParser.parseMicros("2020-02-15T10:30:00.5"));
        assertEquals(base - 37_800_000_000L, DateTimeParser.parseMicros("2020-02-15"));
        assertEquals(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("1969-07-20T20:17:40Z")),
                DateTimeParser.parseMicros("1969-07-20T20:17:40Z"));
        assertEquals(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("2024-02-29T00:00:00Z")),
                DateTimeParser.parseMicros("2024-02-29"));
        for (String bad : new String[] {"2023-02-29", "2020-13-01", "2020-1-01", "2020-01-01T25:00:00Z",
            "2020-01-01T10", "2020-01-01T10:00+01:00", "2020-01-01T10:00:00+1", "2020-01-01T10:00:00.Z",
            "2020-01-01X10:00:00", "yesterday", ""}) {
            assertEquals(DateTimeParser.INVALID, DateTimeParser.parseMicros(bad), bad);
        }
    }

    @Test
    void tokenizer() {
        assertEquals(List.of("good", "cheap", "food", "42"), TextAnalyzer.DEFAULT.tokenizeDoc("Good, cheap-food! 42"));
        assertEquals(List.of("Good,", "cheap-food!"),
                TextAnalyzer.of(TextAnalyzer.Tokenizer.WHITESPACE, false, TextAnalyzer.UNSET, TextAnalyzer.UNSET)
                        .tokenizeDoc(" Good,  cheap-food! "));
        assertEquals(List.of("cheap", "food"),
                TextAnalyzer.of(TextAnalyzer.Tokenizer.WORD, true, 3, 5).tokenizeDoc("a good cheap food is ok"
                        .replace("good", "gooood")));
    }
}
