package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall@10 through the embedded API on fashion-mnist-10k (Euclid) once the sealed segments are indexed, and a clean
 * reopen that maps the graphs instead of rebuilding them (build counter 0) and answers the same.
 */
class FashionMnistRecallTest {
    @TempDir
    Path storage;

    @Test
    void recallAfterIndexingAndReopenWithoutRebuild() throws Exception {
        Path dir = AnnData.dir("fashion-mnist-10k");
        float[][] base = AnnData.bvecs(dir.resolve("base.bvecs"));
        float[][] queries = AnnData.bvecs(dir.resolve("query.bvecs"));
        int[][] gt = AnnData.ivecs(dir.resolve("gt-euclid.ivecs"));
        float[][] gtScores = AnnData.fvecs(dir.resolve("gt-euclid-scores.fvecs"));
        byte[] labels = AnnData.labels(dir.resolve("base.labels"));
        List<List<PointId>> before;
        try (Quiver q = Quiver.open(storage)) {
            // default indexing_threshold (10000 KB): 3265 vectors of 784 floats per sealed segment
            Collection c = q.createCollection("fmnist", CollectionConfig.of(784, Distance.EUCLID));
            for (int from = 0; from < base.length; from += 500) {
                List<Point> batch = new ArrayList<>();
                for (int i = from; i < Math.min(base.length, from + 500); i++) {
                    batch.add(new Point(PointId.of(i), base[i],
                            JsonNodeFactory.instance.objectNode().put("label", labels[i])));
                }
                c.upsert(batch, true);
            }
            c.awaitIndexing();
            CollectionInfo info = c.info();
            System.out.println("indexed: " + info.toJson().without("config"));
            assertEquals(10_000, info.pointsCount());
            assertEquals(3 * 3265, info.indexedVectorsCount());
            // 3 sealed segments of 3265, then the merge optimizer (2 sealed segments on this machine) merged two
            assertTrue(info.segmentsCount() <= 4, info.toJson().toString());
            assertTrue(c.indexBuildCount() >= 3);
            before = searchAll(c, queries);
            double recall = recall(c, queries, gt, gtScores);
            System.out.printf("recall@10 = %.4f%n", recall);
            assertTrue(recall >= 0.95, "recall@10 " + recall);
        }
        long t0 = System.nanoTime();
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.collection("fmnist");
            System.out.printf("reopen took %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertEquals(0, c.indexBuildCount(), "a clean reopen maps the graphs, it builds none");
            assertEquals(3 * 3265, c.info().indexedVectorsCount());
            assertEquals(CollectionStatus.GREEN, c.info().status());
            assertEquals(before, searchAll(c, queries), "the reopened index answers the same");
            c.awaitIndexing();
            assertEquals(0, c.indexBuildCount());
        }
    }

    private static List<List<PointId>> searchAll(Collection c, float[][] queries) {
        List<List<PointId>> out = new ArrayList<>();
        for (float[] q : queries) {
            out.add(c.search(SearchRequest.topK(q, 10)).stream().map(ScoredPoint::id).toList());
        }
        return out;
    }

    private static double recall(Collection c, float[][] queries, int[][] gt, float[][] gtScores) {
        int hits = 0;
        for (int i = 0; i < queries.length; i++) {
            float kth = gtScores[i][9];
            java.util.Set<Long> truth = new java.util.HashSet<>();
            for (int j = 0; j < 10; j++) {
                truth.add((long) gt[i][j]);
            }
            for (ScoredPoint p : c.search(SearchRequest.topK(queries[i], 10))) {
                long id = ((PointId.Num) p.id()).unsigned();
                if (truth.contains(id) || p.score() <= kth * (1 + 1e-5f)) {
                    hits++;
                }
            }
        }
        return hits / (10.0 * queries.length);
    }
}
