package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntPredicate;

import static io.quiver.server.VectorJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Qdrant's distance matrix ({@code points/search/matrix/pairs} and {@code /offsets}) over a real socket, checked
 * against a brute-force computation over the sampled points: every sampled point passes the filter and has a vector,
 * the ids come sorted (integers, then UUIDs), each row holds the point's {@code limit} nearest other sampled points
 * with the scores Qdrant reports for the collection's distance, best first; pairs and offsets describe the same
 * matrix; the defaults, fewer than two points, the 400/404/422 answers, the read-only key, and a collection of three
 * shards over two clustered nodes. Collections: points at 50 integer ids and 10 UUIDs with random vectors of
 * dimension 4 (none for every ninth point) and payload {@code {"group": i mod 3}}. Randomized: {@code -Dquiver.seed=}
 * replays.
 */
class DistanceMatrixRestTest extends RestServerTest {
    private static final int POINTS = 60;
    private static final String GROUP_1 = "{\"must\":[{\"key\":\"group\",\"match\":{\"value\":1}}]}";
    /** Qdrant's order of ids: integers ascending, then UUIDs (as 128-bit numbers, i.e. by canonical text). */
    private static final Comparator<String> ID_ORDER = Comparator
            .<String>comparingInt(id -> id.startsWith("\"") ? 1 : 0)
            .thenComparing((a, b) -> a.startsWith("\"") ? a.compareTo(b)
                    : Long.compare(Long.parseLong(a), Long.parseLong(b)));

    /** Point index → its id as JSON text ({@code 17} or {@code "…uuid…"}), vector (null: none) and group. */
    private final List<String> ids = new ArrayList<>();
    private final Map<String, float[]> vectors = new HashMap<>();
    private final Map<String, Integer> groups = new HashMap<>();
    private long seed;
    private Random random;

    @BeforeEach
    void createData() {
        seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("DistanceMatrixRestTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        random = new Random(seed);
        for (int i = 0; i < POINTS; i++) {
            String id = i < 50 ? Integer.toString(3 * i + 1)
                    : "\"" + new UUID(random.nextLong(), random.nextLong()) + "\"";
            ids.add(id);
            vectors.put(id, i % 9 == 4 ? null : VectorJson.gaussian(random, 4));
            groups.put(id, i % 3);
        }
    }

    /** Creates collection {@code name} with {@code distance} through {@code client} and upserts every point. */
    private void createCollection(RestClient client, String name, String distance) {
        client.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":4,\"distance\":\"" + distance + "\"}}");
        upsertAll(client, name);
    }

