package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code points/query/groups} with {@code mmr}, over a real socket, on the six points of {@link MmrReference#SIX}
 * worked out by hand: a root MMR query's groups come in MMR's pick order (Qdrant's aggregator has no order to sort
 * them by), its pages hold at most {@code candidates_limit} picks (by default the number of groups) and paging goes on
 * past them; an MMR prefetch feeding a fusion; payloads read back for the chosen hits.
 */
class MmrQueryGroupsRestTest extends RestServerTest {
    private static final String PATH = "/collections/six/points/query/groups";
    private static final String MMR = "{\"nearest\":[0.0,0.0],\"mmr\":{\"diversity\":0.5";

    /** The groups as "id: hit hit" lines. */
    static List<String> groups(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode g : result.get("groups")) {
            List<String> hits = new ArrayList<>();
            g.get("hits").forEach(h -> hits.add(h.get("id").asText()));
            out.add(g.get("id").asText() + ": " + String.join(" ", hits));
        }
        return out;
    }

    @Test
    void rootMmrGroupsComeInPickOrder() {
        MmrReference.createSix(rest, "six", "");
        // one page of 2 × 2 picks from all six: 1 (a), 5 (c), 4 (b), 2 (a); the first two groups found are a and c,
        // and no other point of c exists to fill it
        JsonNode result = rest.ok("POST", PATH, "{\"query\":" + MMR + ",\"candidates_limit\":10}},"
                + "\"group_by\":\"g\",\"limit\":2,\"group_size\":2,\"with_payload\":true}");
        assertEquals(List.of("a: 1 2", "c: 5"), groups(result));
        JsonNode a = result.get("groups").get(0).get("hits");
        assertEquals(1.0, a.get(0).get("score").asDouble(), 1e-6, "hits keep their search score");
        assertEquals(1.1, a.get(1).get("score").asDouble(), 1e-6);
        assertEquals("a", a.get(0).get("payload").get("g").asText());
        assertTrue(a.get(0).get("vector").isNull(), "no vector unless asked for");
        // plain nearest groups by score instead: the south pair comes before the west point
        assertEquals(List.of("a: 1 2", "b: 4 6"), groups(rest.ok("POST", PATH, "{\"query\":[0.0,0.0],"
                + "\"group_by\":\"g\",\"limit\":2,\"group_size\":2}")));
        // one hit per group: picks 1, 5, 4 fill three groups, kept in that order (by score it would be a, b, c)
        assertEquals(List.of("a: 1", "c: 5", "b: 4"), groups(rest.ok("POST", PATH, "{\"query\":" + MMR
                + ",\"candidates_limit\":10}},\"group_by\":\"g\",\"limit\":3,\"group_size\":1}")));
        // with_vector reads the hits' vectors back
        JsonNode withVector = rest.ok("POST", PATH, "{\"query\":" + MMR + ",\"candidates_limit\":10}},"
                + "\"group_by\":\"g\",\"limit\":1,\"group_size\":1,\"with_vector\":true}");
        assertEquals(2, withVector.get("groups").get(0).get("hits").get(0).get("vector").size());
    }

    @Test
    void pagesHoldAtMostCandidatesLimitPicksAndPagingGoesOn() {
        MmrReference.createSix(rest, "six", "");
        // candidates_limit defaults to the number of groups (2): the first page picks 1 and 2 out of the two nearest
        // (group a, full), the next, leaving a and what was seen out, 4 and 6 out of the two nearest left (b)
        assertEquals(List.of("a: 1 2", "b: 4 6"), groups(rest.ok("POST", PATH, "{\"query\":" + MMR + "}},"
                + "\"group_by\":\"g\",\"limit\":2,\"group_size\":2}")));
        // one candidate per page: every page is a single nearest point, so the groups fill in distance order
        assertEquals(List.of("a: 1 2 3", "b: 4 6", "c: 5"), groups(rest.ok("POST", PATH, "{\"query\":" + MMR
                + ",\"candidates_limit\":1}},\"group_by\":\"g\",\"limit\":3,\"group_size\":3}")));
        // no candidates, no groups
        assertEquals(List.of(), groups(rest.ok("POST", PATH, "{\"query\":" + MMR + ",\"candidates_limit\":0}},"
                + "\"group_by\":\"g\"}")));
        // the request's filter applies to every page
        assertEquals(List.of("a: 1 2", "b: 4 6"), groups(rest.ok("POST", PATH, "{\"query\":" + MMR
                + ",\"candidates_limit\":10}},\"group_by\":\"g\",\"limit\":2,\"group_size\":2,"
                + "\"filter\":{\"must_not\":[{\"key\":\"g\",\"match\":{\"value\":\"c\"}}]}}")));
    }

    @Test
    void anMmrPrefetchFeedsTheGroupsOfAFusion() {
        MmrReference.createSix(rest, "six", "");
        // the prefetch's limit 2 grows to 2 × 2 groups: MMR picks 1, 5, 4, 2; RRF keeps that order and a page of
        // 2 × 1 takes 1 (a) and 5 (c)
        String prefetch = "{\"query\":" + MMR + ",\"candidates_limit\":6}},\"limit\":2}";
        assertEquals(List.of("a: 1", "c: 5"), groups(rest.ok("POST", PATH, "{\"prefetch\":" + prefetch
                + ",\"query\":{\"fusion\":\"rrf\"},\"group_by\":\"g\",\"limit\":2,\"group_size\":1}")));
        // a nearest prefetch instead passes 1, 2, 3, 4 up: a, then b from the next page
        assertEquals(List.of("a: 1", "b: 4"), groups(rest.ok("POST", PATH, "{\"prefetch\":{\"query\":[0.0,0.0],"
                + "\"limit\":2},\"query\":{\"fusion\":\"rrf\"},\"group_by\":\"g\",\"limit\":2,\"group_size\":1}")));
        // and a root MMR over prefetches: the candidates_limit nearest of the prefetched points, then MMR
        JsonNode overPrefetch = rest.ok("POST", PATH, "{\"prefetch\":{\"query\":[0.5,0.0],\"limit\":3},"
                + "\"query\":" + MMR + ",\"candidates_limit\":18}},\"group_by\":\"g\",\"limit\":3,\"group_size\":1}");
        assertEquals(List.of("a: 1", "c: 5", "b: 4"), groups(overPrefetch));
        assertTrue(rest.error(422, "POST", PATH, "{\"query\":{\"nearest\":[0.0,0.0],\"mmr\":{\"diversity\":-1}},"
                + "\"group_by\":\"g\"}").contains("query.mmr.diversity"));
    }
}
