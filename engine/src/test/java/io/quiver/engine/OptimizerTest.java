package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.shard.Shard;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer under load: with low thresholds (128-vector segments, 2 segments per shard, vacuum above 20 %
 * deleted), concurrent upserts, deletes and searches run while segments are indexed, merged and vacuumed. Every
 * search result is correct (scores match the stored vectors, no duplicates, no point that stays in the collection
 * throughout is ever missing from an exact top-k), and afterwards the segment count and the deleted share have
 * fallen. With max_optimization_threads 0 nothing is optimized and the collection is grey until it is raised.
 */
class OptimizerTest {
    @TempDir
    Path storage;

    private static final int STABLE = 200; // ids 0..199 are overwritten but never deleted
    private static final int IDS = 1000;

    private static float[] vectorOf(long id) {
        Random r = new Random(id * 7919 + 13);
        return new float[] {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()};
    }

    private static float euclid(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return (float) Math.sqrt(s);
    }

    @Test
    void searchesStayCorrectWhileSegmentsMergeAndVacuum() throws Exception {
        long seed = TestSeeds.seed("OptimizerTest");
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                new CollectionConfig.OptimizersConfig(0.2, 100, 2, null, null, 2, 5, 1));
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("o", config);
            List<Point> stable = new ArrayList<>();
            for (int id = 0; id < STABLE; id++) {
                stable.add(new Point(PointId.of(id), vectorOf(id), payload(id, 0)));
            }
            c.createPayloadIndex("stable", JsonNodeFactory.instance.textNode("bool"), true);
            c.upsert(stable, true);
            io.quiver.engine.filter.Filter onlyStable = io.quiver.engine.filter.FilterParser.parse(
                    new ObjectMapper().readTree("{\"must\":[{\"key\":\"stable\",\"match\":{\"value\":true}}]}"));
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicInteger searches = new AtomicInteger();
            int[] peakSegments = {0};
            double[] peakDeleted = {0};
            Thread writer = Thread.ofPlatform().start(() -> {
                Random rnd = new Random(seed);
                try {
                    for (int round = 0; round < 300; round++) {
                        List<Point> batch = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            long id = rnd.nextInt(IDS);
                            batch.add(new Point(PointId.of(id), vectorOf(id), payload(id, round)));
                        }
                        c.upsert(batch, rnd.nextBoolean());
                        List<PointId> dels = new ArrayList<>();
                        for (int i = 0; i < 12; i++) {
                            dels.add(PointId.of(STABLE + rnd.nextInt(IDS - STABLE)));
                        }
                        c.delete(PointsSelector.ids(dels), rnd.nextBoolean());
                    }
                } catch (RuntimeException e) {
                    errors.add("writer: " + e);
                } finally {
                    stop.set(true);
                }
            });
            List<Thread> searchers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long s = seed + 1 + t;
                searchers.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(s);
                    while (!stop.get()) {
                        float[] query = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                        boolean exact = rnd.nextBoolean();
                        boolean filtered = rnd.nextBoolean();
                        SearchRequest request = SearchRequest.topK(query, 10).withExact(exact);
                        List<ScoredPoint> hits = c.search(filtered ? request.withFilter(onlyStable) : request);
                        String problem = check(query, hits, exact);
                        if (problem == null && filtered) {
                            problem = hits.stream().filter(h -> ((PointId.Num) h.id()).unsigned() >= STABLE)
                                    .map(h -> "filtered search returned " + h.id()).findFirst().orElse(null);
                        }
                        if (problem != null) {
                            errors.add(problem);
                        }
                        searches.incrementAndGet();
                    }
                }));
            }
            while (!stop.get()) {
                List<Shard.SegmentInfo> segs = c.segmentInfos();
                peakSegments[0] = Math.max(peakSegments[0], segs.size());
                peakDeleted[0] = Math.max(peakDeleted[0], deletedShare(segs));
                Thread.sleep(5);
            }
            writer.join();
            for (Thread t : searchers) {
                t.join();
            }
            assertTrue(errors.isEmpty(), errors.size() + " errors, first: " + errors.peek());
            c.awaitIndexing();
            List<Shard.SegmentInfo> after = c.segmentInfos();
            CollectionInfo info = c.info();
            System.out.printf("%d searches; segments peak %d -> %d, deleted share peak %.3f -> %.3f; %s%n",
                    searches.get(), peakSegments[0], after.size(), peakDeleted[0], deletedShare(after), after);
            assertTrue(after.size() < peakSegments[0], "segment count fell");
            assertTrue(after.size() <= 2 + 1, "back to default_segment_number sealed + the appendable: " + after);
            assertTrue(deletedShare(after) < peakDeleted[0], "deleted share fell");
            for (Shard.SegmentInfo seg : after) {
                if (seg.sealed() && seg.vectors() >= 100) {
                    assertTrue(seg.vectors() - seg.live() <= 0.2 * seg.vectors(), "vacuumed: " + seg);
                }
            }
            assertEquals(CollectionStatus.GREEN, info.status());
            assertEquals(null, info.optimizerErrorOrNull());
            for (int i = 0; i < 50; i++) {
                Random rnd = new Random(seed + 100 + i);
                float[] query = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                String problem = check(query, c.search(SearchRequest.topK(query, 10).withExact(true)), true);
                assertEquals(null, problem);
            }
        }
    }

    @Test
    void zeroOptimizationThreadsLeavesWorkPendingAndGrey() throws Exception {
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                new CollectionConfig.OptimizersConfig(0.2, 100, 2, null, null, 2, 5, 0));
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("z", config);
            List<Point> points = new ArrayList<>();
            for (int id = 0; id < 600; id++) {
                points.add(new Point(PointId.of(id), vectorOf(id), null));
            }
            c.upsert(points, true);
            c.awaitIndexing();
            assertEquals(CollectionStatus.GREY, c.info().status());
            assertTrue(c.segmentInfos().stream().noneMatch(Shard.SegmentInfo::indexed), c.segmentInfos().toString());
            float[] query = vectorOf(17);
            assertEquals(PointId.of(17), c.search(SearchRequest.topK(query, 1)).getFirst().id());
            c.updateConfig(new ObjectMapper().readTree("{\"optimizers_config\": {\"max_optimization_threads\": 2}}"));
            c.awaitIndexing();
            assertEquals(CollectionStatus.GREEN, c.info().status());
            assertTrue(c.segmentInfos().stream().filter(Shard.SegmentInfo::sealed).allMatch(Shard.SegmentInfo::indexed));
            assertTrue(c.segmentInfos().size() <= 3, c.segmentInfos().toString());
            assertEquals(PointId.of(17), c.search(SearchRequest.topK(query, 1)).getFirst().id());
        }
    }

    /**
     * Qdrant's {@code params.indexed_only}: a segment that has grown past the indexing threshold without a graph (here
     * because indexing was disabled while it filled, and no optimizer thread may build one) is skipped, and searched
     * again once it is indexed; a plain search reads it all along.
     */
    @Test
    void indexedOnlySearchSkipsSegmentsWaitingForTheirIndex() throws Exception {
        CollectionConfig config = CollectionConfig.of(4, Distance.EUCLID).withOptimizers(
                new CollectionConfig.OptimizersConfig(0.2, 100, 2, null, null, 0, 5, 0));
        try (Quiver q = Quiver.open(storage)) {
            Collection c = q.createCollection("io", config);
            List<Point> points = new ArrayList<>();
            for (int id = 0; id < 600; id++) {
                points.add(new Point(PointId.of(id), vectorOf(id), null));
            }
            c.upsert(points, true);
            c.updateConfig(new ObjectMapper().readTree("{\"optimizers_config\": {\"indexing_threshold\": 2}}"));
            c.awaitIndexing();
            assertTrue(c.segmentInfos().stream().noneMatch(Shard.SegmentInfo::indexed), c.segmentInfos().toString());
            float[] query = vectorOf(17);
            SearchRequest plain = SearchRequest.topK(query, 1);
            assertEquals(PointId.of(17), c.search(plain).getFirst().id());
            assertTrue(c.search(plain.withIndexedOnly(true)).isEmpty(), "the 600-point segment has no graph yet");
            c.updateConfig(new ObjectMapper().readTree("{\"optimizers_config\": {\"max_optimization_threads\": 1}}"));
            c.awaitIndexing();
            assertTrue(c.segmentInfos().stream().anyMatch(Shard.SegmentInfo::indexed), c.segmentInfos().toString());
            assertEquals(PointId.of(17), c.search(plain.withIndexedOnly(true)).getFirst().id());
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode payload(long id, int round) {
        return JsonNodeFactory.instance.objectNode().put("v", round).put("stable", id < STABLE);
    }

    private static double deletedShare(List<Shard.SegmentInfo> segs) {
        long vectors = 0;
        long deleted = 0;
        for (Shard.SegmentInfo s : segs) {
            vectors += s.vectors();
            deleted += s.vectors() - s.live();
        }
        return vectors == 0 ? 0 : (double) deleted / vectors;
    }

    /** Null when the hits are a correct top-k: true scores, sorted, distinct, and (exact) no stable point missed. */
    private static String check(float[] query, List<ScoredPoint> hits, boolean exact) {
        Set<PointId> seen = new HashSet<>();
        float prev = -1;
        for (ScoredPoint p : hits) {
            long id = ((PointId.Num) p.id()).unsigned();
            float expected = euclid(query, vectorOf(id));
            if (Math.abs(expected - p.score()) > 1e-4f) {
                return "score of " + id + " is " + p.score() + ", expected " + expected;
            }
            if (!seen.add(p.id())) {
                return "duplicate " + id;
            }
            if (p.score() < prev) {
                return "not sorted: " + hits;
            }
            prev = p.score();
        }
        if (hits.size() < 10) {
            return "only " + hits.size() + " hits";
        }
        if (exact) {
            float kth = hits.get(hits.size() - 1).score();
            for (int id = 0; id < STABLE; id++) {
                if (euclid(query, vectorOf(id)) < kth - 1e-4f && !seen.contains(PointId.of(id))) {
                    return "stable point " + id + " missing from an exact top-10";
                }
            }
        }
        return null;
    }
}