    /** Upserts every point into collection {@code name} through {@code client}, waiting for it. */
    private void upsertAll(RestClient client, String name) {
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int i = 0; i < POINTS; i++) {
            String id = ids.get(i);
            float[] v = vectors.get(id);
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                    .append(v == null ? "{}" : json(v)).append(",\"payload\":{\"group\":").append(groups.get(id))
                    .append("}}");
        }
        assertEquals("completed", client.ok("PUT", "/collections/" + name + "/points?wait=true",
                points.append("]}").toString()).get("status").asText());
    }

    /** The ids with a vector whose point index passes {@code filter}. */
    private Set<String> eligible(IntPredicate filter) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < POINTS; i++) {
            if (filter.test(i) && vectors.get(ids.get(i)) != null) {
                out.add(ids.get(i));
            }
        }
        return out;
    }

    private static boolean higherIsBetter(String distance) {
        return distance.equals("Cosine") || distance.equals("Dot");
    }

    /** The score Qdrant reports for {@code b} found by a search with {@code a}'s stored vector, in double precision. */
    private double score(String distance, String a, String b) {
        float[] x = vectors.get(a);
        float[] y = vectors.get(b);
        double dot = 0, l2 = 0, l1 = 0, xn = 0, yn = 0;
        for (int i = 0; i < x.length; i++) {
            dot += (double) x[i] * y[i];
            l2 += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
            l1 += Math.abs((double) x[i] - y[i]);
            xn += (double) x[i] * x[i];
            yn += (double) y[i] * y[i];
        }
        return switch (distance) {
            case "Cosine" -> dot / Math.sqrt(xn * yn);
            case "Dot" -> dot;
            case "Euclid" -> Math.sqrt(l2);
            case "Manhattan" -> l1;
            default -> throw new IllegalArgumentException(distance);
        };
    }

    private static double tolerance(double expected) {
        return 1e-4 * Math.max(1, Math.abs(expected));
    }

    /** A pair of the matrix: row id, neighbour id, reported score. */
    private record Pair(String a, String b, float score) {}

    private static String idText(JsonNode id) {
        return id.toString();
    }

    /** The pairs of a {@code pairs} answer, in order. */
    private static List<Pair> pairs(JsonNode result) {
        assertEquals(Set.of("pairs"), fieldNames(result), result::toString);
        List<Pair> out = new ArrayList<>();
        for (JsonNode p : result.get("pairs")) {
            assertEquals(Set.of("a", "b", "score"), fieldNames(p), p::toString);
            assertTrue(p.get("score").isNumber(), p::toString);
            out.add(new Pair(idText(p.get("a")), idText(p.get("b")), p.get("score").floatValue()));
        }
        return out;
    }

    /** The pairs of an {@code offsets} answer, in order, and its ids into {@code idsOut}. */
    private static List<Pair> offsets(JsonNode result, List<String> idsOut) {
        assertEquals(Set.of("offsets_row", "offsets_col", "scores", "ids"), fieldNames(result), result::toString);
        result.get("ids").forEach(id -> idsOut.add(idText(id)));
        JsonNode rows = result.get("offsets_row");
        JsonNode cols = result.get("offsets_col");
        JsonNode scores = result.get("scores");
        assertEquals(rows.size(), cols.size(), result::toString);
        assertEquals(rows.size(), scores.size(), result::toString);
        List<Pair> out = new ArrayList<>();
        for (int j = 0; j < rows.size(); j++) {
            int row = rows.get(j).asInt();
            int col = cols.get(j).asInt();
            assertTrue(rows.get(j).isIntegralNumber() && cols.get(j).isIntegralNumber(), result::toString);
            assertTrue(row >= 0 && row < idsOut.size() && col >= 0 && col < idsOut.size(), result::toString);
            out.add(new Pair(idsOut.get(row), idsOut.get(col), scores.get(j).floatValue()));
        }
        return out;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * Checks a matrix against the brute force over its own sample: sample ids sorted, distinct, with a vector and
     * passing {@code filter}; the pairs grouped by row in id order; each row the {@code limit} nearest other sampled
     * points (up to ties within the score tolerance), best first, with their scores.
     */
    private void assertMatrix(String distance, List<String> sample, List<Pair> pairs, int limit, IntPredicate filter,
            String what) {
        Set<String> allowed = eligible(filter);
        List<String> sorted = new ArrayList<>(sample);
        sorted.sort(ID_ORDER);
        assertEquals(sorted, sample, what + ": ids sorted");
        assertEquals(sample.size(), new HashSet<>(sample).size(), what + ": distinct ids " + sample);
        assertTrue(allowed.containsAll(sample), what + ": sampled points pass the filter and have a vector " + sample);
        Map<String, List<Pair>> rows = new LinkedHashMap<>();
        for (Pair p : pairs) {
            rows.computeIfAbsent(p.a(), a -> new ArrayList<>()).add(p);
        }
        List<String> rowOrder = new ArrayList<>(rows.keySet());
        assertEquals(sample.size() < 2 ? List.of() : sample, rowOrder, what + ": one group of pairs per sampled id, "
                + "in id order");
        assertEquals(pairs.size(), rows.values().stream().mapToInt(List::size).sum());
        boolean higher = higherIsBetter(distance);
        for (String a : sample) {
            List<Pair> row = rows.get(a);
            assertEquals(Math.min(limit, sample.size() - 1), row.size(), what + ": neighbours of " + a);
            Set<String> found = new HashSet<>();
            for (int j = 0; j < row.size(); j++) {
                Pair p = row.get(j);
                assertTrue(sample.contains(p.b()) && !p.b().equals(a), what + ": " + p + " is another sampled point");
                assertTrue(found.add(p.b()), what + ": " + p.b() + " once in the row of " + a);
                double expected = score(distance, a, p.b());
                assertEquals(expected, p.score(), tolerance(expected), what + ": score of " + p);
                if (j > 0) {
                    float previous = row.get(j - 1).score();
                    assertTrue(higher ? previous >= p.score() : previous <= p.score(), what + ": best first in "
                            + row);
                }
            }
            float worst = row.getLast().score();
            for (String c : sample) {
                if (!c.equals(a) && !found.contains(c)) {
                    double s = score(distance, a, c);
                    assertTrue(higher ? s <= worst + tolerance(s) : s >= worst - tolerance(s), what + ": " + c
                            + " (score " + s + ") would be nearer to " + a + " than " + row);
                }
            }
        }
    }

    private JsonNode matrix(RestClient client, String collection, String kind, String body) {
        return client.ok("POST", "/collections/" + collection + "/points/search/matrix/" + kind, body);
    }

    @Test
    void everyDistanceGivesTheExactNearestOtherPointsOfItsSample() {
        for (String distance : List.of("Cosine", "Dot", "Euclid", "Manhattan")) {
            String c = distance.toLowerCase(java.util.Locale.ROOT);
            createCollection(rest, c, distance);
            Set<String> all = eligible(i -> true);
            // a sample as large as the collection takes every point with a vector: pairs and offsets alike
            JsonNode pairsResult = matrix(rest, c, "pairs", "{\"sample\":1000,\"limit\":4}");
            List<Pair> pairs = pairs(pairsResult);
            List<String> pairsSample = new ArrayList<>();
            pairs.forEach(p -> {
                if (!pairsSample.contains(p.a())) {
                    pairsSample.add(p.a());
                }
            });
            assertEquals(all, new HashSet<>(pairsSample), distance + ": every point with a vector, none without");
            assertMatrix(distance, pairsSample, pairs, 4, i -> true, distance + " pairs");

            List<String> offsetIds = new ArrayList<>();
            List<Pair> fromOffsets = offsets(matrix(rest, c, "offsets", "{\"sample\":1000,\"limit\":4}"), offsetIds);
            assertEquals(pairsSample, offsetIds, distance + ": offsets ids are the sample in id order");
            assertMatrix(distance, offsetIds, fromOffsets, 4, i -> true, distance + " offsets");
            assertEquals(pairs, fromOffsets, distance + ": pairs and offsets describe the same matrix");

            // a filtered sample smaller than the candidates: a random subset, checked against its own brute force
            Set<String> drawn = new HashSet<>();
            for (int draw = 0; draw < 10; draw++) {
                List<String> sample = new ArrayList<>();
                List<Pair> filtered = offsets(matrix(rest, c, "offsets",
                        "{\"sample\":6,\"limit\":2,\"filter\":" + GROUP_1 + "}"), sample);
                assertEquals(6, sample.size(), distance + ": sample size");
                assertMatrix(distance, sample, filtered, 2, i -> i % 3 == 1, distance + " filtered draw " + draw);
                drawn.addAll(sample);
            }
            assertTrue(drawn.size() > 6, distance + ": samples differ from draw to draw, drew only " + drawn);
        }
    }

    @Test
    void dotDropsTheLastHitWhenThePointIsNotItsOwnNearest() {
        createCollection(rest, "dot", "Dot");
        List<String> sample = new ArrayList<>();
        List<Pair> pairs = offsets(matrix(rest, "dot", "offsets", "{\"sample\":1000,\"limit\":1}"), sample);
        assertMatrix("Dot", sample, pairs, 1, i -> true, "Dot limit 1");
        // some point's best dot product is with another point (longer and alike), so its own is not among the two
        // best and the search's second hit is the one dropped; the brute force above holds for it too
        boolean someoneOutscoresItself = false;
        for (String a : sample) {
            for (String b : sample) {
                someoneOutscoresItself |= !a.equals(b) && score("Dot", a, b) > score("Dot", a, a);
            }
        }
        assertTrue(someoneOutscoresItself, "the data exercise the drop-the-last rule");
    }

    @Test
    void defaultsAndSmallSamples() {
        createCollection(rest, "m", "Euclid");
        // {} takes sample 10 and limit 3
        List<String> sample = new ArrayList<>();
        List<Pair> pairs = offsets(matrix(rest, "m", "offsets", "{}"), sample);
        assertEquals(10, sample.size());
        assertMatrix("Euclid", sample, pairs, 3, i -> true, "defaults");
        sample.clear();
        pairs = offsets(matrix(rest, "m", "offsets", "{\"sample\":null,\"limit\":null,\"filter\":null,\"using\":\"\"}"),
                sample);
        assertEquals(10, sample.size());
        assertEquals(30, pairs.size());

        // a limit beyond the sample: every other sampled point, nearest first
        sample.clear();
        pairs = offsets(matrix(rest, "m", "offsets", "{\"sample\":3,\"limit\":10}"), sample);
        assertEquals(3, sample.size());
        assertMatrix("Euclid", sample, pairs, 10, i -> true, "limit over the sample");
        assertEquals(6, pairs.size());
        sample.clear();
        pairs = offsets(matrix(rest, "m", "offsets", "{\"sample\":4,\"limit\":9223372036854775807}"), sample);
        assertMatrix("Euclid", sample, pairs, Integer.MAX_VALUE, i -> true, "the largest limit");
        assertEquals(12, pairs.size());

        // exactly two points with a vector pass: one pair each way
        String two = "{\"must\":[{\"has_id\":[" + ids.get(0) + "," + ids.get(1) + "," + ids.get(4) + "]}]}";
        assertNull(vectors.get(ids.get(4)), "index 4 has no vector");
        sample.clear();
        pairs = offsets(matrix(rest, "m", "offsets", "{\"sample\":5,\"filter\":" + two + "}"), sample);
        assertEquals(List.of(ids.get(0), ids.get(1)), sample);
        assertMatrix("Euclid", sample, pairs, 3, i -> i <= 1, "two points");

        // fewer than two points with a vector: an empty matrix (no ids either), not an error
        String one = "{\"must\":[{\"has_id\":[" + ids.get(0) + "," + ids.get(4) + "]}]}";
        String none = "{\"must\":[{\"key\":\"group\",\"match\":{\"value\":7}}]}";
        for (String filter : List.of(one, none)) {
            assertEquals("{\"pairs\":[]}", matrix(rest, "m", "pairs", "{\"filter\":" + filter + "}").toString());
            assertEquals("{\"offsets_row\":[],\"offsets_col\":[],\"scores\":[],\"ids\":[]}",
                    matrix(rest, "m", "offsets", "{\"filter\":" + filter + "}").toString());
        }
        rest.ok("PUT", "/collections/empty", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertEquals("{\"pairs\":[]}", matrix(rest, "empty", "pairs", "{}").toString());

        // read parameters as the other searches take them
        assertEquals(10, matrix(rest, "m", "offsets?consistency=majority&timeout=5", "{}").get("ids").size());
        assertEquals(10, matrix(rest, "m", "pairs?consistency=2", "{\"limit\":1}").get("pairs").size());
    }

    @Test
    void refusalsAsQdrantAnswersThem() {
        createCollection(rest, "m", "Cosine");
        String pairs = "/collections/m/points/search/matrix/pairs";
        String offsets = "/collections/m/points/search/matrix/offsets";
        for (String path : List.of(pairs, offsets)) {
            assertEquals("Validation error in JSON body: [sample: value 1 invalid, must be 2 or larger]",
                    rest.error(422, "POST", path, "{\"sample\":1}"));
            assertEquals("Validation error in JSON body: [limit: value 0 invalid, must be 1 or larger]",
                    rest.error(422, "POST", path, "{\"limit\":0}"));
            assertEquals("Validation error in JSON body: [limit: value 0 invalid, must be 1 or larger, sample: value 0 "
                    + "invalid, must be 2 or larger]", rest.error(422, "POST", path, "{\"sample\":0,\"limit\":0}"));
            for (String body : List.of("{\"sample\":-1}", "{\"sample\":\"10\"}", "{\"limit\":1.5}",
                    "{\"filter\":\"x\"}", "{\"using\":3}",
                    "{\"sample\":1,\"limit\":\"x\"}", "[]", "")) {
                assertTrue(rest.error(400, "POST", path, body).startsWith("Format error in JSON body"),
                        "400 for " + body);
            }
            assertTrue(rest.error(400, "POST", path, "{\"filter\":{\"must\":[{\"bogus\":1}]}}").contains("bogus"));
            assertEquals("Wrong input: Not existing vector name error: image",
                    rest.error(400, "POST", path, "{\"using\":\"image\"}"));
            assertTrue(rest.error(400, "POST", path + "?timeout=0", "{}").contains("timeout"));
            assertTrue(rest.error(400, "POST", path + "?consistency=most", "{}").contains("consistency"));
        }
        assertEquals("Not found: Collection `nope` doesn't exist!",
                rest.error(404, "POST", "/collections/nope/points/search/matrix/pairs", "{}"));
        // the body is validated before the collection is looked up, as Qdrant's JSON extractor runs first
        rest.error(422, "POST", "/collections/nope/points/search/matrix/offsets", "{\"sample\":1}");
        assertEquals(405, rest.send("GET", pairs, null).status());
    }

    @Test
    void theReadOnlyKeyMayAskForAMatrix() throws Exception {
        try (QuiverServer keyed = TestServers.start(dir.resolve("keyed"), "QUIVER__SERVICE__API_KEY", "full-secret",
                "QUIVER__SERVICE__READ_ONLY_API_KEY", "read-secret")) {
            RestClient client = new RestClient(keyed.port());
            client.apiKey("full-secret");
            createCollection(client, "m", "Dot");
            client.apiKey("read-secret");
            assertEquals(10, matrix(client, "m", "offsets", "{}").get("ids").size());
            assertEquals(30, matrix(client, "m", "pairs", "{}").get("pairs").size());
            assertEquals(403, client.send("PUT", "/collections/m/points?wait=true",
                    "{\"points\":[{\"id\":1,\"vector\":[1,0,0,0]}]}").status(), "the key is read-only");
            client.apiKey(null);
            assertEquals(401, client.send("POST", "/collections/m/points/search/matrix/pairs", "{}").status());
        }
    }

    @Test
    void aCollectionSpreadOverAClusterGivesTheSameMatrix() throws Exception {
        try (TestServers.TwoNodes cluster = TestServers.TwoNodes.start(dir)) {
            List<RestClient> clients = cluster.clients();
            clients.get(1).ok("PUT", "/collections/spread",
                    "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\"},\"shard_number\":3}");
            for (RestClient client : clients) {
                client.eventually("/collections/spread/exists", e -> e.get("exists").asBoolean(),
                        "the collection on both nodes", Duration.ofSeconds(30));
            }
            upsertAll(clients.get(0), "spread");
            long stored = 0;
            for (RestClient client : clients) {
                JsonNode local = client.ok("GET", "/collections/spread/cluster", null).get("local_shards");
                assertFalse(local.isEmpty(), "each node holds a shard, so a matrix reads through both: " + local);
                for (JsonNode shard : local) {
                    stored += shard.get("points_count").asLong();
                }
            }
            assertEquals(POINTS, stored, "every point stored once, on one node or the other");
            Set<String> all = eligible(i -> true);
            for (RestClient client : clients) {
                assertEquals(3, client.ok("GET", "/collections/spread/cluster", null).get("shard_count").asInt());
                List<String> sample = new ArrayList<>();
                List<Pair> pairs = offsets(matrix(client, "spread", "offsets", "{\"sample\":1000,\"limit\":3}"),
                        sample);
                assertEquals(all, new HashSet<>(sample), "every point with a vector, from every shard");
                assertMatrix("Manhattan", sample, pairs, 3, i -> true, "clustered");
                sample.clear();
                pairs = offsets(matrix(client, "spread", "offsets?consistency=all",
                        "{\"sample\":5,\"limit\":2,\"filter\":" + GROUP_1 + "}"), sample);
                assertEquals(5, sample.size());
                assertMatrix("Manhattan", sample, pairs, 2, i -> i % 3 == 1, "clustered, filtered");
                assertFalse(pairs.isEmpty());
            }
        }
    }

    /** A cluster-enabled server in this JVM, on 127.0.0.1, joining through {@code bootstrapP2p} when given. */}
