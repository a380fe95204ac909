package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16 writers with wait=true while readers search and scroll, with segments sealed and indexed meanwhile: every write
 * lands, readers never see a duplicate id or an error, and the writers share fsyncs (group commit).
 */
class ConcurrentWritersTest {
    @TempDir
    Path storage;

    @Test
    void concurrentWritersAndReaders() throws Exception {
        long seed = TestSeeds.seed("ConcurrentWritersTest");
        CollectionConfig config = CollectionConfig.of(8, Distance.DOT).withOptimizers(
                CollectionConfig.OptimizersConfig.defaults().withIndexingThresholdKb(8)); // 256 vectors per segment
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("c", config);
            int writers = 16;
            int batches = 40;
            ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong searches = new AtomicLong();
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed + writer);
                    for (int b = 0; b < batches; b++) {
                        List<Point> batch = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            float[] v = new float[8];
                            for (int d = 0; d < 8; d++) {
                                v[d] = rnd.nextFloat();
                            }
                            long id = (long) writer * 1_000_000 + b * 10 + i;
                            batch.add(new Point(PointId.of(id), v,
                                    JsonNodeFactory.instance.objectNode().put("w", writer)));
                        }
                        c.upsert(batch, true);
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    Random rnd = new Random(seed - 1);
                    while (!done.get()) {
                        float[] query = new float[8];
                        for (int d = 0; d < 8; d++) {
                            query[d] = rnd.nextFloat();
                        }
                        List<ScoredPoint> hits = c.search(SearchRequest.topK(query, 20));
                        assertEquals(hits.size(), hits.stream().map(ScoredPoint::id).distinct().count());
                        ScrollResult page = c.scroll(ScrollRequest.firstPage(50));
                        assertEquals(page.points().size(),
                                page.points().stream().map(Record::id).distinct().count());
                        searches.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            done.set(true);
            for (Future<?> f : readers) {
                f.get();
            }
            pool.shutdown();
            int ops = writers * batches;
            assertEquals((long) ops * 5, c.count(null));
            System.out.println(ops + " wait=true upserts shared " + c.walFsyncCount() + " WAL fsyncs; "
                    + searches.get() + " concurrent search+scroll rounds");
            assertTrue(c.walFsyncCount() < ops, "group commit: fewer fsyncs than wait=true writes");
            c.awaitIndexing();
            assertTrue(c.info().indexedVectorsCount() > 0);
        }
    }
}
