package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lookup_from} over a real socket, as Qdrant's own tests use it: example ids name points of another collection
 * (their vectors steer the search of this one), this collection's points of the same ids are not left out, and the
 * lookup's failures are Qdrant's (unknown collection 404, unknown point 404, unknown vector name 400, another
 * dimension 400). Main collection: points 0..9 with Dot vectors {@code [i, 9-i, 1, 1]} and payload {@code {"g": i % 2}};
 * lookup collection: point 1 =
 * {@code [0,1,0,0]} and the nil UUID = {@code [1,0,0,0]}.
 */
class LookupFromRestTest extends RestServerTest {
    private static final String NIL = "\"00000000-0000-0000-0000-000000000000\"";
    private static final String LOOKUP = "\"lookup_from\":{\"collection\":\"other\"}";

    @BeforeEach
    void createData() throws Exception {
        rest.ok("PUT", "/collections/main", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 10; i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i).append(',')
                    .append(9 - i).append(",1,1],\"payload\":{\"g\":").append(i % 2).append("}}");
        }
        rest.ok("PUT", "/collections/main/points?wait=true", points.append("]}").toString());
        rest.ok("PUT", "/collections/other", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/other/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[0,1,0,0]},"
                + "{\"id\":" + NIL + ",\"vector\":[1,0,0,0]}]}");
    }

    private static List<Integer> ids(JsonNode hits) {
        List<Integer> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.get("id").asInt()));
        return out;
    }

    @Test
    void recommendAndDiscoverTakeTheirExamplesFromTheLookupCollection() {
        // point 1 of `other` is [0,1,0,0]: main's own point 1 ranks second and is not left out
        assertEquals(List.of(0, 1, 2), ids(rest.ok("POST", "/collections/main/points/recommend",
                "{\"positive\":[1],\"limit\":3," + LOOKUP + "}")));
        // without lookup_from the example is main's point 1 ([1,8,1,1]), which the results leave out
        assertEquals(List.of(0, 2, 3), ids(rest.ok("POST", "/collections/main/points/recommend",
                "{\"positive\":[1],\"limit\":3}")));
        JsonNode batch = rest.ok("POST", "/collections/main/points/recommend/batch", "{\"searches\":["
                + "{\"positive\":[1],\"limit\":3," + LOOKUP + "},"
                + "{\"positive\":[" + NIL + "],\"limit\":3,\"strategy\":\"best_score\"," + LOOKUP + "},"
                + "{\"positive\":[1],\"limit\":3}]}");
        assertEquals(List.of(0, 1, 2), ids(batch.get(0)));
        assertEquals(List.of(9, 8, 7), ids(batch.get(1)));
        assertEquals(List.of(0, 2, 3), ids(batch.get(2)));
        // by ids in the lookup collection = by their vectors given inline, scores included
        assertEquals(rest.ok("POST", "/collections/main/points/recommend",
                        "{\"positive\":[[0,1,0,0]],\"negative\":[[1,0,0,0]],\"limit\":10}"),
                rest.ok("POST", "/collections/main/points/recommend",
                        "{\"positive\":[1],\"negative\":[" + NIL + "],\"limit\":10," + LOOKUP + "}"));
        assertEquals(List.of(9, 8), ids(rest.ok("POST", "/collections/main/points/discover",
                "{\"target\":" + NIL + ",\"limit\":2," + LOOKUP + "}")));
        JsonNode groups = rest.ok("POST", "/collections/main/points/recommend/groups", "{\"positive\":[" + NIL
                + "],\"group_by\":\"g\",\"limit\":2,\"group_size\":1," + LOOKUP + "}").get("groups");
        assertEquals(2, groups.size());
        assertEquals(List.of(9), ids(groups.get(0).get("hits")));
        assertEquals(List.of(8), ids(groups.get(1).get("hits")));
    }

    @Test
    void queriesByIdRecommendAndPrefetchTakeTheirExamplesFromTheLookupCollection() {
        assertEquals(List.of(0, 1, 2), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":1,\"limit\":3," + LOOKUP + "}").get("points")));
        assertEquals(List.of(0, 1), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":{\"nearest\":1},\"limit\":2," + LOOKUP + "}").get("points")));
        assertEquals(List.of(9, 8, 7), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":{\"recommend\":{\"positive\":[" + NIL + "],\"strategy\":\"sum_scores\"}},\"limit\":3,"
                        + LOOKUP + "}").get("points")));
        assertEquals(List.of(9, 8), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":{\"discover\":{\"target\":" + NIL + ",\"context\":null}},\"limit\":2," + LOOKUP + "}")
                .get("points")));
        // the prefetch finds 0..4 by [0,1,0,0] from `other`; the root ranks them by [1,0,0,0]
        assertEquals(List.of(4, 3), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"prefetch\":{\"query\":1,\"limit\":5," + LOOKUP + "},\"query\":[1,0,0,0],\"limit\":2}")
                .get("points")));
        // a lookup only in the prefetch: the root's id 1 is main's point 1 ([1,8,1,1]), left out of every stage, so
        // the prefetch's best four by [0,1,0,0] are 0, 2, 3, 4
        JsonNode own = rest.ok("POST", "/collections/main/points/query",
                "{\"prefetch\":{\"query\":1,\"limit\":4," + LOOKUP + "},\"query\":1,\"limit\":4}");
        assertEquals(List.of(0, 2, 3, 4), ids(own.get("points")));
    }

    @Test
    void lookupFailuresAreQdrants() {
        String path = "/collections/main/points/recommend";
        assertTrue(rest.error(404, "POST", path, "{\"positive\":[1],\"limit\":3,"
                + "\"lookup_from\":{\"collection\":\"unknown_collection\"}}").contains("unknown_collection"));
        assertTrue(rest.error(400, "POST", path, "{\"positive\":[1],\"limit\":3,"
                + "\"lookup_from\":{\"collection\":\"other\",\"vector\":\"unknown_vector\"}}")
                .contains("unknown_vector"));
        // the point is looked up first: an unknown one is a 404 whatever the vector name
        assertTrue(rest.error(404, "POST", path, "{\"positive\":[2],\"limit\":3,"
                + "\"lookup_from\":{\"collection\":\"other\",\"vector\":\"unknown_vector\"}}").contains("2"));
        rest.ok("PUT", "/collections/wide", "{\"vectors\":{\"size\":5,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/wide/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0,0,0,0]}]}");
        assertTrue(rest.error(400, "POST", path, "{\"positive\":[1],\"limit\":3,"
                + "\"lookup_from\":{\"collection\":\"wide\"}}").contains("dimension"));
        assertTrue(rest.error(400, "POST", path, "{\"positive\":[1],\"limit\":3,\"lookup_from\":\"other\"}")
                .contains("lookup_from"));
        assertTrue(rest.error(400, "POST", "/collections/main/points/query", "{\"query\":1,"
                + "\"lookup_from\":{\"vector\":\"\"}}").contains("collection"));
        // an empty vector name is the unnamed vector
        assertEquals(List.of(0), ids(rest.ok("POST", path, "{\"positive\":[1],\"limit\":1,"
                + "\"lookup_from\":{\"collection\":\"other\",\"vector\":\"\"}}")));
    }

    @Test
    void lookupFromTheSearchedCollectionItselfStillLeavesTheExamplesOut() {
        // Qdrant leaves the example ids out unless lookup_from names another collection than the searched one
        String self = "\"lookup_from\":{\"collection\":\"main\"}";
        assertEquals(List.of(0, 2, 3), ids(rest.ok("POST", "/collections/main/points/recommend",
                "{\"positive\":[1],\"limit\":3," + self + "}")));
        assertEquals(List.of(0, 2, 3), ids(rest.ok("POST", "/collections/main/points/recommend",
                "{\"positive\":[1],\"strategy\":\"best_score\",\"limit\":3," + self + "}")));
        assertEquals(List.of(0, 2), ids(rest.ok("POST", "/collections/main/points/discover",
                "{\"target\":1,\"limit\":2," + self + "}")));
        assertEquals(List.of(0, 2, 3), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":1,\"limit\":3," + self + "}").get("points")));
        assertEquals(List.of(0, 2, 3), ids(rest.ok("POST", "/collections/main/points/query",
                "{\"query\":{\"recommend\":{\"positive\":[1]}},\"limit\":3," + self + "}").get("points")));
        JsonNode groups = rest.ok("POST", "/collections/main/points/recommend/groups", "{\"positive\":[1],"
                + "\"group_by\":\"g\",\"limit\":2,\"group_size\":1," + self + "}").get("groups");
        assertEquals(List.of(0), ids(groups.get(0).get("hits")));
        assertEquals(List.of(3), ids(groups.get(1).get("hits")));
    }
}
