package io.quiver.bench.ann;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The ann harness's options: {@code --threads} sizes the build, searches run single-threaded unless asked;
 * {@code --centre} moves a Euclidean data set to its mean.
 */
class AnnBenchOptionsTest {

    private static AnnBench.Options parse(String... extra) {
        String[] args = new String[extra.length + 2];
        args[0] = "--data";
        args[1] = "/nonexistent";
        System.arraycopy(extra, 0, args, 2, extra.length);
        return AnnBench.Options.parse(args);
    }

    @Test
    void threadsSizeTheBuildAndSearchesStaySingleThreaded() {
        AnnBench.Options defaults = parse();
        assertEquals(Runtime.getRuntime().availableProcessors(), defaults.buildThreads());
        assertEquals(1, defaults.searchThreads());

        AnnBench.Options three = parse("--threads", "3");
        assertEquals(3, three.buildThreads());
        assertEquals(1, three.searchThreads());

        AnnBench.Options both = parse("--threads", "3", "--search-threads", "2");
        assertEquals(3, both.buildThreads());
        assertEquals(2, both.searchThreads());
        assertEquals(4, parse("--build-threads", "4").buildThreads());

        assertThrows(IllegalArgumentException.class, () -> parse("--search-threads", "0"));
        assertThrows(IllegalArgumentException.class, () -> parse("--threads", "0"));
    }

    /** {@code --centre} moves the data to the base's mean, which leaves every Euclidean distance as it was. */
    @Test
    void centringKeepsEuclideanDistancesAndIsRefusedForOtherMetrics() throws Exception {
        assertEquals(false, parse().centre());
        assertEquals(true, parse("--centre").centre());
        Path dir = Files.createTempDirectory("centre");
        try {
            java.util.Random random = new java.util.Random(3);
            float[][] base = new float[50][6];
            float[][] queries = new float[4][6];
            for (float[][] set : new float[][][] {base, queries}) {
                for (float[] v : set) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = 10 + random.nextFloat() * 5; // all positive, far from the origin
                    }
                }
            }
            AnnBenchSmokeTest.writeFvecs(dir.resolve("base.fvecs"), base);
            AnnBenchSmokeTest.writeFvecs(dir.resolve("query.fvecs"), queries);
            int[][] gt = new int[queries.length][base.length];
            AnnBenchSmokeTest.writeIvecs(dir.resolve("gt-euclid.ivecs"), gt);
            AnnBenchSmokeTest.writeIvecs(dir.resolve("gt-cosine.ivecs"), gt);
            AnnDataset data = AnnDataset.load(dir, "euclid", 10);
            AnnDataset centred = data.centred();
            double[] columnSums = new double[6];
            for (float[] v : centred.base) {
                for (int i = 0; i < 6; i++) {
                    columnSums[i] += v[i];
                }
            }
            for (double s : columnSums) {
                assertEquals(0, s, 1e-3, "the base's mean is now the origin");
            }
            for (int q = 0; q < queries.length; q++) {
                for (int j = 0; j < base.length; j++) {
                    assertEquals(squared(data.queries[q], data.base[j]), squared(centred.queries[q], centred.base[j]),
                            1e-3, "distance of query " + q + " to " + j);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> AnnDataset.load(dir, "cosine", 10).centred());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static double squared(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return s;
    }
}
