package io.quiver.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the data-plane tests share ({@link DataPlaneTest}, {@link DataPlaneTransferTest}, {@link DataPlaneFailureTest},
 * {@link DataPlaneKillTest}): random vectors and payloads with one seed per run, a background {@link Writer} that
 * records every acknowledged point, and checks that compare hits and look for each acknowledged point on each replica.
 */
final class DataPlaneTestSupport {
    static final int DIM = 8;
    static final long SEED = Long.getLong("quiver.seed", System.nanoTime());

    private DataPlaneTestSupport() {
    }

    static float[] vector(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    static ObjectNode payload(long i) {
        return TestCluster.MAPPER.createObjectNode().put("i", i).put("even", i % 2 == 0);
    }

    static void assertSameHits(List<ScoredPoint> expected, List<ScoredPoint> actual, String where) {
        assertEquals(expected.stream().map(ScoredPoint::id).toList(), actual.stream().map(ScoredPoint::id).toList(), where);
        for (int k = 0; k < expected.size(); k++) {
            assertEquals(expected.get(k).score(), actual.get(k).score(), 1e-4, where);
            assertEquals(expected.get(k).payloadOrNull(), actual.get(k).payloadOrNull(), where);
        }
    }

    static int indexOf(DataNodes cluster, long peer) {
        for (int i = 0; i < cluster.nodes.size(); i++) {
            if (cluster.nodes.get(i).peerId() == peer) {
                return i;
            }
        }
        throw new AssertionError("no node " + peer);
    }

    /** Writes batches of new points through one node until stopped, retrying a batch until it is acknowledged. */
    static final class Writer implements Runnable {
        final java.util.function.Supplier<CollectionService> via;
        final long firstId;
        final Map<Long, float[]> acknowledged = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong failures = new AtomicLong();
        final Random random;
        volatile Throwable fatal;

        Writer(DataNodes cluster, int via, long firstId, long seed) {
            this(() -> cluster.catalogs.get(via).find("c").orElseThrow(), firstId, seed);
        }

        Writer(java.util.function.Supplier<CollectionService> via, long firstId, long seed) {
            this.via = via;
            this.firstId = firstId;
            this.random = new Random(seed);
        }

        @Override
        public void run() {
            long next = firstId;
            try {
                while (!stop.get()) {
                    List<Point> batch = new ArrayList<>();
                    for (int j = 0; j < 10; j++) {
                        batch.add(new Point(PointId.of(next + j), vector(random), payload(next + j)));
                    }
                    boolean acked = false;
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (!acked) {
                        try {
                            via.get().upsert(batch, true);
                            acked = true;
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            if (System.nanoTime() > deadline) {
                                throw e;
                            }
                            Thread.sleep(50);
                        }
                    }
                    batch.forEach(p -> acknowledged.put(((PointId.Num) p.id()).unsigned(), p.vector()));
                    next += 10;
                    Thread.sleep(5);
                }
            } catch (Throwable t) {
                fatal = t;
            }
        }

        void finish(Thread thread) throws InterruptedException {
            stop.set(true);
            thread.join(90_000);
            assertFalse(thread.isAlive(), "writer stopped");
            if (fatal != null) {
                throw new AssertionError("writer failed", fatal);
            }
        }
    }

    /** Every acknowledged point is on every replica of its shard (as the metadata now places them). */
    static void assertAcknowledgedEverywhere(DataNodes cluster, String collection, Map<Long, float[]> acknowledged) {
        assertAcknowledgedEverywhere(cluster.catalogs.get(0).dataPlane(), collection, acknowledged);
    }

    /** The same, asking each replica over the data plane (so it also checks replicas in other JVMs). */
    static void assertAcknowledgedEverywhere(DataPlane plane, String collection, Map<Long, float[]> acknowledged) {
        CollectionMetadata meta = plane.node().metadata().collection(collection);
        int shards = meta.shards().shardCount();
        for (int shard : meta.shards().shardIds()) {
            List<PointId> ids = new ArrayList<>();
            acknowledged.keySet().forEach(id -> {
                if (ShardRouter.shardOf(PointId.of(id), shards) == shard) {
                    ids.add(PointId.of(id));
                }
            });
            for (long peer : meta.shards().replicas(shard).keySet()) {
                ObjectNode retrieve = DataPlane.message(collection, shard).put("wv", false);
                retrieve.set("ids", DataCodec.idsJson(ids));
                retrieve.set("wp", DataCodec.withPayloadJson(WithPayload.NONE));
                Set<PointId> present = new HashSet<>();
                DataCodec.records(plane.call(peer, "retrieve", retrieve, Duration.ofSeconds(10)).get("points"))
                        .forEach(r -> present.add(r.id()));
                List<PointId> missing = ids.stream().filter(id -> !present.contains(id)).toList();
                assertTrue(missing.isEmpty(), "shard " + shard + " on peer " + peer + " misses " + missing.size()
                        + " acknowledged points, e.g. " + missing.stream().limit(5).toList());
                ObjectNode count = DataPlane.message(collection, shard);
                count.putNull("filter");
                assertEquals(ids.size(), plane.call(peer, "count", count, Duration.ofSeconds(10)).get("count").asLong(),
                        "shard " + shard + " on peer " + peer + " holds extra points");
            }
        }
    }

    /** Exact searches on every replica of every shard give the same hits. */
    static void assertReplicasSearchAlike(DataPlane plane, String collection, Random random) {
        CollectionMetadata meta = plane.node().metadata().collection(collection);
        for (int shard : meta.shards().shardIds()) {
            for (int q = 0; q < 3; q++) {
                ObjectNode msg = DataPlane.message(collection, shard);
                msg.set("req", DataCodec.searchJson(new SearchRequest(vector(random), null, 10, 0, WithPayload.NONE,
                        false, null, null, true)));
                List<ScoredPoint> first = null;
                for (long peer : meta.shards().replicas(shard).keySet()) {
                    List<ScoredPoint> hits = DataCodec.scored(plane.call(peer, "search", msg, Duration.ofSeconds(10)).get("hits"));
                    if (first == null) {
                        first = hits;
                    } else {
                        assertSameHits(first, hits, "shard " + shard + " on peer " + peer);
                    }
                }
            }
        }
    }
}
