package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Qdrant's binary and product quantization over a real socket: {@code quantization_config.binary} is created, shown
 * as given, kept over a restart and patched in; indexed segments are searched on sign bits and rescored (exact
 * scores, the brute-force neighbours), and without rescoring a hit's score is Qdrant's {@code dim - 2h} for the
 * {@code h} signs its vector and the query disagree on, for each of Qdrant's encodings; product codes are searched
 * and rescored the same way; unknown encodings and compressions are a 400. One server on 127.0.0.1 per test.
 */
class QuantizationRestTest extends RestServerTest {

    private static final int DIM = 64;
    private static final int POINTS = 640; // five sealed segments of 128 vectors (32 KB of 64 floats)
    private static final int CLUSTERS = 40;

    private final List<float[]> stored = new ArrayList<>();
    /** The unit vectors the collection holds (Cosine normalises at insert). */
    private final List<float[]> vectors = new ArrayList<>();

    /** A cosine collection with {@code quantization} whose POINTS random vectors all sit in indexed segments. */
    private void loaded(String name, String quantization) throws Exception {
        assertTrue(rest.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":" + DIM + ",\"distance\":\"Cosine\"},"
                + "\"optimizers_config\":{\"indexing_threshold\":32},\"quantization_config\":" + quantization + "}")
                .asBoolean());
        Random random = new Random(11);
        float[][] centres = new float[CLUSTERS][DIM];
        for (float[] c : centres) {
            for (int i = 0; i < DIM; i++) {
                c[i] = (float) random.nextGaussian();
            }
        }
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 0; id < POINTS; id++) {
            float[] v = near(centres[random.nextInt(CLUSTERS)], random);
            stored.add(v);
            vectors.add(unit(v));
            body.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                    .append(VectorJson.json(v)).append('}');
        }
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
        rest.eventually("/collections/" + name, info -> info.get("indexed_vectors_count").asInt() == POINTS
                        && "green".equals(info.get("status").asText()), "every point in a binary segment",
                Duration.ofSeconds(30));
    }

    /** A point around {@code centre}: embeddings cluster, and so do the signs of their components. */
    private static float[] near(float[] centre, Random random) {
        float[] v = new float[centre.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = centre[i] + 0.5f * (float) random.nextGaussian();
        }
        return v;
    }

    /** The ids of the ten stored unit vectors nearest (by dot product) to {@code unitQuery}. */
    private Set<Integer> nearest(float[] unitQuery) {
        return new HashSet<>(IntStream.range(0, POINTS).boxed()
                .sorted(Comparator.comparingDouble(id -> -dot(vectors.get(id), unitQuery))).limit(10).toList());
    }

    /** A query body of limit 10 open at {@code params.quantization}: the caller appends the object and three braces. */
    private static String quantizedQuery(float[] query) {
        return "{\"query\":" + VectorJson.json(query) + ",\"limit\":10,\"params\":{\"quantization\":";
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return u;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    @Test
    void theConfigIsShownAsGivenKeptOverARestartAndPatchedIn() throws Exception {
        rest.ok("PUT", "/collections/b", """
                {"vectors":{"size":4,"distance":"Dot"},
                 "quantization_config":{"binary":{"always_ram":true,"query_encoding":"scalar8bits"}}}""");
        JsonNode shown = rest.ok("GET", "/collections/b", null).at("/config/quantization_config");
        assertEquals("{\"binary\":{\"always_ram\":true,\"query_encoding\":\"scalar8bits\"}}", shown.toString());
        restartServer();
        assertEquals(shown, rest.ok("GET", "/collections/b", null).at("/config/quantization_config"));

        rest.ok("PUT", "/collections/p", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"}}");
        assertTrue(rest.ok("PATCH", "/collections/p",
                "{\"quantization_config\":{\"binary\":{\"encoding\":\"one_bit\"}}}").asBoolean());
        assertEquals("{\"binary\":{\"encoding\":\"one_bit\"}}",
                rest.ok("GET", "/collections/p", null).at("/config/quantization_config").toString());
        assertTrue(rest.ok("PATCH", "/collections/p",
                "{\"vectors\":{\"\":{\"quantization_config\":{\"binary\":{}}}}}").asBoolean());
        assertEquals("{\"binary\":{}}",
                rest.ok("GET", "/collections/p", null).at("/config/params/vectors/quantization_config").toString());
    }

    @Test
    void unknownEncodingsAndCompressionsAreA400AndCreateNothing() {
        String unknown = createWith("{\"binary\":{\"encoding\":\"3bit\"}}");
        assertTrue(unknown.contains("unknown variant `3bit`"), unknown);
        String query = createWith("{\"binary\":{\"query_encoding\":\"scalar2bits\"}}");
        assertTrue(query.contains("unknown variant `scalar2bits`"), query);
        String product = createWith("{\"product\":{\"compression\":\"x128\"}}");
        assertTrue(product.contains("unknown variant `x128`"), product);
        String neither = createWith("{\"ternary\":{}}");
        assertTrue(neither.contains("did not match any variant"), neither);
        assertFalse(rest.ok("GET", "/collections/x/exists", null).get("exists").asBoolean());
    }

    /** The 400's error text of creating collection x with {@code quantization}. */
    private String createWith(String quantization) {
        return rest.error(400, "PUT", "/collections/x",
                "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},\"quantization_config\":" + quantization + "}");
    }

    @Test
    void rescoredSearchFindsTheExactNeighboursAndBitsAloneScoreAsQdrant() throws Exception {
        loaded("bq", "{\"binary\":{\"always_ram\":true}}");
        Random random = new Random(5);
        int hits = 0;
        int queries = 20;
        for (int q = 0; q < queries; q++) {
            float[] query = near(stored.get(random.nextInt(POINTS)), random);
            float[] unitQuery = unit(query);
            Set<Integer> truth = nearest(unitQuery);
            String search = quantizedQuery(query);
            for (JsonNode hit : rest.ok("POST", "/collections/bq/points/query",
                    search + "{\"oversampling\":2}}}").get("points")) {
                int id = hit.get("id").asInt();
                assertEquals(dot(vectors.get(id), unitQuery), hit.get("score").asDouble(), 1e-5, "rescored: exact");
                hits += truth.contains(id) ? 1 : 0;
            }
            assertBitScores(rest.ok("POST", "/collections/bq/points/query", search + "{\"rescore\":false}}}")
                    .get("points"), query);
            if (q == queries - 1) { // the bits are read back from the segments' index files, not rebuilt as floats
                restartServer();
                assertBitScores(rest.ok("POST", "/collections/bq/points/query", search + "{\"rescore\":false}}}")
                        .get("points"), query);
            }
        }
        double recall = hits / (10.0 * queries);
        System.out.println("binary recall@10 over REST, oversampling 2: " + recall);
        assertTrue(recall >= 0.9, "recall " + recall);
    }

    /**
     * Qdrant's two-bit encodings (bits from each component's z-score over its segment, so their unrescored scores are
     * not recomputed here): rescored hits are exact and the brute-force neighbours; unrescored ones score
     * {@code dim - 2h}, an integer no larger than dim.
     */
    @Test
    void theTwoBitEncodingsAreSearchedAndRescoredToo() throws Exception {
        for (String encoding : List.of("two_bits", "one_and_half_bits")) {
            stored.clear();
            vectors.clear();
            loaded(encoding, "{\"binary\":{\"encoding\":\"" + encoding + "\"}}");
            assertEquals(encoding, rest.ok("GET", "/collections/" + encoding, null)
                    .at("/config/quantization_config/binary/encoding").asText());
            Random random = new Random(6);
            int hits = 0;
            boolean someInexact = false;
            for (int q = 0; q < 10; q++) {
                float[] query = near(stored.get(random.nextInt(POINTS)), random);
                float[] unitQuery = unit(query);
                Set<Integer> truth = nearest(unitQuery);
                String search = quantizedQuery(query);
                for (JsonNode hit : rest.ok("POST", "/collections/" + encoding + "/points/query",
                        search + "{\"oversampling\":2}}}").get("points")) {
                    int id = hit.get("id").asInt();
                    assertEquals(dot(vectors.get(id), unitQuery), hit.get("score").asDouble(), 1e-5, encoding);
                    hits += truth.contains(id) ? 1 : 0;
                }
                for (JsonNode hit : rest.ok("POST", "/collections/" + encoding + "/points/query",
                        search + "{\"rescore\":false}}}").get("points")) {
                    double score = hit.get("score").asDouble();
                    assertTrue(score == Math.rint(score) && score <= DIM, encoding + ": dim - 2h, got " + score);
                    someInexact |= Math.abs(score - dot(vectors.get(hit.get("id").asInt()), unitQuery)) > 1e-3;
                }
            }
            assertTrue(someInexact, encoding + ": unrescored scores come from the bits");
            double recall = hits / 100.0;
            System.out.println(encoding + " recall@10 over REST, oversampling 2: " + recall);
            assertTrue(recall >= 0.9, encoding + " recall " + recall);
        }
    }

    /** Product quantization: shown as given, rescored hits exact and the brute-force neighbours, codes approximate. */
    @Test
    void productCodesAreSearchedAndRescored() throws Exception {
        loaded("pq", "{\"product\":{\"compression\":\"x8\",\"always_ram\":true}}");
        assertEquals("{\"product\":{\"compression\":\"x8\",\"always_ram\":true}}",
                rest.ok("GET", "/collections/pq", null).at("/config/quantization_config").toString());
        Random random = new Random(8);
        int hits = 0;
        double codeError = 0;
        for (int q = 0; q < 10; q++) {
            float[] query = near(stored.get(random.nextInt(POINTS)), random);
            float[] unitQuery = unit(query);
            Set<Integer> truth = nearest(unitQuery);
            String search = quantizedQuery(query);
            for (JsonNode hit : rest.ok("POST", "/collections/pq/points/query", search + "{}}}").get("points")) {
                int id = hit.get("id").asInt();
                assertEquals(dot(vectors.get(id), unitQuery), hit.get("score").asDouble(), 1e-5, "rescored: exact");
                hits += truth.contains(id) ? 1 : 0;
            }
            for (JsonNode hit : rest.ok("POST", "/collections/pq/points/query", search + "{\"rescore\":false}}}")
                    .get("points")) {
                codeError += Math.abs(hit.get("score").asDouble() - dot(vectors.get(hit.get("id").asInt()), unitQuery))
                        / 100;
            }
        }
        double recall = hits / 100.0;
        System.out.println("product x8 recall@10 over REST: " + recall + ", mean error of code scores " + codeError);
        assertTrue(recall >= 0.9, "recall " + recall);
        assertTrue(codeError > 1e-4 && codeError < 0.1, "code scores approximate the exact ones: " + codeError);
        restartServer();
        assertEquals(10, rest.ok("POST", "/collections/pq/points/query",
                "{\"query\":" + VectorJson.json(stored.get(0)) + ",\"limit\":10}").get("points").size());
    }

    /** A snapshot of a collection with two-bit codes recovers into another that searches its codes the same way. */
    @Test
    void aSnapshotCarriesTheCodesAndTheirConfig() throws Exception {
        loaded("orig", "{\"binary\":{\"encoding\":\"two_bits\",\"query_encoding\":\"scalar4bits\"}}");
        String name = rest.ok("POST", "/collections/orig/snapshots", null).get("name").asText();
        java.nio.file.Path file = dir.resolve("snapshots").resolve("orig").resolve(name);
        assertTrue(rest.ok("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"" + file.toUri() + "\"}")
                .asBoolean());
        assertEquals(rest.ok("GET", "/collections/orig", null).at("/config/quantization_config"),
                rest.ok("GET", "/collections/copy", null).at("/config/quantization_config"));
        Random random = new Random(9);
        for (int q = 0; q < 5; q++) {
            String body = quantizedQuery(near(stored.get(random.nextInt(POINTS)), random)) + "{\"rescore\":false}}}";
            assertEquals(rest.ok("POST", "/collections/orig/points/query", body).get("points"),
                    rest.ok("POST", "/collections/copy/points/query", body).get("points"), "the same code scores");
        }
    }

    private void assertBitScores(JsonNode bitsOnly, float[] query) {
        assertEquals(10, bitsOnly.size());
        for (JsonNode hit : bitsOnly) {
            float[] v = vectors.get(hit.get("id").asInt());
            int differing = 0;
            for (int i = 0; i < DIM; i++) {
                differing += v[i] > 0 != query[i] > 0 ? 1 : 0;
            }
            assertEquals(DIM - 2 * differing, hit.get("score").asDouble(), 0.0, "dim - 2h, h = " + differing);
        }
    }
}
