package io.quiver.hnsw;

import io.quiver.hnsw.io.VecsReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fashion-mnist-10k test set from {@code quiver.data.dir} (10 000 base vectors of dimension 784, 200 queries,
 * exact ground truth), loaded once per JVM, and the recall measure of the data README (ties at the k-th score count).
 */
final class TestVectors {

    static final int K = 10;

    private static volatile TestVectors instance;

    final float[][] base;
    final float[][] queries;
    final int[][] gtEuclid;
    final float[][] gtEuclidScores;
    final int[][] gtCosine;
    final float[][] gtCosineScores;
    final int[] baseLabels;
    final int[] queryLabels;
    final int[][] gtSameLabel;
    final float[][] gtSameLabelScores;
    final int[][] gtOtherLabel;
    final float[][] gtOtherLabelScores;

    private TestVectors(Path dir) throws IOException {
        base = VecsReader.readVectors(dir.resolve("base.bvecs"));
        queries = VecsReader.readVectors(dir.resolve("query.bvecs"));
        gtEuclid = VecsReader.readIvecs(dir.resolve("gt-euclid.ivecs"));
        gtCosine = VecsReader.readIvecs(dir.resolve("gt-cosine.ivecs"));
        gtEuclidScores = VecsReader.readVectors(dir.resolve("gt-euclid-scores.fvecs"));
        gtCosineScores = VecsReader.readVectors(dir.resolve("gt-cosine-scores.fvecs"));
        baseLabels = VecsReader.readLabels(dir.resolve("base.labels"));
        queryLabels = VecsReader.readLabels(dir.resolve("query.labels"));
        gtSameLabel = VecsReader.readIvecs(dir.resolve("gt-euclid-samelabel.ivecs"));
        gtSameLabelScores = VecsReader.readVectors(dir.resolve("gt-euclid-samelabel-scores.fvecs"));
        gtOtherLabel = VecsReader.readIvecs(dir.resolve("gt-euclid-otherlabel.ivecs"));
        gtOtherLabelScores = VecsReader.readVectors(dir.resolve("gt-euclid-otherlabel-scores.fvecs"));
    }

    static TestVectors fashionMnist10k() {
        if (instance == null) {
            synchronized (TestVectors.class) {
                if (instance == null) {
                    String root = System.getProperty("quiver.data.dir", "../../shared/data");
                    Path dir = Path.of(root, "fashion-mnist-10k");
                    if (!Files.isDirectory(dir)) {
                        throw new IllegalStateException("test data not found at " + dir.toAbsolutePath()
                                + " (set -Dquiver.data.dir)");
                    }
                    try {
                        instance = new TestVectors(dir);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return instance;
    }

    /**
     * Recall@k of {@code result}: hits among the first k ground-truth ids, where a result whose score ties the k-th
     * ground-truth score within 1e-5 relative also counts.
     */
    static double recall(List<ScoredOrd> result, int[] gt, float[] gtScores, int k, Distance distance) {
        float kth = gtScores[k - 1];
        float tol = 1e-5f * Math.max(1e-6f, Math.abs(kth));
        int hits = 0;
        for (int i = 0; i < Math.min(k, result.size()); i++) {
            ScoredOrd r = result.get(i);
            boolean inGt = false;
            for (int j = 0; j < k; j++) {
                if (gt[j] == r.ord()) {
                    inGt = true;
                    break;
                }
            }
            boolean tie = distance.higherIsBetter() ? r.score() >= kth - tol : r.score() <= kth + tol;
            if (inGt || tie) {
                hits++;
            }
        }
        return (double) hits / k;
    }

    static long seed() {
        String s = System.getProperty("quiver.seed");
        long seed = s != null ? Long.parseLong(s) : System.nanoTime();
        System.out.println("random seed: -Dquiver.seed=" + seed);
        return seed;
    }
}
