package io.quiver.bench.ann;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.VectorKernels;
import io.quiver.hnsw.io.VecsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One ANN data set as the data README describes it: base and query vectors ({@code .bvecs} or {@code .fvecs}) and the
 * exact top-k ground truth {@code gt-<metric>.ivecs} (+ optional {@code -scores.fvecs}). For {@code cosine} the base
 * and query vectors are normalised here, as Qdrant does at insert. Immutable after loading.
 */
final class AnnDataset {

    final String metric;
    final Distance distance;
    final float[][] base;
    final float[][] queries;
    final int[][] groundTruth;

    private AnnDataset(String metric, Distance distance, float[][] base, float[][] queries, int[][] groundTruth) {
        this.metric = metric;
        this.distance = distance;
        this.base = base;
        this.queries = queries;
        this.groundTruth = groundTruth;
    }

    static Distance distanceOf(String metric) {
        return switch (metric) {
            case "euclid" -> Distance.EUCLID;
            case "cosine" -> Distance.COSINE;
            case "dot" -> Distance.DOT;
            default -> throw new IllegalArgumentException("unknown metric '" + metric + "' (euclid|cosine|dot)");
        };
    }

    static AnnDataset load(Path dir, String metric, int maxQueries) throws IOException {
        Distance distance = distanceOf(metric);
        float[][] base = VecsReader.readVectors(firstExisting(dir, "base"));
        float[][] queries = VecsReader.readVectors(firstExisting(dir, "query"), maxQueries);
        int[][] gt = VecsReader.readIvecs(dir.resolve("gt-" + metric + ".ivecs"), maxQueries);
        if (gt.length < queries.length) {
            throw new IOException("ground truth has " + gt.length + " rows for " + queries.length + " queries");
        }
        if (distance == Distance.COSINE) {
            for (float[] v : base) {
                VectorKernels.normalize(v);
            }
            for (float[] v : queries) {
                VectorKernels.normalize(v);
            }
        }
        return new AnnDataset(metric, distance, base, queries, gt);
    }

    /**
     * This data set with the base's mean subtracted from every base and query vector: Euclidean distances, and so the
     * ground truth, stay as they are (other metrics would change, so they are refused). Binary codes, whose bits are
     * signs, need data centred on zero.
     */
    AnnDataset centred() {
        if (distance != Distance.EUCLID) {
            throw new IllegalArgumentException("--centre keeps the ground truth of euclid only, not " + metric);
        }
        int dim = dimension();
        double[] sum = new double[dim];
        for (float[] v : base) {
            for (int i = 0; i < dim; i++) {
                sum[i] += v[i];
            }
        }
        float[] mean = new float[dim];
        for (int i = 0; i < dim; i++) {
            mean[i] = (float) (sum[i] / base.length);
        }
        return new AnnDataset(metric, distance, minus(base, mean), minus(queries, mean), groundTruth);
    }

    private static float[][] minus(float[][] vectors, float[] mean) {
        float[][] out = new float[vectors.length][];
        for (int j = 0; j < vectors.length; j++) {
            out[j] = new float[mean.length];
            for (int i = 0; i < mean.length; i++) {
                out[j][i] = vectors[j][i] - mean[i];
            }
        }
        return out;
    }

    private static Path firstExisting(Path dir, String stem) throws IOException {
        for (String ext : new String[] {".bvecs", ".fvecs"}) {
            Path p = dir.resolve(stem + ext);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IOException("neither " + stem + ".bvecs nor " + stem + ".fvecs in " + dir);
    }

    /** Ground-truth neighbours stored per query (100 in the shared data sets). */
    int groundTruthWidth() {
        return groundTruth.length == 0 ? 0 : groundTruth[0].length;
    }

    int dimension() {
        return base[0].length;
    }

    /**
     * Recall@k of one result list: a hit when the id is among the first k ground-truth ids, or when its true score
     * (recomputed here in float64 from the vectors) ties the k-th ground-truth neighbour's within 1e-5 relative.
     */
    double recall(int queryIndex, int[] resultIds, int k) {
        int[] gt = groundTruth[queryIndex];
        float[] q = queries[queryIndex];
        double kth = score(q, base[gt[k - 1]]);
        double tol = 1e-5 * Math.max(1e-9, Math.abs(kth));
        int hits = 0;
        for (int i = 0; i < Math.min(k, resultIds.length); i++) {
            int id = resultIds[i];
            boolean found = false;
            for (int j = 0; j < k; j++) {
                if (gt[j] == id) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                double s = score(q, base[id]);
                found = distance.higherIsBetter() ? s >= kth - tol : s <= kth + tol;
            }
            if (found) {
                hits++;
            }
        }
        return (double) hits / k;
    }

    private double score(float[] a, float[] b) {
        double s = 0;
        if (distance.higherIsBetter()) {
            for (int i = 0; i < a.length; i++) {
                s += (double) a[i] * b[i];
            }
            return s;
        }
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
