package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The collection name in the path of every collection endpoint, over a real socket: Qdrant checks its length (1 to
 * 255 characters) on every endpoint, before anything else about the request, and answers a 422 "Validation error in
 * path parameters"; the stricter character rule applies to new collections only, so reading a name with such a
 * character is an ordinary 404.
 */
class CollectionPathRestTest extends RestServerTest {
    private static final String VECTORS = "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}";

    @Test
    void aNameLongerThan255CharactersIsA422OnEveryCollectionEndpoint() {
        String c = "/collections/" + "n".repeat(256);
        String[][] requests = {
                {"GET", c, null},
                {"GET", c + "/exists", null},
                {"DELETE", c, null},
                {"PATCH", c, "{}"},
                {"GET", c + "/points/1", null},
                {"POST", c + "/points", "{\"ids\":[1]}"},
                {"POST", c + "/points/scroll", "{}"},
                {"POST", c + "/points/count", "{}"},
                {"POST", c + "/points/search", "{\"vector\":[1,0],\"limit\":1}"},
                {"POST", c + "/points/query", "{}"},
                {"PUT", c + "/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0]}]}"},
                {"POST", c + "/points/payload?wait=true", "{\"payload\":{},\"points\":[1]}"},
                {"POST", c + "/points/delete?wait=true", "{\"points\":[1]}"},
                {"PUT", c + "/index?wait=true", "{\"field_name\":\"a\",\"field_schema\":\"keyword\"}"},
                {"DELETE", c + "/index/a?wait=true", null},
                {"GET", c + "/snapshots", null},
                {"POST", c + "/facet", "{\"key\":\"a\"}"},
                // a malformed body does not come first: the path is checked before the body is read
                {"POST", c + "/points/search", "{not json"},
        };
        for (String[] r : requests) {
            String error = rest.error(422, r[0], r[1], r[2]);
            assertEquals("Validation error in path parameters: [name: length must be between 1 and 255 characters, "
                    + "got 256]", error, r[0] + " " + r[1]);
        }
    }

    @Test
    void aNameOf255CharactersIsAnOrdinaryName() {
        String name = "é".repeat(255); // the length counts characters, not UTF-8 bytes (510 here)
        String c = "/collections/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(rest.error(404, "GET", c, null).contains("doesn't exist"));
        assertEquals(false, rest.ok("GET", c + "/exists", null).get("exists").asBoolean());
        assertEquals(false, rest.ok("DELETE", c, null).asBoolean());
        String ascii = "/collections/" + "n".repeat(255);
        assertTrue(rest.ok("PUT", ascii, VECTORS).asBoolean());
        rest.ok("PUT", ascii + "/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0]}]}");
        assertEquals(1, rest.ok("POST", ascii + "/points/count", "{}").get("count").asInt());
    }

    @Test
    void theCharacterRuleOfNewNamesDoesNotApplyToReads() {
        assertTrue(rest.error(404, "GET", "/collections/a:b", null).contains("doesn't exist"));
        assertTrue(rest.error(404, "POST", "/collections/a*b/points/scroll", "{}").contains("doesn't exist"));
        rest.error(422, "PUT", "/collections/a:b", VECTORS);
    }
}
