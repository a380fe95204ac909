package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Collection aliases through the REST API of three real server processes in a cluster: an alias made through one node
 * resolves on every node at once, Qdrant's errors come back through any node, and a node killed and restarted on its
 * storage still has the aliases.
 */
class AliasClusterServerTest extends ProcessClusterTest {
    private static List<Integer> ids(JsonNode hits) {
        List<Integer> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.get("id").asInt()));
        return out;
    }

    @Test
    void anAliasMadeThroughOneNodeResolvesOnEveryNodeAndSurvivesARestart() throws Exception {
        nodes.add(startNode(0, null));
        nodes.add(startNode(1, p2pPort(0)));
        nodes.add(startNode(2, p2pPort(0)));
        List<RestClient> rest = new ArrayList<>(nodes.stream().map(n -> new RestClient(n.port())).toList());
        for (RestClient r : rest) {
            r.eventually("/cluster", s -> s.path("peers").size() == 3 && !s.at("/raft_info/leader").isNull(),
                    "3 peers and a leader", Duration.ofSeconds(30));
        }
        rest.get(1).ok("PUT", "/collections/blue",
                "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},\"shard_number\":2,\"replication_factor\":2}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 20; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                    .append(",0,0,0]}");
        }
        rest.get(0).ok("PUT", "/collections/blue/points?wait=true", points.append("]}").toString());

        rest.get(2).ok("POST", "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"blue\",\"alias_name\":\"prod\"}}]}");
        String search = "{\"vector\":[7.2,0,0,0],\"limit\":3,\"params\":{\"exact\":true}}";
        for (RestClient r : rest) {
            // resolved at once on every node (one that has not applied the change yet catches up first)
            assertEquals(List.of(7, 8, 6), ids(r.ok("POST", "/collections/prod/points/search", search)));
            r.eventually("/aliases", a -> a.get("aliases").size() == 1, "the alias listed", Duration.ofSeconds(10));
            assertEquals("blue", r.ok("GET", "/aliases", null).at("/aliases/0/collection_name").asText());
        }
        assertEquals("Not found: Collection `nope` doesn't exist!", rest.get(0).error(404, "POST",
                "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"nope\",\"alias_name\":\"x\"}}]}"));
        assertEquals("Wrong input: Collection `blue` already exists!", rest.get(1).error(409, "POST",
                "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"blue\",\"alias_name\":\"blue\"}}]}"));
        assertEquals("Wrong input: Can't create collection with name prod. Alias with the same name already exists",
                rest.get(2).error(400, "PUT", "/collections/prod", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}"));

        // node 0 is killed and started again on its storage: the alias is still there
        nodes.get(0).kill();
        rest.get(1).ok("POST", "/collections/aliases",
                "{\"actions\":[{\"rename_alias\":{\"old_alias_name\":\"prod\",\"new_alias_name\":\"live\"}}]}");
        nodes.set(0, startNode(0, p2pPort(1)));
        rest.set(0, new RestClient(nodes.get(0).port()));
        rest.get(0).eventually("/aliases", a -> a.get("aliases").size() == 1
                && a.at("/aliases/0/alias_name").asText().equals("live"), "the renamed alias after the restart",
                Duration.ofSeconds(30));
        assertEquals(20, rest.get(0).ok("POST", "/collections/live/points/count", "{}").get("count").asInt());
        rest.get(0).error(404, "POST", "/collections/prod/points/count", "{}");
    }
}
