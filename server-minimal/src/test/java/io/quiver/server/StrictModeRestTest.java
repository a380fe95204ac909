package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's collection strict mode over a real socket ({@code tests/openapi/test_strictmode.py} and
 * {@code lib/collection/src/operations/verification/}): the config shown, merged by PATCH, validated and persisted;
 * each enforced limit refused just over it (400 {@code Bad request: … Help: …}, nothing changed) and accepted at it;
 * disabling lets everything through again; a clustered collection carries the section through consensus and enforces
 * it on every node. Owns one server on 127.0.0.1 per test (two clustered ones in the cluster test); one test thread.
 */
class StrictModeRestTest extends RestServerTest {

    @BeforeEach
    void collection() {
        rest.ok("PUT", "/collections/s", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 1; i <= 12; i++) {
            points.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"vector\":[").append(i)
                    .append(",1,0,0],\"payload\":{\"city\":\"c").append(i % 3).append("\",\"price\":").append(i)
                    .append("}}");
        }
        rest.ok("PUT", "/collections/s/points?wait=true", points.append("]}").toString());
    }

    private static JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private void strict(String config) {
        assertTrue(rest.ok("PATCH", "/collections/s", "{\"strict_mode_config\":" + config + "}").asBoolean());
    }

    private JsonNode strictConfig() {
        return rest.ok("GET", "/collections/s", null).at("/config/strict_mode_config");
    }

    private long count() {
        return rest.ok("POST", "/collections/s/points/count", "{\"exact\":false}").get("count").asLong();
    }

    /** Asserts a 400 whose error is exactly Qdrant's strict mode text. */
    private void refused(String method, String path, String body, String error) {
        assertEquals(error, rest.error(400, method, path, body), method + " " + path + " " + body);
    }

    private static String limitError(long value, long max, String name) {
        return "Bad request: Limit exceeded " + value + " > " + max + " for \"" + name + "\". Help: Reduce the \""
                + name + "\" parameter to or below " + max + ".";
    }

    @Test
    void theConfigIsShownDisabledByDefaultMergedByPatchAndValidated() {
        assertEquals(json("{\"enabled\":false}"), strictConfig(), "Qdrant shows it for a collection created "
                + "without one");
        strict("{\"enabled\":true,\"max_query_limit\":10,\"search_max_oversampling\":1.5,\"unknown_key\":1}");
        strict("{\"max_timeout\":2,\"unindexed_filtering_retrieve\":false,\"max_query_limit\":null}");
        assertEquals(json("{\"enabled\":true,\"max_query_limit\":10,\"max_timeout\":2,"
                + "\"unindexed_filtering_retrieve\":false,\"search_max_oversampling\":1.5}"), strictConfig());

        // Qdrant's ranges: these five at least 1 (422), every integer unsigned, booleans booleans (400)
        for (String field : List.of("max_query_limit", "max_timeout", "read_rate_limit", "write_rate_limit",
                "max_points_count")) {
            String error = rest.error(422, "PATCH", "/collections/s",
                    "{\"strict_mode_config\":{\"" + field + "\":0}}");
            assertEquals("Validation error in JSON body: [strict_mode_config." + field
                    + ": value 0 invalid, must be 1 or larger]", error);
        }
        strict("{\"filter_max_conditions\":0,\"upsert_max_batchsize\":0}"); // Qdrant sets no minimum on these
        rest.error(400, "PATCH", "/collections/s", "{\"strict_mode_config\":{\"upsert_max_batchsize\":-1}}");
        rest.error(400, "PATCH", "/collections/s", "{\"strict_mode_config\":{\"search_max_hnsw_ef\":1.5}}");
        rest.error(400, "PATCH", "/collections/s", "{\"strict_mode_config\":{\"enabled\":\"yes\"}}");
        rest.error(400, "PATCH", "/collections/s", "{\"strict_mode_config\":[]}");
        assertEquals(0, strictConfig().get("upsert_max_batchsize").asInt(), "refused patches change nothing");
        assertEquals(2, strictConfig().get("max_timeout").asInt());

        rest.error(422, "PUT", "/collections/t",
                "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"strict_mode_config\":{\"max_query_limit\":0}}");
        assertFalse(rest.ok("GET", "/collections/t/exists", null).get("exists").asBoolean());
        rest.ok("PUT", "/collections/t", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                + "\"strict_mode_config\":{\"max_query_limit\":3,\"read_rate_limit\":5,"
                + "\"multivector_config\":{\"m\":{\"max_vectors\":4}},\"sparse_config\":{\"t\":{\"max_length\":9}}}}");
        assertEquals(json("{\"enabled\":false,\"max_query_limit\":3,\"read_rate_limit\":5,"
                        + "\"multivector_config\":{\"m\":{\"max_vectors\":4}},\"sparse_config\":{\"t\":{\"max_length\":9}}}"),
                rest.ok("GET", "/collections/t", null).at("/config/strict_mode_config"),
                "created over the default (enabled: false), the stored-only fields kept");
        // disabled: the limit is not enforced
        rest.ok("POST", "/collections/t/points/search", "{\"vector\":[1,0,0,0],\"limit\":4}");
    }

    @Test
    void maxQueryLimitAppliesToEveryReadAsQdrantCountsIt() {
        strict("{\"enabled\":true,\"max_query_limit\":4}");
        rest.ok("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":4}");
        refused("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":5}", limitError(5, 4, "limit"));
        refused("POST", "/collections/s/points/search/batch", "{\"searches\":[{\"vector\":[1,0,0,0],\"limit\":1},"
                + "{\"vector\":[1,0,0,0],\"limit\":6}]}", limitError(6, 4, "limit"));
        rest.ok("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0],\"limit\":4}");
        refused("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0]}", limitError(10, 4, "limit"));
        refused("POST", "/collections/s/points/query", "{\"prefetch\":{\"query\":[1,0,0,0],\"limit\":7},"
                + "\"query\":{\"fusion\":\"rrf\"},\"limit\":2}", limitError(7, 4, "limit"));
        refused("POST", "/collections/s/points/recommend", "{\"positive\":[1],\"limit\":5}", limitError(5, 4, "limit"));
        refused("POST", "/collections/s/points/recommend", "{\"positive\":[999],\"limit\":5}",
                limitError(5, 4, "limit")); // strict mode before the example is looked up (a 404)
        refused("POST", "/collections/s/points/discover", "{\"target\":1,\"limit\":5}", limitError(5, 4, "limit"));
        rest.ok("POST", "/collections/s/points/scroll", "{\"limit\":4}");
        refused("POST", "/collections/s/points/scroll", "{}", limitError(10, 4, "limit"));
        // groups: search counts its groups, recommend and query groups × group_size
        rest.ok("POST", "/collections/s/points/search/groups",
                "{\"vector\":[1,0,0,0],\"group_by\":\"city\",\"limit\":4,\"group_size\":3}");
        refused("POST", "/collections/s/points/recommend/groups",
                "{\"positive\":[1],\"group_by\":\"city\",\"limit\":2,\"group_size\":3}", limitError(6, 4, "limit"));
        refused("POST", "/collections/s/points/query/groups",
                "{\"query\":[1,0,0,0],\"group_by\":\"city\",\"limit\":2}", limitError(6, 4, "limit"));
        rest.ok("POST", "/collections/s/points/query/groups",
                "{\"query\":[1,0,0,0],\"group_by\":\"city\",\"limit\":2,\"group_size\":2}");
        refused("POST", "/collections/s/facet", "{\"key\":\"city\",\"limit\":5}", limitError(5, 4, "limit"));
        refused("POST", "/collections/s/points/search/matrix/pairs", "{\"sample\":3,\"limit\":2}",
                limitError(6, 4, "limit"));
        rest.ok("POST", "/collections/s/points/search/matrix/pairs", "{\"sample\":2,\"limit\":2}");

        strict("{\"enabled\":false}");
        rest.ok("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":50}");
        rest.ok("POST", "/collections/s/points/scroll", "{}");
    }

    @Test
    void maxTimeoutAppliesToReadsThatGiveOne() {
        strict("{\"enabled\":true,\"max_timeout\":2}");
        rest.ok("POST", "/collections/s/points/search?timeout=2", "{\"vector\":[1,0,0,0],\"limit\":1}");
        rest.ok("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":1}");
        refused("POST", "/collections/s/points/search?timeout=3", "{\"vector\":[1,0,0,0],\"limit\":1}",
                limitError(3, 2, "timeout"));
        refused("POST", "/collections/s/points/query/batch?timeout=3", "{\"searches\":[{\"query\":[1,0,0,0]}]}",
                limitError(3, 2, "timeout"));
        refused("POST", "/collections/s/points/count?timeout=30", "{\"exact\":false}", limitError(30, 2, "timeout"));
    }

    @Test
    void unindexedFilteringRetrieveNeedsAnIndexThatAnswersTheCondition() {
        String byCity = "{\"vector\":[1,0,0,0],\"limit\":3,\"filter\":{\"must\":[{\"key\":\"city\","
                + "\"match\":{\"value\":\"c1\"}}]}}";
        String byPrice = "{\"filter\":{\"must\":[{\"key\":\"price\",\"range\":{\"gte\":3}}]},\"limit\":3}";
        strict("{\"enabled\":true,\"unindexed_filtering_retrieve\":true}");
        rest.ok("POST", "/collections/s/points/search", byCity);
        strict("{\"unindexed_filtering_retrieve\":false}");
        refused("POST", "/collections/s/points/search", byCity, "Bad request: Index required but not found for "
                + "\"city\" of one of the following types: [keyword]. Help: Create an index for this key or use a "
                + "different filter.");
        refused("POST", "/collections/s/points/scroll", byPrice, "Bad request: Index required but not found for "
                + "\"price\" of one of the following types: [float, integer]. Help: Create an index for this key or "
                + "use a different filter.");
        // a has_id condition needs no index; is_empty takes any
        rest.ok("POST", "/collections/s/points/scroll", "{\"filter\":{\"must\":[{\"has_id\":[1]}]}}");
        rest.ok("PUT", "/collections/s/index?wait=true", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");
        rest.ok("POST", "/collections/s/points/search", byCity);
        rest.ok("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0],\"limit\":2,"
                + "\"filter\":{\"must_not\":[{\"is_empty\":{\"key\":\"city\"}}]}}");
        // a keyword index does not answer a range: the integer index must exist
        rest.ok("PUT", "/collections/s/index?wait=true", "{\"field_name\":\"price\",\"field_schema\":\"keyword\"}");
        refused("POST", "/collections/s/points/count", byPrice.replace(",\"limit\":3", ",\"exact\":false"),
                "Bad request: Index required but not found for \"price\" of one of the following types: "
                        + "[float, integer]. Help: Create an index for this key or use a different filter.");
        rest.ok("DELETE", "/collections/s/index/price?wait=true", null);
        rest.ok("PUT", "/collections/s/index?wait=true", "{\"field_name\":\"price\",\"field_schema\":\"integer\"}");
        assertEquals(10, rest.ok("POST", "/collections/s/points/count",
                byPrice.replace(",\"limit\":3", ",\"exact\":false")).get("count").asInt());
    }

    @Test
    void unindexedFilteringUpdateGuardsFilteredWritesWhichChangeNothingWhenRefused() {
        String deleteC1 = "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"c1\"}}]}}";
        strict("{\"enabled\":true,\"unindexed_filtering_update\":false}");
        String error = "Bad request: Index required but not found for \"city\" of one of the following types: "
                + "[keyword]. Help: Create an index for this key or use a different filter.";
        refused("POST", "/collections/s/points/delete?wait=true", deleteC1, error);
        refused("POST", "/collections/s/points/payload?wait=true",
                "{\"payload\":{\"x\":1}," + deleteC1.substring(1), error);
        refused("POST", "/collections/s/points/batch?wait=true", "{\"operations\":[{\"upsert\":{\"points\":["
                + "{\"id\":100,\"vector\":[1,1,1,1]}]}},{\"delete\":" + deleteC1 + "}]}", error);
        assertEquals(12, count(), "nothing deleted, the batch's upsert not applied either");
        assertTrue(rest.ok("POST", "/collections/s/points/scroll", "{\"limit\":12}").at("/points/0/payload")
                .path("x").isMissingNode());
        // reads are governed by unindexed_filtering_retrieve, which is not set
        rest.ok("POST", "/collections/s/points/scroll", "{\"limit\":3," + deleteC1.substring(1));
        rest.ok("PUT", "/collections/s/index?wait=true", "{\"field_name\":\"city\",\"field_schema\":\"keyword\"}");
        rest.ok("POST", "/collections/s/points/delete?wait=true", deleteC1);
        assertEquals(8, count());
    }

    @Test
    void searchParamsHnswEfExactAndOversampling() {
        strict("{\"enabled\":true,\"search_max_hnsw_ef\":5,\"search_allow_exact\":false,"
                + "\"search_max_oversampling\":2.0}");
        rest.ok("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":1,\"params\":{\"hnsw_ef\":5}}");
        refused("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":1,\"params\":{\"hnsw_ef\":6}}",
                limitError(6, 5, "hnsw_ef"));
        refused("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0],\"limit\":1,"
                + "\"params\":{\"exact\":true}}", "Bad request: Exact search disabled!. Help: Set exact=false.");
        rest.ok("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0],\"limit\":1,"
                + "\"params\":{\"exact\":false,\"quantization\":{\"oversampling\":2.0}}}");
        refused("POST", "/collections/s/points/recommend", "{\"positive\":[1],\"limit\":1,"
                        + "\"params\":{\"quantization\":{\"oversampling\":2.5}}}",
                "Bad request: Limit exceeded 2.5 > 2.0 for \"oversampling\". Help: Reduce the \"oversampling\" "
                        + "parameter to or below 2.0.");
        // count's exact defaults to true: refused unless it asks for an estimate, as Qdrant's CountRequest
        refused("POST", "/collections/s/points/count", "{}", "Bad request: Exact search disabled!. Help: Set exact=false.");
        assertEquals(12, count());
        strict("{\"search_allow_exact\":true}");
        rest.ok("POST", "/collections/s/points/count", "{}");
    }

    @Test
    void queryOnACollectionWithoutAGraphIsAFullScan() {
        rest.ok("PUT", "/collections/flat", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"hnsw_config\":{\"m\":0},"
                + "\"strict_mode_config\":{\"enabled\":true,\"search_allow_exact\":false}}");
        assertEquals("Bad request: Request is forbidden because global vector indexing is disabled "
                + "(hnsw_config.m = 0). Help: Use tenant-specific filter, enable global vector indexing or enable "
                + "strict mode `search_allow_exact` option", rest.error(400, "POST", "/collections/flat/points/query",
                "{\"query\":[1,0,0,0]}"));
        rest.ok("POST", "/collections/flat/points/query", "{}"); // no query: points by id, allowed
        rest.ok("POST", "/collections/s/points/query", "{\"query\":[1,0,0,0]}"); // s has a graph (m 16), not strict
    }

    @Test
    void upsertBatchSizeAndPointsCount() {
        strict("{\"enabled\":true,\"upsert_max_batchsize\":3}");
        String four = "{\"batch\":{\"ids\":[21,22,23,24],\"vectors\":[[1,1,1,1],[1,1,1,1],[1,1,1,1],[1,1,1,1]]}}";
        refused("PUT", "/collections/s/points?wait=true", four, limitError(4, 3, "upsert limit"));
        refused("POST", "/collections/s/points/batch?wait=true", "{\"operations\":[{\"upsert\":" + four + "}]}",
                limitError(4, 3, "upsert limit"));
        refused("PUT", "/collections/s/points/vectors?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,1,1,1]},"
                        + "{\"id\":2,\"vector\":[1,1,1,1]},{\"id\":3,\"vector\":[1,1,1,1]},{\"id\":4,\"vector\":[1,1,1,1]}]}",
                limitError(4, 3, "update limit"));
        assertEquals(12, count());
        rest.ok("PUT", "/collections/s/points?wait=true",
                "{\"points\":[{\"id\":21,\"vector\":[1,1,1,1]},{\"id\":22,\"vector\":[1,1,1,1]},"
                        + "{\"id\":23,\"vector\":[1,1,1,1]}]}");
        assertEquals(15, count());

        strict("{\"max_points_count\":16}");
        rest.ok("PUT", "/collections/s/points?wait=true", "{\"points\":[{\"id\":24,\"vector\":[1,1,1,1]}]}");
        refused("PUT", "/collections/s/points?wait=true", "{\"points\":[{\"id\":25,\"vector\":[1,1,1,1]}]}",
                "Bad request: Max points count limit of 16 reached!");
        assertEquals(16, count());
        rest.ok("POST", "/collections/s/points/delete?wait=true", "{\"points\":[24]}"); // deletes still work
        rest.ok("PUT", "/collections/s/points?wait=true", "{\"points\":[{\"id\":25,\"vector\":[1,1,1,1]}]}");
    }

    @Test
    void filterConditionCountAndConditionSize() {
        strict("{\"enabled\":true,\"filter_max_conditions\":3,\"condition_max_size\":2}");
        String three = "{\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"any\":[\"c1\",\"c2\"]}},"
                + "{\"should\":[{\"key\":\"price\",\"range\":{\"gt\":1}},{\"has_id\":[1,2]}]}]},\"limit\":3}";
        rest.ok("POST", "/collections/s/points/scroll", three);
        String four = three.replace("{\"has_id\":[1,2]}", "{\"has_id\":[1,2]},{\"nested\":{\"key\":\"n\","
                + "\"filter\":{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1}}]}}}");
        refused("POST", "/collections/s/points/scroll", four, "Bad request: Filter condition limit reached (4 > 3). "
                + "Help: Reduce the amount of conditions of your filter.");
        refused("POST", "/collections/s/points/delete?wait=true", three.replace("[1,2]", "[1,2,3]")
                        .replace(",\"limit\":3", ""),
                "Bad request: Condition size limit reached (3 > 2). Help: Reduce the size of your condition.");
        assertEquals(12, count());
    }

    @Test
    void theConfigSurvivesARestart() throws Exception {
        strict("{\"enabled\":true,\"max_query_limit\":2,\"write_rate_limit\":7}");
        JsonNode before = strictConfig();
        restartServer();
        assertEquals(before, strictConfig());
        refused("POST", "/collections/s/points/search", "{\"vector\":[1,0,0,0],\"limit\":3}", limitError(3, 2, "limit"));
    }

    @Test
    void aClusteredCollectionCarriesStrictModeThroughConsensus() throws Exception {
        try (TestServers.TwoNodes cluster = TestServers.TwoNodes.start(dir)) {
            List<RestClient> clients = cluster.clients();
            clients.get(1).ok("PUT", "/collections/c", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"shard_number\":2,\"strict_mode_config\":{\"enabled\":true,\"upsert_max_batchsize\":2}}");
            clients.get(0).ok("PATCH", "/collections/c", "{\"strict_mode_config\":{\"max_query_limit\":3}}");
            for (RestClient client : clients) {
                client.eventually("/collections/c", i -> i.at("/config/strict_mode_config/max_query_limit").asInt() == 3,
                        "the patched section on both nodes", Duration.ofSeconds(30));
                assertEquals(2, client.ok("GET", "/collections/c", null)
                        .at("/config/strict_mode_config/upsert_max_batchsize").asInt());
                assertEquals(limitError(4, 3, "limit"), client.error(400, "POST", "/collections/c/points/search",
                        "{\"vector\":[1,0,0,0],\"limit\":4}"));
                assertEquals(limitError(3, 2, "upsert limit"), client.error(400, "PUT", "/collections/c/points",
                        "{\"points\":[{\"id\":1,\"vector\":[1,1,1,1]},{\"id\":2,\"vector\":[1,1,1,1]},"
                                + "{\"id\":3,\"vector\":[1,1,1,1]}]}"));
            }
            assertEquals(0, clients.get(0).ok("POST", "/collections/c/points/count", "{\"exact\":true}")
                    .get("count").asInt());
            clients.get(1).ok("PATCH", "/collections/c", "{\"strict_mode_config\":{\"enabled\":false}}");
            for (RestClient client : clients) {
                client.eventually("/collections/c", i -> !i.at("/config/strict_mode_config/enabled").asBoolean(),
                        "disabled on both nodes", Duration.ofSeconds(30));
                client.ok("POST", "/collections/c/points/search", "{\"vector\":[1,0,0,0],\"limit\":4}");
            }
        }
    }

    /** A cluster-enabled server in this JVM, on 127.0.0.1, joining through {@code bootstrapP2p} when given. */}
