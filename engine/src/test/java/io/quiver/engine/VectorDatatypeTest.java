package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vector datatypes ({@code "datatype": "float16" | "uint8"}): stored points and queries take the values the datatype
 * holds, as Qdrant converts both (half-precision rounding; {@code x as u8}: truncation toward zero, saturation at 0
 * and 255), scores are those of the converted values, and the config keeps the datatype across a reopen.
 */
class VectorDatatypeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storage;

    private Collection create(Quiver q, String name, String distance, String datatype) throws Exception {
        return q.createCollection(name, CollectionConfig.fromCreateRequest(JSON.readTree("{\"vectors\":{\"size\":4,"
                + "\"distance\":\"" + distance + "\",\"datatype\":\"" + datatype + "\"}}"), null));
    }

    private static float[] half(float... v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
        }
        return out;
    }

    @Test
    void float16StoresAndSearchesHalfPrecisionValues() throws Exception {
        float[] stored = {0.1f, 1f / 3, 65519f, 1e-8f};
        float[] query = {0.7f, -2.2f, 1e-3f, 3.3f};
        float[] h = half(stored);
        assertEquals(65504f, h[2], "rounded to float16's largest value");
        assertEquals(0f, h[3], "below float16's smallest subnormal");
        try (Quiver q = Quiver.open(storage)) {
            Collection c = create(q, "f16", "Dot", "float16");
            c.upsert(List.of(new Point(PointId.of(1), stored)), true);
            assertArrayEquals(h, c.retrieve(PointId.of(1)).vectorOrNull());
            float[] hq = half(query);
            double expected = 0;
            for (int i = 0; i < 4; i++) {
                expected += (double) hq[i] * h[i];
            }
            float score = c.search(SearchRequest.topK(query, 1)).getFirst().score();
            assertEquals(expected, score, Math.abs(expected) * 1e-6, "the dot product of the two rounded vectors");
            BadRequestException tooLarge = assertThrows(BadRequestException.class,
                    () -> c.upsert(List.of(new Point(PointId.of(2), new float[] {70000f, 0, 0, 0})), true));
            assertTrue(tooLarge.getMessage().contains("float16"), tooLarge.getMessage());
            assertEquals(1, c.count(null), "the refused point is not stored");
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("f16");
            assertEquals("float16", c.config().vectors().datatypeOrNull());
            assertArrayEquals(h, c.retrieve(PointId.of(1)).vectorOrNull(), "after a reopen");
        }
    }

    @Test
    void float16UnderCosineRoundsTheNormalisedVector() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = create(q, "f16c", "Cosine", "float16");
            c.upsert(List.of(new Point(PointId.of(1), new float[] {3, 4, 0, 0})), true);
            assertArrayEquals(half(0.6f, 0.8f, 0, 0), c.retrieve(PointId.of(1)).vectorOrNull());
        }
    }

    @Test
    void uint8TruncatesAndSaturatesStoredAndQueryValues() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = create(q, "u8", "Euclid", "uint8");
            c.upsert(List.of(new Point(PointId.of(1), new float[] {-10f, 1.7f, 255.9f, 300f}),
                    new Point(PointId.of(2), new float[] {2.99f, 0.5f, 0, 0})), true);
            assertArrayEquals(new float[] {0, 1, 255, 255}, c.retrieve(PointId.of(1)).vectorOrNull());
            assertArrayEquals(new float[] {2, 0, 0, 0}, c.retrieve(PointId.of(2)).vectorOrNull());
            // the query {2.5, -1, 0, 0} is searched as {2, 0, 0, 0}: point 2 at distance 0, point 1 at sqrt(4+1+2·255²)
            List<ScoredPoint> hits = c.search(SearchRequest.topK(new float[] {2.5f, -1f, 0, 0}, 2));
            assertEquals(PointId.of(2), hits.get(0).id());
            assertEquals(0f, hits.get(0).score());
            assertEquals((float) Math.sqrt(4 + 1 + 2 * 255.0 * 255), hits.get(1).score(), 1e-3f);
        }
    }
}
