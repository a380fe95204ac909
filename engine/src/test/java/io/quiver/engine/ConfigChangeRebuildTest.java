package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.QuantizationSearchParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qdrant rebuilds an index whose config changed: after a PATCH of {@code quantization_config} or of the vector's
 * {@code hnsw_config} (m, ef_construct), every indexed segment is rebuilt with the new config — searched on sign bits
 * once binary quantization is set, on floats again once it is disabled — and a reopen rebuilds nothing that already
 * matches. A change the indexes do not depend on ({@code full_scan_threshold}) rebuilds nothing.
 */
class ConfigChangeRebuildTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIM = 32;
    private static final int POINTS = 512; // eight sealed segments of 64 vectors (8 KB of 32 floats)

    @TempDir
    Path storage;

    private final List<float[]> vectors = new ArrayList<>();

    private Collection loaded(Quiver q) throws Exception {
        // no merges (16 segments allowed), so that every build counted below is a rebuild of one of the eight
        Collection c = q.createCollection("c", CollectionConfig.of(DIM, Distance.COSINE)
                .withOptimizers(CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(8))
                .applyUpdate(JSON.readTree("{\"optimizers_config\":{\"default_segment_number\":16}}")));
        Random rnd = new Random(TestSeeds.seed("ConfigChangeRebuildTest"));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < POINTS; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = (float) rnd.nextGaussian();
            }
            vectors.add(v);
            points.add(new Point(PointId.of(i), v));
        }
        c.upsert(points, true);
        c.awaitIndexing();
        return c;
    }

    /** True when every hit of an unrescored search scores {@code dim - 2h}: the segments search sign bits. */
    private boolean searchesBits(Collection c) {
        float[] query = vectors.get(7).clone();
        query[0] += 0.5f;
        List<ScoredPoint> hits = c.search(SearchRequest.topK(query, 10)
                .withQuantization(new QuantizationSearchParams(false, false, 1.0)));
        assertEquals(10, hits.size());
        for (ScoredPoint hit : hits) {
            float[] v = vectors.get((int) ((PointId.Num) hit.id()).unsigned());
            int differing = 0;
            for (int d = 0; d < DIM; d++) {
                differing += v[d] > 0 != query[d] > 0 ? 1 : 0;
            }
            if (hit.score() != DIM - 2 * differing) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rebuilds and merges run side by side: a merge must never close (unmap) a segment whose rebuild still reads its
     * vectors — before the two claimed their segments from each other, this crashed the JVM (SIGSEGV in a build
     * thread) within seconds. Small segments and two allowed keep the merger busy while the config flips.
     */
    @Test
    void configChangesDuringMergesKeepEveryPointSearchable() throws Exception {
        Random rnd = new Random(TestSeeds.seed("ConfigChangeRebuildTest.merges"));
        String[] configs = {"{\"binary\":{}}", "{\"scalar\":{\"type\":\"int8\"}}", "\"Disabled\"",
                "{\"product\":{\"compression\":\"x8\"}}", "{\"binary\":{\"encoding\":\"two_bits\"}}"};
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("m", CollectionConfig.of(16, Distance.EUCLID)
                    .withOptimizers(CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(2))
                    .applyUpdate(JSON.readTree("{\"optimizers_config\":{\"default_segment_number\":2}}")));
            int ids = 3000;
            for (int round = 0; round < 120; round++) {
                List<Point> batch = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    float[] v = new float[16];
                    for (int d = 0; d < 16; d++) {
                        v[d] = (float) rnd.nextGaussian();
                    }
                    batch.add(new Point(PointId.of(rnd.nextInt(ids)), v));
                }
                c.upsert(batch, true);
                if (round % 6 == 0) {
                    c.updateConfig(JSON.readTree("{\"quantization_config\":" + configs[rnd.nextInt(configs.length)]
                            + (rnd.nextBoolean() ? ",\"hnsw_config\":{\"m\":" + (8 + rnd.nextInt(9)) + "}}" : "}")));
                }
            }
            c.awaitIndexing();
            long points = c.count(null);
            assertTrue(points > 1000, "points " + points);
            List<ScoredPoint> all = c.search(SearchRequest.topK(new float[16], (int) points)
                    .withQuantization(new QuantizationSearchParams(true, true, 1.0)).withExact(true));
            assertEquals(points, all.size(), "an exact search sees every point");
        }
    }

    @Test
    void changedQuantizationOrGraphParamsRebuildTheIndexesAndNothingElseDoes() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Collection c = loaded(q);
            long builds = c.indexBuildCount();
            assertEquals(POINTS / 64, builds, "one build per sealed segment");
            assertTrue(!searchesBits(c), "float indexes first");

            c.updateConfig(JSON.readTree("{\"hnsw_config\":{\"full_scan_threshold\":50}}"));
            c.awaitIndexing();
            assertEquals(builds, c.indexBuildCount(), "full_scan_threshold changes no index");

            c.updateConfig(JSON.readTree("{\"quantization_config\":{\"binary\":{\"always_ram\":true}}}"));
            c.awaitIndexing();
            assertEquals(builds + POINTS / 64, c.indexBuildCount(), "every segment rebuilt with sign bits");
            assertTrue(searchesBits(c));
            builds = c.indexBuildCount();

            c.updateConfig(JSON.readTree("{\"vectors\":{\"\":{\"hnsw_config\":{\"m\":8}}}}"));
            c.awaitIndexing();
            assertEquals(builds + POINTS / 64, c.indexBuildCount(), "every segment rebuilt with m 8");
            assertTrue(searchesBits(c), "still binary");
        }
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("c");
            c.awaitIndexing();
            assertEquals(0, c.indexBuildCount(), "the rebuilt indexes were reopened, not built again");
            assertTrue(searchesBits(c));
            c.updateConfig(JSON.readTree("{\"quantization_config\":\"Disabled\"}"));
            c.awaitIndexing();
            assertEquals(POINTS / 64, c.indexBuildCount(), "every segment rebuilt without codes");
            assertTrue(!searchesBits(c));
            List<ScoredPoint> exact = c.search(SearchRequest.topK(vectors.get(3), 1));
            assertEquals(3, ((PointId.Num) exact.get(0).id()).unsigned(), "the point itself first");
        }
    }
}
