package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payload key paths through the embedded API: set_payload's key, delete-keys and with_payload include/exclude walk
 * {@code a[]}, {@code a[n]} and quoted keys as Qdrant does; malformed paths are rejected and change nothing.
 */
class PayloadKeyPathsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START = "{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}";

    @TempDir
    Path storage;

    private static ObjectNode payload(Collection c) {
        return c.retrieve(PointId.of(1)).payloadOrNull();
    }

    private static ObjectNode selected(Collection c, WithPayload w) {
        return c.retrieve(List.of(PointId.of(1)), w, false).getFirst().payloadOrNull();
    }

    private static Collection withPoint(Quiver q) {
        Collection c = q.createCollection("paths", CollectionConfig.of(2, Distance.DOT));
        c.upsert(List.of(new Point(PointId.of(1), new float[] {1, 0}, TestJson.object(START))), true);
        return c;
    }

    @Test
    void setPayloadWithAKeyPathEditsTheObjectsItReaches() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = withPoint(q);
            PointsSelector one = PointsSelector.ids(PointId.of(1));
            c.setPayload(one, TestJson.object("{\"z\":0}"), "arr[0]", true);
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5,\"z\":0},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"),
                    payload(c));
            c.setPayload(one, TestJson.object("{\"w\":1}"), "arr[]", true);
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5,\"z\":0,\"w\":1},{\"a\":2,\"w\":1}],\"tags\":[\"x\",\"y\"],"
                    + "\"o\":{\"k\":1}}"), payload(c));
            c.setPayload(one, TestJson.object("{\"d\":3}"), "o.p.q", true);
            c.setPayload(one, TestJson.object("{\"e\":4}"), "\"dotted.key\"", true);
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5,\"z\":0,\"w\":1},{\"a\":2,\"w\":1}],\"tags\":[\"x\",\"y\"],"
                    + "\"o\":{\"k\":1,\"p\":{\"q\":{\"d\":3}}},\"dotted.key\":{\"e\":4}}"), payload(c));
        }
    }

    @Test
    void malformedKeyPathsAreRejectedAndChangeNothing() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = withPoint(q);
            PointsSelector one = PointsSelector.ids(PointId.of(1));
            for (String bad : new String[] {"", "a..b", ".a", "a.", "arr[", "arr[x]", "arr[-1]", "[0]"}) {
                assertThrows(BadRequestException.class, () -> c.setPayload(one, TestJson.object("{\"z\":0}"), bad, true), bad);
                assertThrows(BadRequestException.class, () -> c.deletePayloadKeys(one, List.of("o", bad), true), bad);
            }
            assertEquals(TestJson.object(START), payload(c));
        }
    }

    @Test
    void deleteKeysWalksArrays() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = withPoint(q);
            PointsSelector one = PointsSelector.ids(PointId.of(1));
            c.deletePayloadKeys(one, List.of("arr[0].b"), true);
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1},{\"a\":2}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"), payload(c));
            c.deletePayloadKeys(one, List.of("arr[].a", "tags[0]"), true);
            assertEquals(TestJson.object("{\"arr\":[{},{}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"), payload(c));
            c.deletePayloadKeys(one, List.of("tags[]", "o.k"), true);
            assertEquals(TestJson.object("{\"arr\":[{},{}],\"tags\":[],\"o\":{}}"), payload(c));
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(TestJson.object("{\"arr\":[{},{}],\"tags\":[],\"o\":{}}"), payload(q.collection("paths")),
                    "the same after replay");
        }
    }

    @Test
    void withPayloadIncludeAndExcludeWalkArrays() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = withPoint(q);
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1},{\"a\":2}]}"), selected(c, WithPayload.include(List.of("arr[].a"))));
            assertEquals(TestJson.object("{\"arr\":[]}"), selected(c, WithPayload.include(List.of("arr.a"))));
            assertEquals(TestJson.object("{\"o\":{\"k\":1},\"tags\":[\"x\",\"y\"]}"),
                    selected(c, WithPayload.include(List.of("o.k", "tags"))));
            assertEquals(TestJson.object("{\"arr\":[{\"b\":5},{}],\"tags\":[\"x\",\"y\"],\"o\":{\"k\":1}}"),
                    selected(c, WithPayload.exclude(List.of("arr[].a"))));
            assertEquals(TestJson.object("{\"arr\":[{\"a\":1,\"b\":5},{\"a\":2}],\"tags\":[],\"o\":{}}"),
                    selected(c, WithPayload.exclude(List.of("tags[]", "o.k"))));
            assertEquals(TestJson.object(START), payload(c), "selection does not touch the stored payload");
        }
    }

    @Test
    void withPayloadTakesQdrantsShapesOnly() throws Exception {
        assertEquals(WithPayload.ALL, WithPayload.parse(JSON.readTree("true")));
        assertEquals(WithPayload.NONE, WithPayload.parse(JSON.readTree("false")));
        assertEquals(WithPayload.include(List.of("a", "b[].c")), WithPayload.parse(JSON.readTree("[\"a\",\"b[].c\"]")));
        assertEquals(WithPayload.include(List.of("a")), WithPayload.parse(JSON.readTree("{\"include\":[\"a\"]}")));
        assertEquals(WithPayload.exclude(List.of()), WithPayload.parse(JSON.readTree("{\"exclude\":[]}")));
        for (String bad : new String[] {"{\"include\":\"k\"}", "{\"exclude\":\"k\"}",
                "{\"include\":[\"a\"],\"exclude\":[\"b\"]}", "{}", "{\"include\":[\"a\"],\"other\":1}",
                "{\"include\":null}", "{\"fields\":[\"a\"]}", "[\"a..b\"]", "[\"\"]", "{\"include\":[\"a[\"]}", "[1]",
                "\"a\"", "3"}) {
            JsonNode node = JSON.readTree(bad);
            assertThrows(BadRequestException.class, () -> WithPayload.parse(node), bad);
        }
        assertThrows(BadRequestException.class, () -> new WithPayload(true, List.of("a"), List.of("b")));
    }
}
