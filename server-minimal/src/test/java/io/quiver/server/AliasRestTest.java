package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's collection aliases over a real socket: {@code POST /collections/aliases} (create, rename, delete; in order,
 * all or nothing), {@code GET /aliases}, {@code GET /collections/{c}/aliases}, resolution on every collection-scoped
 * route, Qdrant's errors, alias switches that concurrent readers never see half done, deletes, restarts and snapshots.
 */
class AliasRestTest extends RestServerTest {

    @BeforeEach
    void twoCollections() {
        for (String c : List.of("blue", "green")) {
            assertTrue(rest.ok("PUT", "/collections/" + c, "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"}}")
                    .asBoolean());
        }
        StringBuilder blue = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 10; i++) {
            blue.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                    .append(",0,0,0],\"payload\":{\"c\":\"blue\"}}");
        }
        rest.ok("PUT", "/collections/blue/points?wait=true", blue.append("]}").toString());
        rest.ok("PUT", "/collections/green/points?wait=true", "{\"points\":[{\"id\":100,\"vector\":[0,1,0,0],"
                + "\"payload\":{\"c\":\"green\"}},{\"id\":101,\"vector\":[0,2,0,0],\"payload\":{\"c\":\"green\"}}]}");
    }

    private JsonNode aliases(String body) {
        return rest.ok("POST", "/collections/aliases", "{\"actions\":" + body + "}");
    }

    private static String create(String collection, String alias) {
        return "{\"create_alias\":{\"collection_name\":\"" + collection + "\",\"alias_name\":\"" + alias + "\"}}";
    }

    private static String delete(String alias) {
        return "{\"delete_alias\":{\"alias_name\":\"" + alias + "\"}}";
    }

    private static String rename(String from, String to) {
        return "{\"rename_alias\":{\"old_alias_name\":\"" + from + "\",\"new_alias_name\":\"" + to + "\"}}";
    }

    /** {@code GET /aliases} as "alias→collection" strings in the order listed. */
    private List<String> listed(String path) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : rest.ok("GET", path, null).get("aliases")) {
            assertEquals(2, a.size(), a.toString());
            out.add(a.get("alias_name").asText() + "→" + a.get("collection_name").asText());
        }
        return out;
    }

    private long count(String collection) {
        return rest.ok("POST", "/collections/" + collection + "/points/count", "{}").get("count").asLong();
    }

    @Test
    void createRenameDeleteAndList() {
        assertTrue(aliases("[" + create("blue", "prod") + "," + create("blue", "b2") + "," + create("green", "g")
                + "]").asBoolean());
        assertEquals(List.of("b2→blue", "prod→blue", "g→green"), listed("/aliases"));
        assertEquals(List.of("b2→blue", "prod→blue"), listed("/collections/blue/aliases"));
        // Qdrant neither resolves nor checks the name here
        assertEquals(List.of(), listed("/collections/prod/aliases"));
        assertEquals(List.of(), listed("/collections/nope/aliases"));

        aliases("[" + rename("b2", "b3") + "]");
        assertEquals(List.of("b3→blue", "prod→blue", "g→green"), listed("/aliases"));
        // create on an existing alias re-points it
        aliases("[" + create("green", "prod") + "]");
        assertEquals(List.of("b3→blue", "g→green", "prod→green"), listed("/aliases"));
        // deleting an alias that does not exist is no error; an empty request is a no-op
        aliases("[" + delete("b3") + "," + delete("b3") + "]");
        assertTrue(aliases("[]").asBoolean());
        assertEquals(List.of("g→green", "prod→green"), listed("/aliases"));
        assertTrue(rest.ok("POST", "/collections/aliases?timeout=5", "{\"actions\":[" + delete("g") + "]}")
                .asBoolean());
        assertEquals(List.of("prod→green"), listed("/aliases"));
    }

    @Test
    void everyCollectionRouteResolvesAnAlias() {
        aliases("[" + create("blue", "prod") + "]");
        String query = "{\"vector\":[2.2,0,0,0],\"limit\":3,\"with_payload\":true}";
        assertEquals(rest.ok("POST", "/collections/blue/points/search", query),
                rest.ok("POST", "/collections/prod/points/search", query));
        JsonNode points = rest.ok("POST", "/collections/prod/points/query", "{\"query\":[2.2,0,0,0],\"limit\":2}")
                .get("points");
        assertEquals(2, points.get(0).get("id").asInt());
        assertEquals(2, points.size());

        JsonNode upsert = rest.ok("PUT", "/collections/prod/points?wait=true",
                "{\"points\":[{\"id\":50,\"vector\":[50,0,0,0],\"payload\":{\"c\":\"via alias\"}}]}");
        assertEquals("completed", upsert.get("status").asText());
        assertEquals("via alias", rest.ok("GET", "/collections/blue/points/50", null).at("/payload/c").asText());
        JsonNode scroll = rest.ok("POST", "/collections/prod/points/scroll", "{\"limit\":20}");
        assertEquals(11, scroll.get("points").size());
        assertEquals(11, count("prod"));
        assertEquals("via alias", rest.ok("GET", "/collections/prod/points/50", null).at("/payload/c").asText());
        rest.ok("POST", "/collections/prod/points/payload?wait=true", "{\"payload\":{\"x\":1},\"points\":[50]}");
        assertEquals(1, rest.ok("GET", "/collections/blue/points/50", null).at("/payload/x").asInt());
        rest.ok("POST", "/collections/prod/points/delete?wait=true", "{\"points\":[50]}");
        assertEquals(10, count("blue"));

        assertEquals(rest.ok("GET", "/collections/blue", null).get("points_count"),
                rest.ok("GET", "/collections/prod", null).get("points_count"));
        assertTrue(rest.ok("GET", "/collections/prod/exists", null).get("exists").asBoolean());
        assertFalse(rest.ok("GET", "/collections/nope/exists", null).get("exists").asBoolean());
        assertEquals(0, rest.ok("GET", "/collections/prod/cluster", null).at("/local_shards/0/shard_id").asInt());

        // a config change and a payload index through the alias change the collection
        rest.ok("PATCH", "/collections/prod", "{\"optimizers_config\":{\"indexing_threshold\":12345}}");
        assertEquals(12345, rest.ok("GET", "/collections/blue", null).at("/config/optimizer_config/indexing_threshold")
                .asInt());
        rest.ok("PUT", "/collections/prod/index?wait=true", "{\"field_name\":\"c\",\"field_schema\":\"keyword\"}");
        assertTrue(rest.ok("GET", "/collections/blue", null).get("payload_schema").has("c"));
        JsonNode facet = rest.ok("POST", "/collections/prod/facet", "{\"key\":\"c\"}");
        assertEquals(10, facet.at("/hits/0/count").asInt());

        // the collection list shows collections only
        assertEquals(2, rest.ok("GET", "/collections", null).get("collections").size());
        // an alias that no longer exists is an unknown collection, in Qdrant's words
        aliases("[" + delete("prod") + "]");
        assertEquals("Not found: Collection `prod` doesn't exist!",
                rest.error(404, "POST", "/collections/prod/points/search", query));
    }

    @Test
    void qdrantsErrors() {
        aliases("[" + create("blue", "prod") + "]");
        assertEquals("Not found: Collection `nope` doesn't exist!",
                rest.error(404, "POST", "/collections/aliases", "{\"actions\":[" + create("nope", "x") + "]}"));
        // an alias is no collection: it cannot be aliased
        rest.error(404, "POST", "/collections/aliases", "{\"actions\":[" + create("prod", "x") + "]}");
        assertEquals("Wrong input: Collection `green` already exists!",
                rest.error(409, "POST", "/collections/aliases", "{\"actions\":[" + create("blue", "green") + "]}"));
        assertEquals("Not found: Alias gone does not exists!",
                rest.error(404, "POST", "/collections/aliases", "{\"actions\":[" + rename("gone", "x") + "]}"));
        assertEquals("Wrong input: Can't create collection with name prod. Alias with the same name already exists",
                rest.error(400, "PUT", "/collections/prod", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}"));
        assertEquals("Wrong input: Collection `blue` already exists!",
                rest.error(409, "PUT", "/collections/blue", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}"));

        rest.error(400, "POST", "/collections/aliases", "{}");
        rest.error(400, "POST", "/collections/aliases", "{\"actions\":{}}");
        assertTrue(rest.error(400, "POST", "/collections/aliases", "{\"actions\":[{\"drop_alias\":{\"alias_name\":"
                + "\"prod\"}}]}").contains("untagged enum AliasOperations"));
        rest.error(400, "POST", "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"blue\"}}]}");
        rest.error(400, "POST", "/collections/aliases",
                "{\"actions\":[{\"delete_alias\":{\"alias_name\":7}}]}");
        rest.error(422, "POST", "/collections/aliases?timeout=0", "{\"actions\":[]}");
        rest.error(405, "POST", "/aliases", "{}");
        assertEquals(List.of("prod→blue"), listed("/aliases"), "no failed request changed anything");
    }

    @Test
    void aFailingActionLeavesEveryEarlierActionUndone() {
        aliases("[" + create("blue", "prod") + "]");
        rest.error(404, "POST", "/collections/aliases", "{\"actions\":[" + delete("prod") + "," + create("green", "new")
                + "," + create("nope", "prod") + "]}");
        assertEquals(List.of("prod→blue"), listed("/aliases"));
        assertEquals(10, count("prod"));
        rest.error(409, "POST", "/collections/aliases", "{\"actions\":[" + rename("prod", "p2") + ","
                + create("green", "blue") + "]}");
        assertEquals(List.of("prod→blue"), listed("/aliases"));
    }

    /**
     * Readers of the alias while it is switched back and forth ({@code delete_alias} then {@code create_alias} in one
     * request, as Qdrant's docs switch an alias) always find one of the two collections, never none.
     */
    @Test
    void readersNeverSeeASwitchHalfDone() throws Exception {
        aliases("[" + create("blue", "prod") + "]");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofVirtual().start(() -> {
                RestClient client = new RestClient(server.port());
                while (!stop.get()) {
                    RestClient.Reply reply = client.send("POST", "/collections/prod/points/count", "{}");
                    long n = reply.status() == 200 ? reply.result().get("count").asLong() : -1;
                    if (n != 10 && n != 2) {
                        bad.add(reply.status() + " " + reply.body());
                    }
                    reads.incrementAndGet();
                }
            }));
        }
        for (int i = 0; i < 60; i++) {
            String target = i % 2 == 0 ? "green" : "blue";
            aliases("[" + delete("prod") + "," + create(target, "prod") + "]");
        }
        stop.set(true);
        for (Thread t : readers) {
            assertTrue(t.join(java.time.Duration.ofSeconds(30)));
        }
        assertTrue(bad.isEmpty(), bad.size() + " reads found no collection or a wrong one, e.g. "
                + bad.stream().limit(3).toList());
        assertTrue(reads.get() > 20, "the readers ran: " + reads.get());
        assertEquals(List.of("prod→blue"), listed("/aliases"));
    }

    @Test
    void deletingACollectionDropsItsAliasesButNotThroughAnAlias() throws Exception {
        aliases("[" + create("blue", "prod") + "," + create("green", "g") + "]");
        assertFalse(rest.ok("DELETE", "/collections/prod", null).asBoolean(), "an alias is not deleted as a collection");
        assertEquals(10, count("blue"));
        assertTrue(rest.ok("DELETE", "/collections/blue", null).asBoolean());
        assertEquals(List.of("g→green"), listed("/aliases"));
        rest.error(404, "GET", "/collections/prod", null);
        // a new collection of the old name has no aliases, and the alias name is free again
        rest.ok("PUT", "/collections/blue", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"}}");
        assertEquals(List.of(), listed("/collections/blue/aliases"));
        rest.ok("PUT", "/collections/prod", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"}}");
        restartServer();
        assertEquals(List.of("g→green"), listed("/aliases"));
    }

    @Test
    void aliasesSurviveARestart() throws Exception {
        aliases("[" + create("blue", "prod") + "," + create("green", "g") + "," + rename("g", "staging") + "]");
        restartServer();
        assertEquals(List.of("prod→blue", "staging→green"), listed("/aliases"));
        assertEquals(10, count("prod"));
        assertEquals(2, count("staging"));
        assertTrue(Files.exists(dir.resolve("storage").resolve("aliases.json")));
    }

    /** A rename is not checked against collections (Qdrant does not): the alias then shadows the collection. */
    @Test
    void aRenamedAliasMayShadowACollection() {
        aliases("[" + create("blue", "prod") + "," + rename("prod", "green") + "]");
        assertEquals(10, count("green"), "the alias is resolved before the collection of the same name");
        assertEquals(List.of("green→blue"), listed("/aliases"));
        assertEquals(2, rest.ok("GET", "/collections", null).get("collections").size());
    }

    @Test
    void snapshotsThroughAnAliasAreTheCollections() throws Exception {
        aliases("[" + create("blue", "prod") + "]");
        JsonNode created = rest.ok("POST", "/collections/prod/snapshots", null);
        String name = created.get("name").asText();
        assertTrue(name.startsWith("blue-"), name);
        assertEquals(name, rest.ok("GET", "/collections/blue/snapshots", null).get(0).get("name").asText());
        assertEquals(name, rest.ok("GET", "/collections/prod/snapshots", null).get(0).get("name").asText());
        Path file = dir.resolve("snapshots").resolve("blue").resolve(name);
        assertTrue(Files.exists(file), file.toString());

        rest.ok("PUT", "/collections/prod/points?wait=true", "{\"points\":[{\"id\":77,\"vector\":[7,7,7,7]}]}");
        assertEquals(11, count("blue"));
        assertTrue(rest.ok("PUT", "/collections/prod/snapshots/recover",
                "{\"location\":\"" + file.toUri() + "\"}").asBoolean());
        assertEquals(10, count("blue"), "recovered into the alias's collection");
        assertEquals(2, rest.ok("GET", "/collections", null).get("collections").size(), "no collection `prod`");
        assertEquals(List.of("prod→blue"), listed("/aliases"), "a recovery keeps the collection's aliases");
        assertTrue(rest.ok("DELETE", "/collections/prod/snapshots/" + name, null).asBoolean());
        assertEquals(0, rest.ok("GET", "/collections/blue/snapshots", null).size());
    }

    /**
     * {@code lookup_from} resolves an alias, and Qdrant compares its name as given with the searched collection's own
     * name: the example ids are left out when that name is the searched collection's, also when it is searched through
     * an alias, and kept when it names an alias of it.
     */
    @Test
    void lookupFromComparesTheGivenName() {
        aliases("[" + create("blue", "prod") + "]");
        String body = "{\"positive\":[3],\"limit\":3,\"lookup_from\":{\"collection\":\"%s\"}}";
        List<Integer> viaAlias = ids(rest.ok("POST", "/collections/blue/points/recommend", body.formatted("prod")));
        assertEquals(3, viaAlias.getFirst(), "an alias of the searched collection is another name: 3 is kept");
        List<Integer> viaName = ids(rest.ok("POST", "/collections/prod/points/recommend", body.formatted("blue")));
        assertFalse(viaName.contains(3), "the searched collection's own name: 3 is left out " + viaName);
        assertEquals("Not found: Collection `nope` doesn't exist!", rest.error(404, "POST",
                "/collections/blue/points/recommend", body.formatted("nope")));
    }

    @Test
    void withLookupResolvesAnAlias() {
        aliases("[" + create("green", "g") + "]");
        rest.ok("POST", "/collections/blue/points/payload?wait=true", "{\"payload\":{\"grp\":100},\"points\":[1,2]}");
        JsonNode groups = rest.ok("POST", "/collections/blue/points/search/groups", "{\"vector\":[1,0,0,0],"
                + "\"group_by\":\"grp\",\"limit\":1,\"group_size\":2,\"with_lookup\":\"g\"}").get("groups");
        assertEquals(100, groups.at("/0/id").asInt());
        assertEquals(100, groups.at("/0/lookup/id").asInt(), groups.toString());
        assertEquals("green", groups.at("/0/lookup/payload/c").asText());
    }

    private static List<Integer> ids(JsonNode hits) {
        List<Integer> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.get("id").asInt()));
        return out;
    }

    @Test
    void aReadOnlyKeyListsButCannotChangeAliases() throws Exception {
        server.close();
        server = TestServers.start(dir, "QUIVER__SERVICE__API_KEY", "full-secret",
                "QUIVER__SERVICE__READ_ONLY_API_KEY", "read-secret");
        rest = new RestClient(server.port());
        rest.apiKey("full-secret");
        aliases("[" + create("blue", "prod") + "]");
        rest.apiKey("read-secret");
        assertEquals(List.of("prod→blue"), listed("/aliases"));
        assertEquals(List.of("prod→blue"), listed("/collections/blue/aliases"));
        rest.error(403, "POST", "/collections/aliases", "{\"actions\":[" + delete("prod") + "]}");
        assertEquals(10, count("prod"));
    }
}
