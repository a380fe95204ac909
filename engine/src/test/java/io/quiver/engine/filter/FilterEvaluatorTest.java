package io.quiver.engine.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.PointId;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Example-based checks of every condition kind's edge cases, following Qdrant's documented and tested behaviour. */
class FilterEvaluatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PointId ID = PointId.of(7);

    /** The payload of Qdrant's own condition-checker test. */
    private static final String PRODUCT = """
            {"location": {"lon": 13.404954, "lat": 52.520008}, "price": 499.90, "amount": 10,
             "rating": [3, 7, 9, 9], "color": "red", "has_delivery": true, "shipped_at": "2020-02-15T00:00:00Z",
             "parts": [], "packaging": null, "not_null": [null]}""";

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static boolean matches(String filter, String payload) {
        return FilterParser.parse(json(filter)).matches(ID, (com.fasterxml.jackson.databind.node.ObjectNode) json(payload));
    }

    private static boolean must(String condition, String payload) {
        return matches("{\"must\":[" + condition + "]}", payload);
    }

    @Test
    void aFilterForANamedVectorMatchesItsNameAsSegmentsKnowIt() {
        com.fasterxml.jackson.databind.node.ObjectNode payload = JSON.createObjectNode();
        Filter named = FilterParser.parse(json("{\"must\":[{\"has_vector\":\"image\"}]}"));
        assertFalse(FilterEvaluator.PLAIN.matches(named, ID, payload, true), "segments know no vector \"image\"");
        Filter forSegments = named.forVectorNamed("image");
        assertTrue(FilterEvaluator.PLAIN.matches(forSegments, ID, payload, true));
        assertFalse(FilterEvaluator.PLAIN.matches(forSegments, ID, payload, false), "a point without it");
        Filter unnamed = FilterParser.parse(json("{\"must\":[{\"has_vector\":\"\"}]}")).forVectorNamed("image");
        assertFalse(FilterEvaluator.PLAIN.matches(unnamed, ID, payload, true), "no unnamed vector there");
        Filter nested = FilterParser.parse(json("{\"should\":[{\"must\":[{\"has_vector\":\"image\"}]}]}"));
        assertFalse(FilterEvaluator.PLAIN.matches(nested, ID, payload, true));
        assertTrue(FilterEvaluator.PLAIN.matches(nested.forVectorNamed("image"), ID, payload, true),
                "a condition in a nested filter is renamed too");
        Filter field = FilterParser.parse(json("{\"must\":[{\"key\":\"has_vector\",\"match\":{\"value\":\"x\"}}]}"));
        assertTrue(field == field.forVectorNamed("image"), "no has_vector condition: the same filter");
        assertTrue(named == named.forVectorNamed(""), "an unnamed collection's filters stay as they are");
    }

    @Test
    void isEmptyIsMissingNullOrEmptyArray() {
        assertFalse(must("{\"is_empty\":{\"key\":\"price\"}}", PRODUCT));
        assertTrue(must("{\"is_empty\":{\"key\":\"something_new\"}}", PRODUCT));
        assertTrue(must("{\"is_empty\":{\"key\":\"parts\"}}", PRODUCT));
        assertTrue(must("{\"is_empty\":{\"key\":\"packaging\"}}", PRODUCT));
        assertFalse(must("{\"is_empty\":{\"key\":\"not_null\"}}", PRODUCT), "[null] is not empty");
        assertTrue(must("{\"is_empty\":{\"key\":\"a[].b\"}}", "{\"a\":[{\"b\":null},{\"c\":1}]}"));
        assertFalse(must("{\"is_empty\":{\"key\":\"a[].b\"}}", "{\"a\":[{\"b\":null},{\"b\":1}]}"));
        assertTrue(matches("{\"must_not\":[{\"is_empty\":{\"key\":\"price\"}}]}", PRODUCT));
    }

    @Test
    void isNullIsPresentAndNull() {
        assertFalse(must("{\"is_null\":{\"key\":\"amount\"}}", PRODUCT));
        assertFalse(must("{\"is_null\":{\"key\":\"parts\"}}", PRODUCT));
        assertFalse(must("{\"is_null\":{\"key\":\"something_else\"}}", PRODUCT), "missing is not null");
        assertTrue(must("{\"is_null\":{\"key\":\"packaging\"}}", PRODUCT));
        assertFalse(must("{\"is_null\":{\"key\":\"not_null\"}}", PRODUCT), "[null] is not null");
        assertTrue(must("{\"is_null\":{\"key\":\"a[].b\"}}", "{\"a\":[{\"b\":1},{\"b\":null}]}"));
    }

    @Test
    void fieldFormsOfIsEmptyAndIsNull() {
        assertTrue(must("{\"key\":\"missing\",\"is_empty\":true}", PRODUCT));
        assertFalse(must("{\"key\":\"missing\",\"is_empty\":false}", PRODUCT));
        assertTrue(must("{\"key\":\"missing\",\"is_null\":false}", PRODUCT));
        assertFalse(must("{\"key\":\"missing\",\"is_null\":true}", PRODUCT));
        assertTrue(must("{\"key\":\"not_null\",\"is_null\":true}", PRODUCT), "field form looks inside arrays");
        assertTrue(must("{\"key\":\"not_null\",\"is_empty\":false}", PRODUCT));
        assertTrue(must("{\"key\":\"parts\",\"is_empty\":true}", PRODUCT));
    }

    @Test
    void valuesCount() {
        assertFalse(must("{\"key\":\"rating\",\"values_count\":{\"gte\":10}}", PRODUCT));
        assertTrue(must("{\"key\":\"rating\",\"values_count\":{\"lt\":5}}", PRODUCT));
        assertTrue(must("{\"key\":\"rating\",\"values_count\":{\"gt\":3}}", PRODUCT));
        assertTrue(must("{\"key\":\"color\",\"values_count\":{\"lte\":1,\"gte\":1}}", PRODUCT), "scalar counts 1");
        assertTrue(must("{\"key\":\"packaging\",\"values_count\":{\"lt\":1}}", PRODUCT), "null counts 0");
        assertFalse(must("{\"key\":\"missing\",\"values_count\":{\"lt\":1}}", PRODUCT), "missing field never matches");
        assertTrue(must("{\"key\":\"c[].x\",\"values_count\":{\"gt\":1}}", "{\"c\":[{\"x\":[1,2]},{\"x\":3}]}"),
                "counted per reached value");
    }

    @Test
    void matchValueIsTypedEquality() {
        assertTrue(must("{\"key\":\"color\",\"match\":{\"value\":\"red\"}}", PRODUCT));
        assertFalse(must("{\"key\":\"color\",\"match\":{\"value\":\"Red\"}}", PRODUCT));
        assertTrue(must("{\"key\":\"amount\",\"match\":{\"value\":10}}", PRODUCT));
        assertFalse(must("{\"key\":\"x\",\"match\":{\"value\":5}}", "{\"x\":5.0}"), "5 does not match 5.0");
        assertFalse(must("{\"key\":\"x\",\"match\":{\"value\":\"5\"}}", "{\"x\":5}"));
        assertTrue(must("{\"key\":\"has_delivery\",\"match\":{\"value\":true}}", PRODUCT));
        assertFalse(must("{\"key\":\"has_delivery\",\"match\":{\"value\":\"true\"}}", PRODUCT));
        assertTrue(must("{\"key\":\"rating\",\"match\":{\"value\":9}}", PRODUCT), "any array element");
        assertFalse(must("{\"key\":\"x\",\"match\":{\"value\":1}}", "{\"x\":[[1]]}"), "arrays flatten one level");
        assertFalse(must("{\"key\":\"packaging\",\"match\":{\"value\":\"null\"}}", PRODUCT));
    }

    @Test
    void matchAnyAndExcept() {
        assertTrue(must("{\"key\":\"color\",\"match\":{\"any\":[\"blue\",\"red\"]}}", PRODUCT));
        assertFalse(must("{\"key\":\"color\",\"match\":{\"any\":[]}}", PRODUCT));
        assertTrue(must("{\"key\":\"rating\",\"match\":{\"any\":[1,7]}}", PRODUCT));
        assertFalse(must("{\"key\":\"amount\",\"match\":{\"any\":[\"10\"]}}", PRODUCT));
        assertFalse(must("{\"key\":\"color\",\"match\":{\"except\":[\"red\"]}}", PRODUCT));
        assertTrue(must("{\"key\":\"color\",\"match\":{\"except\":[\"blue\"]}}", PRODUCT));
        assertFalse(must("{\"key\":\"missing\",\"match\":{\"except\":[\"red\"]}}", PRODUCT),
                "except on a missing field does not match (Qdrant)");
        assertFalse(must("{\"key\":\"parts\",\"match\":{\"except\":[\"red\"]}}", PRODUCT), "[] has no element");
        assertFalse(must("{\"key\":\"packaging\",\"match\":{\"except\":[\"red\"]}}", PRODUCT), "null never matches");
        assertTrue(must("{\"key\":\"amount\",\"match\":{\"except\":[\"red\"]}}", PRODUCT), "other types match");
        assertTrue(must("{\"key\":\"color\",\"match\":{\"except\":[1]}}", PRODUCT));
        assertTrue(must("{\"key\":\"price\",\"match\":{\"except\":[499]}}", PRODUCT), "floats are not integers");
        assertTrue(must("{\"key\":\"rating\",\"match\":{\"except\":[3,7]}}", PRODUCT), "9 is not excluded");
        assertFalse(must("{\"key\":\"rating\",\"match\":{\"except\":[3,7,9]}}", PRODUCT));
        assertTrue(must("{\"key\":\"location\",\"match\":{\"except\":[\"x\"]}}", PRODUCT), "objects match");
        assertTrue(must("{\"key\":\"x\",\"match\":{\"except\":[1]}}", "{\"x\":[[1]]}"), "nested arrays match");
        assertTrue(must("{\"key\":\"has_delivery\",\"match\":{\"except\":[]}}", PRODUCT));
    }

    @Test
    void rangeOnNumbersAndDatetimes() {
        assertTrue(must("{\"key\":\"price\",\"range\":{\"gte\":400,\"lte\":500}}", PRODUCT));
        assertFalse(must("{\"key\":\"price\",\"range\":{\"gt\":499.9}}", PRODUCT));
        assertTrue(must("{\"key\":\"amount\",\"range\":{\"gte\":9.5,\"lt\":10.5}}", PRODUCT), "int vs float bounds");
        assertTrue(must("{\"key\":\"rating\",\"range\":{\"gt\":8}}", PRODUCT));
        assertFalse(must("{\"key\":\"color\",\"range\":{\"gte\":0}}", PRODUCT), "strings never match a number range");
        assertFalse(must("{\"key\":\"has_delivery\",\"range\":{\"gte\":0}}", PRODUCT));
        assertTrue(must("{\"key\":\"price\",\"range\":{\"gt\":null,\"gte\":null,\"lt\":null,\"lte\":null}}", PRODUCT));
        String feb = "{\"key\":\"shipped_at\",\"range\":{\"gte\":\"2020-02-01T00:00:00Z\",\"lt\":\"2020-03-01T00:00:00Z\"}}";
        String mar = "{\"key\":\"shipped_at\",\"range\":{\"gte\":\"2020-03-01T00:00:00Z\",\"lt\":\"2020-04-01T00:00:00Z\"}}";
        assertTrue(must(feb, PRODUCT));
        assertFalse(must(mar, PRODUCT));
        assertTrue(must("{\"key\":\"shipped_at\",\"range\":{\"lte\":\"2020-02-15T01:00:00+01:00\"}}", PRODUCT),
                "offsets are honoured");
        assertFalse(must("{\"key\":\"shipped_at\",\"range\":{\"lt\":\"2020-02-15\"}}", PRODUCT));
        assertTrue(must("{\"key\":\"shipped_at\",\"range\":{\"lte\":\"2020-02-15\"}}", PRODUCT));
        assertFalse(must("{\"key\":\"amount\",\"range\":{\"gte\":\"2000-01-01\"}}", PRODUCT), "numbers are not dates");
        assertTrue(must("{\"key\":\"d\",\"range\":{\"gt\":\"2020-01-01T00:00:00Z\"}}", "{\"d\":\"2020-01-01 00:00:01\"}"));
    }

    @Test
    void textMatchIsSubstringWithoutIndexAndTokensWithIndex() {
        String p = "{\"d\":\"Good, cheap food\",\"e\":[\"red apple\", 3]}";
        assertTrue(must("{\"key\":\"d\",\"match\":{\"text\":\"d, ch\"}}", p));
        assertFalse(must("{\"key\":\"d\",\"match\":{\"text\":\"cheap good\"}}", p));
        assertTrue(must("{\"key\":\"d\",\"match\":{\"text_any\":\"zzz food\"}}", p));
        assertTrue(must("{\"key\":\"d\",\"match\":{\"phrase\":\"cheap food\"}}", p));
        assertTrue(must("{\"key\":\"e\",\"match\":{\"text\":\"apple\"}}", p));
        FilterEvaluator indexed = new FilterEvaluator(Map.of("d", TextAnalyzer.DEFAULT, "e", TextAnalyzer.DEFAULT));
        var payload = (com.fasterxml.jackson.databind.node.ObjectNode) json(p);
        assertTrue(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"text\":\"cheap GOOD\"}}"), ID, payload));
        assertFalse(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"text\":\"d, ch\"}}"), ID, payload));
        assertTrue(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"text_any\":\"zzz FOOD\"}}"), ID, payload));
        assertFalse(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"phrase\":\"food cheap\"}}"), ID, payload));
        assertTrue(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"phrase\":\"cheap, food\"}}"), ID, payload));
        assertFalse(indexed.matches(parse("{\"key\":\"d\",\"match\":{\"text\":\"!!\"}}"), ID, payload),
                "a query without tokens matches nothing");
    }

    private static Filter parse(String condition) {
        return FilterParser.parse(json("{\"must\":[" + condition + "]}"));
    }

    @Test
    void keyPaths() {
        String p = "{\"country\":{\"name\":\"Japan\",\"cities\":[{\"name\":\"Tokyo\",\"population\":9.3,"
                + "\"sightseeing\":[\"Tokyo Tower\"]},{\"name\":\"Osaka\",\"population\":2.7,"
                + "\"sightseeing\":[\"Osaka Castle\"]}]}}";
        assertTrue(must("{\"key\":\"country.name\",\"match\":{\"value\":\"Japan\"}}", p));
        assertTrue(must("{\"key\":\"country.cities[].population\",\"range\":{\"gte\":9.0}}", p));
        assertTrue(must("{\"key\":\"country.cities[].sightseeing\",\"match\":{\"value\":\"Osaka Castle\"}}", p));
        assertTrue(must("{\"key\":\"country.cities[1].name\",\"match\":{\"value\":\"Osaka\"}}", p));
        assertFalse(must("{\"key\":\"country.cities[0].name\",\"match\":{\"value\":\"Osaka\"}}", p));
        assertFalse(must("{\"key\":\"country.cities.name\",\"match\":{\"value\":\"Osaka\"}}", p),
                "a .key step does not enter arrays (Qdrant); use []");
        assertTrue(must("{\"key\":\"country.cities[]\",\"values_count\":{\"gte\":1}}", p));
        assertTrue(must("{\"key\":\"a.b\",\"match\":{\"value\":1}}", "{\"a.b\":1,\"a\":{\"b\":1}}"));
        assertTrue(must("{\"key\":\"\\\"a.b\\\"\",\"match\":{\"value\":2}}", "{\"a.b\":2}"), "quoted keys");
    }

    @Test
    void nestedRequiresOneElementToSatisfyTheWholeFilter() {
        String trex = "{\"dinosaur\":\"t-rex\",\"diet\":[{\"food\":\"leaves\",\"likes\":false},"
                + "{\"food\":\"meat\",\"likes\":true}]}";
        String diplodocus = "{\"dinosaur\":\"diplodocus\",\"diet\":[{\"food\":\"leaves\",\"likes\":true},"
                + "{\"food\":\"meat\",\"likes\":false}]}";
        String flat = "{\"must\":[{\"key\":\"diet[].food\",\"match\":{\"value\":\"meat\"}},"
                + "{\"key\":\"diet[].likes\",\"match\":{\"value\":true}}]}";
        assertTrue(matches(flat, trex));
        assertTrue(matches(flat, diplodocus));
        for (String key : new String[] {"diet", "diet[]"}) {
            String nested = "{\"must\":[{\"nested\":{\"key\":\"" + key + "\",\"filter\":{\"must\":["
                    + "{\"key\":\"food\",\"match\":{\"value\":\"meat\"}},{\"key\":\"likes\",\"match\":{\"value\":true}}]}}}]}";
            assertTrue(matches(nested, trex), key);
            assertFalse(matches(nested, diplodocus), key);
        }
        assertFalse(matches("{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must\":[{\"has_id\":[7]}]}}}]}",
                trex), "has_id never holds inside nested");
        assertFalse(matches("{\"must\":[{\"nested\":{\"key\":\"dinosaur\",\"filter\":{}}}]}", trex),
                "a non-array key has no elements");
        assertTrue(matches("{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must_not\":"
                + "[{\"is_empty\":{\"key\":\"food\"}}]}}}]}", trex));
    }

    @Test
    void hasIdAndHasVector() {
        PointId uuid = PointId.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000"));
        Filter f = FilterParser.parse(json("{\"must\":[{\"has_id\":[1,\"550E8400-E29B-41D4-A716-446655440000\"]}]}"));
        var empty = JSON.createObjectNode();
        assertTrue(f.matches(PointId.of(1), empty));
        assertTrue(f.matches(uuid, empty));
        assertFalse(f.matches(PointId.of(2), empty));
        assertTrue(FilterParser.parse(json("{\"must\":{\"has_vector\":\"\"}}")).matches(ID, empty));
        assertFalse(FilterParser.parse(json("{\"must\":{\"has_vector\":\"image\"}}")).matches(ID, empty));
    }

    @Test
    void clauseCombination() {
        String p = "{\"city\":\"London\",\"color\":\"red\"}";
        String london = "{\"key\":\"city\",\"match\":{\"value\":\"London\"}}";
        String red = "{\"key\":\"color\",\"match\":{\"value\":\"red\"}}";
        String blue = "{\"key\":\"color\",\"match\":{\"value\":\"blue\"}}";
        assertTrue(matches("{}", p));
        assertTrue(matches("{\"must\":[]}", p));
        assertTrue(matches("{\"must_not\":[]}", p));
        assertFalse(matches("{\"should\":[]}", p), "an empty should matches nothing");
        assertFalse(matches("{\"must\":[" + london + "],\"should\":[]}", p));
        assertTrue(matches("{\"should\":[" + blue + "," + red + "]}", p));
        assertTrue(matches("{\"must\":" + london + ",\"must_not\":" + blue + "}", p), "single-object clauses");
        assertFalse(matches("{\"must\":[" + london + "],\"must_not\":[" + red + "]}", p));
        assertTrue(matches("{\"min_should\":{\"conditions\":[" + london + "," + red + "," + blue + "],\"min_count\":2}}", p));
        assertFalse(matches("{\"min_should\":{\"conditions\":[" + london + "," + blue + "],\"min_count\":2}}", p));
        assertTrue(matches("{\"min_should\":{\"conditions\":[],\"min_count\":0}}", p));
        assertTrue(matches("{\"must\":[{\"should\":[" + blue + "," + red + "]},{\"must_not\":[" + blue + "]}]}", p),
                "nested filters as conditions");
        assertTrue(matches("{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"blue\"},\"range\":{\"gte\":0},"
                + "\"values_count\":{\"gte\":1}}]}", p), "values_count decides when present (Qdrant)");
    }

    @Test
    void geoConditions() {
        String p = "{\"location\":[{\"lat\":52.52197645,\"lon\":13.413637435864272},"
                + "{\"lat\":55.7536283,\"lon\":37.62137960067377}]}";
        assertTrue(must("{\"key\":\"location\",\"geo_radius\":{\"center\":{\"lon\":13.423637,\"lat\":52.511},"
                + "\"radius\":2000.0}}", p));
        assertFalse(must("{\"key\":\"location\",\"geo_radius\":{\"center\":{\"lon\":20.423637,\"lat\":52.511},"
                + "\"radius\":2000.0}}", p));
        assertTrue(must("{\"key\":\"location\",\"geo_bounding_box\":{\"top_left\":{\"lon\":13.08835,\"lat\":52.67551},"
                + "\"bottom_right\":{\"lon\":13.76116,\"lat\":52.33826}}}", p));
        assertFalse(must("{\"key\":\"location\",\"geo_bounding_box\":{\"top_left\":{\"lon\":37.0,\"lat\":52.0},"
                + "\"bottom_right\":{\"lon\":38.0,\"lat\":51.0}}}", p));
        String polygon = "{\"key\":\"location\",\"geo_polygon\":{\"exterior\":{\"points\":[{\"lon\":-70.0,\"lat\":-70.0},"
                + "{\"lon\":60.0,\"lat\":-70.0},{\"lon\":60.0,\"lat\":60.0},{\"lon\":-70.0,\"lat\":60.0},"
                + "{\"lon\":-70.0,\"lat\":-70.0}]},\"interiors\":[{\"points\":[{\"lon\":-65.0,\"lat\":-65.0},"
                + "{\"lon\":0.0,\"lat\":-65.0},{\"lon\":0.0,\"lat\":0.0},{\"lon\":-65.0,\"lat\":0.0},"
                + "{\"lon\":-65.0,\"lat\":-65.0}]}]}}";
        assertTrue(must(polygon, p));
        assertFalse(must(polygon, "{\"location\":{\"lon\":-10.0,\"lat\":-10.0}}"), "inside the hole");
        assertFalse(must(polygon, "{\"location\":{\"lon\":100.0,\"lat\":10.0}}"));
    }

    @Test
    void evaluatorHandlesNullFilterAndNonObjectPayloadParts() {
        assertTrue(FilterEvaluator.PLAIN.matches((Filter) null, ID, JSON.createObjectNode()));
        assertEquals(false, must("{\"key\":\"a.b\",\"match\":{\"value\":1}}", "{\"a\":5}"));
    }
}
