package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text with an unpaired UTF-16 surrogate (which Jackson reads from a lone escape but cannot read back once written
 * as UTF-8) never reaches a stored payload: a payload holding one, or a set-payload key, is a BadRequest before
 * anything is logged, and the shard goes on applying writes (before the fix such a key stopped the shard).
 */
class UnpairedSurrogateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONE = String.valueOf((char) 0xD800);

    @TempDir
    Path storage;

    @Test
    void loneSurrogatesAreRefusedAndTheShardKeepsWorking() throws Exception {
        assertTrue(JsonText.isWellFormed("a" + (char) 0xD83D + (char) 0xDE00 + "b"), "a pair is fine");
        assertFalse(JsonText.isWellFormed(LONE + "x"));
        assertFalse(JsonText.isWellFormed(String.valueOf((char) 0xDC00)));
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("s", CollectionConfig.of(2, Distance.DOT));
            c.upsert(List.of(new Point(PointId.of(1), new float[] {1, 0})), true);
            ObjectNode payload = JSON.createObjectNode().put("z", 1);
            assertThrows(BadRequestException.class,
                    () -> c.setPayload(PointsSelector.ids(List.of(PointId.of(1))), payload, LONE, true));
            ObjectNode badKey = JSON.createObjectNode().put(LONE, 1);
            assertThrows(BadRequestException.class,
                    () -> c.upsert(List.of(new Point(PointId.of(2), new float[] {0, 1}, badKey)), true));
            ObjectNode badValue = JSON.createObjectNode().put("t", "x" + LONE);
            assertThrows(BadRequestException.class,
                    () -> c.overwritePayload(PointsSelector.ids(List.of(PointId.of(1))), badValue, true));
            c.setPayload(PointsSelector.ids(List.of(PointId.of(1))), payload, "a.b", true);
            assertEquals("{\"a\":{\"b\":{\"z\":1}}}", c.retrieve(PointId.of(1)).payloadOrNull().toString(),
                    "the shard still applies writes");
        }
    }

    /** Names an embedded caller gives that end up in files (config.json, aliases.json, directory names). */
    @Test
    void loneSurrogatesInNamesAreRefusedBeforeAnythingIsStored() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            assertThrows(ValidationException.class, () -> q.createCollection("c" + LONE, CollectionConfig.of(2,
                    Distance.DOT)));
            Collection c = q.createCollection("n", CollectionConfig.of(2, Distance.DOT));
            assertThrows(BadRequestException.class,
                    () -> c.createPayloadIndex("f" + LONE, JSON.getNodeFactory().textNode("keyword"), true));
            assertTrue(c.info().payloadSchema().isEmpty(), "no index was recorded");
            assertThrows(BadRequestException.class, () -> q.updateAliases(List.of(new AliasAction.Create("n",
                    "a" + LONE))));
            assertThrows(BadRequestException.class, () -> q.updateAliases(List.of(new AliasAction.Create("n", "a"),
                    new AliasAction.Rename("a", LONE))));
            assertTrue(q.aliases().isEmpty(), "all or nothing: not even the first action");
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(List.of("n"), q.collectionNames(), "nothing else was created");
        }
    }
}
