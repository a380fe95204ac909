package io.quiver.engine.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.TestJson;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key paths as set_payload's key, delete-keys and with_payload include/exclude use them; expectations follow Qdrant's
 * {@code JsonPath::value_set}, {@code value_remove} and {@code value_filter} (and its own tests where it has them).
 */
class JsonPathPayloadEditsTest {
    private static ObjectNode set(String payload, String key, String patch) {
        ObjectNode target = TestJson.object(payload);
        JsonPath.parse(key).setIn(target, TestJson.object(patch));
        return target;
    }

    private static ObjectNode remove(String payload, String key) {
        ObjectNode target = TestJson.object(payload);
        JsonPath.parse(key).removeFrom(target);
        return target;
    }

    private static List<JsonPath> paths(String... keys) {
        return Arrays.stream(keys).map(JsonPath::parse).toList();
    }

    private static final String NESTED = "{\"a\":{\"b\":[{\"c\":1},{\"c\":2},{\"d\":{\"e\":3}}]},\"f\":3,\"g\":[\"g0\",\"g1\"]}";

    @Test
    void setMergesIntoTheObjectsThePathReaches() {
        assertEquals(TestJson.object("{\"a\":{\"b\":5},\"f\":3,\"g\":[\"g0\",\"g1\"]}"), set(NESTED, "a", "{\"b\":5}"));
        assertEquals(TestJson.object("{\"a\":{\"b\":[{\"c\":1},{\"c\":5},{\"d\":{\"e\":3}}]},\"f\":3,\"g\":[\"g0\",\"g1\"]}"),
                set(NESTED, "a.b[1]", "{\"c\":5}"));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"x\":0},{\"a\":2,\"x\":0}]}"),
                set("{\"arr\":[{\"a\":1},{\"a\":2}]}", "arr[]", "{\"x\":0}"));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"x\":0},{\"a\":2}]}"),
                set("{\"arr\":[{\"a\":1},{\"a\":2}]}", "arr[0]", "{\"x\":0}"));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":{\"y\":1,\"x\":0}},{\"a\":{\"x\":0}}]}"),
                set("{\"arr\":[{\"a\":{\"y\":1}},{\"a\":7}]}", "arr[].a", "{\"x\":0}"));
        // elements that are not objects become objects, as in Qdrant
        assertEquals(TestJson.object("{\"arr\":[{\"x\":0},{\"a\":1,\"x\":0}]}"),
                set("{\"arr\":[5,{\"a\":1}]}", "arr[]", "{\"x\":0}"));
        // out-of-range index: nothing to edit
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1}]}"), set("{\"arr\":[{\"a\":1}]}", "arr[3]", "{\"x\":0}"));
    }

    @Test
    void setCreatesObjectsAlongKeysAndEmptyArraysForArraySteps() {
        assertEquals(TestJson.object("{\"key1\":{\"key2\":{\"c\":1}}}"), set("{}", "key1.key2", "{\"c\":1}"));
        assertEquals(TestJson.object("{\"key1\":{\"key2\":[]}}"), set("{}", "key1.key2[3]", "{\"c\":1}"));
        assertEquals(TestJson.object("{\"key1\":{\"key2\":[]}}"), set("{}", "key1.key2[].key3", "{\"c\":1}"));
        assertEquals(TestJson.object("{\"a\":{\"b\":{\"c\":{\"x\":1}}}}"), set("{\"a\":10}", "a.b.c", "{\"x\":1}"));
        assertEquals(TestJson.object("{\"a.b\":{\"x\":1}}"), set("{}", "\"a.b\"", "{\"x\":1}"));
    }

    @Test
    void aNullInThePatchRemovesItsKey() {
        // Qdrant's merge_map: set_payload {"k": null} deletes k instead of storing null; deeper nulls are values
        ObjectNode target = TestJson.object("{\"a\":1,\"b\":2,\"o\":{\"x\":1}}");
        JsonPath.mergeFields(target, TestJson.object("{\"a\":null,\"c\":null,\"o\":{\"x\":null},\"d\":3}"));
        assertEquals(TestJson.object("{\"b\":2,\"o\":{\"x\":null},\"d\":3}"), target);
        assertEquals(TestJson.object("{\"arr\":[{\"b\":2},{}]}"),
                set("{\"arr\":[{\"a\":1,\"b\":2},{\"a\":3}]}", "arr[]", "{\"a\":null}"));
    }

    @Test
    void setCopiesThePatchForEveryTarget() {
        ObjectNode target = TestJson.object("{\"arr\":[{},{}]}");
        JsonPath.parse("arr[]").setIn(target, TestJson.object("{\"o\":{\"n\":1}}"));
        ((ObjectNode) target.get("arr").get(0).get("o")).put("n", 2);
        assertEquals(TestJson.object("{\"arr\":[{\"o\":{\"n\":2}},{\"o\":{\"n\":1}}]}"), target);
    }

    @Test
    void removeFollowsQdrantValueRemove() {
        String p = "{\"a\":1,\"b\":{\"c\":123,\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[{\"j\":1,\"k\":2},{\"j\":3,\"k\":4}]}}}";
        assertEquals(TestJson.object("{\"a\":1,\"b\":{\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[{\"j\":1,\"k\":2},{\"j\":3,\"k\":4}]}}}"),
                remove(p, "b.c"));
        assertEquals(TestJson.object("{\"a\":1,\"b\":{\"c\":123,\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[{\"k\":2},{\"j\":3,\"k\":4}]}}}"),
                remove(p, "b.e.i[0].j"));
        assertEquals(TestJson.object("{\"a\":1,\"b\":{\"c\":123,\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[{\"j\":1},{\"j\":3}]}}}"),
                remove(p, "b.e.i[].k"));
        assertEquals(TestJson.object("{\"a\":1,\"b\":{\"c\":123,\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[]}}}"), remove(p, "b.e.i[]"));
        assertEquals(TestJson.object("{\"b\":{\"c\":123,\"e\":{\"f\":[1,2,3],\"g\":7,\"i\":[{\"j\":1,\"k\":2},{\"j\":3,\"k\":4}]}}}"),
                remove(p, "a"));
        // array elements are not deleted by index; paths that reach nothing remove nothing
        for (String nothing : new String[] {"b.e.i[0]", "b.e.f[1]", "k", "b.e.l", "a.x", "b.e.i.j", "b.e.i[5].j"}) {
            assertEquals(TestJson.object(p), remove(p, nothing), nothing);
        }
    }

    @Test
    void includeKeepsWhatAgreesWithSomePattern() {
        ObjectNode nested = TestJson.object(NESTED);
        assertEquals(TestJson.object("{\"a\":{\"b\":[{\"c\":1},{\"c\":2},{}]}}"), JsonPath.include(nested, paths("a.b[].c")));
        ObjectNode arr = TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"x\":1}");
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1},{\"a\":2}]}"), JsonPath.include(arr, paths("arr[].a")));
        assertEquals(TestJson.object("{\"arr\":[]}"), JsonPath.include(arr, paths("arr.a")));
        assertEquals(TestJson.object("{\"arr\":[]}"), JsonPath.include(arr, paths("arr[0]")));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}]}"), JsonPath.include(arr, paths("arr[]")));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"x\":1}"), JsonPath.include(arr, paths("x", "arr")));
        // plain dotted paths, a scalar or null on the way to a longer pattern, a quoted key
        ObjectNode plain = TestJson.object("{\"o\":{\"x\":1,\"y\":2},\"s\":5,\"n\":null,\"e\":{\"z\":1},\"a.b\":1,\"a\":{\"b\":2}}");
        assertEquals(TestJson.object("{\"o\":{\"x\":1}}"), JsonPath.include(plain, paths("o.x")));
        assertEquals(TestJson.object("{\"s\":5,\"n\":null,\"e\":{}}"), JsonPath.include(plain, paths("s.t", "n.t", "e.t")));
        assertEquals(TestJson.object("{\"a.b\":1}"), JsonPath.include(plain, paths("\"a.b\"")));
        assertEquals(TestJson.object("{\"a\":{\"b\":2}}"), JsonPath.include(plain, paths("a.b")));
        assertEquals(TestJson.object("{}"), JsonPath.include(plain, paths("missing")));
        assertEquals(TestJson.object("{}"), JsonPath.include(plain, List.of()));
    }

    @Test
    void excludeDropsWhatSomePatternIsAPrefixOf() {
        ObjectNode arr = TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"x\":1,\"y\":2}}");
        assertEquals(TestJson.object("{\"arr\":[{\"b\":5},{}],\"tags\":[\"x\",\"y\"],\"o\":{\"x\":1,\"y\":2}}"),
                JsonPath.exclude(arr, paths("arr[].a")));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[],\"o\":{\"x\":1,\"y\":2}}"),
                JsonPath.exclude(arr, paths("tags[]")));
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"y\":2}}"),
                JsonPath.exclude(arr, paths("o.x")));
        assertEquals(TestJson.object("{\"o\":{\"x\":1,\"y\":2}}"), JsonPath.exclude(arr, paths("arr", "tags")));
        for (String nothing : new String[] {"arr[0]", "arr.a", "tags[0]", "o.x.z", "missing"}) {
            assertEquals(arr, JsonPath.exclude(arr, paths(nothing)), nothing);
        }
        assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"x\":1,\"y\":2}}"), arr,
                "the payload given is not changed");
    }
}
