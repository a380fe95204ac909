package io.quiver.engine;

import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Qdrant's {@code {"sample": "random"}} query: up to {@code limit} distinct points drawn uniformly at random from the
 * points passing a filter (or, re-scoring a query's prefetched points, from a set of ids), in random order. Every
 * subset of that size is equally likely (reservoir sampling over the candidates, then a shuffle); points without a
 * vector are candidates like any other.
 *
 * <p>A local {@link Collection} sampled without a filter, for at most half its points, splits the limit over its
 * shards as draws without replacement would (a multivariate hypergeometric split of the shards' live counts) and draws
 * each share from the shard's slots ({@link io.quiver.engine.shard.Shard#randomLive}), so the cost grows with the
 * limit. Otherwise (a filter, a large limit, any other {@link PointReads}, or a shard whose share could not be drawn in
 * its budget) every candidate's id is read (scroll pages without payload or vector) into a reservoir. Either way the
 * picked points are then read with the payload and vector asked for. Stateless; threadsafe as the collection or reads
 * and the random generator it is given (one generator per call, from its caller's thread).
 */
public final class RandomSample {
    private static final int PAGE = 4096;

    private RandomSample() {
    }

    /** {@link #sample(PointReads, Filter, int, WithPayload, boolean, RandomGenerator)} of a local collection. */
    public static List<Record> sample(Collection collection, Filter filterOrNull, int limit, WithPayload withPayload,
            boolean withVector, RandomGenerator random) {
        if (filterOrNull == null && limit > 0 && limit <= collection.pointsCount() / 2) {
            List<PointId> drawn = drawLive(collection, limit, random);
            if (drawn != null) {
                Collections.shuffle(drawn, random);
                return collection.retrieve(drawn, withPayload, withVector);
            }
        }
        return sample((PointReads) collection, filterOrNull, limit, withPayload, withVector, random);
    }

    /**
     * {@code wanted} distinct live points of a local collection drawn uniformly from its shards' slots, split over
     * the shards by {@link #split}, in no particular order; null when the collection holds fewer, or a shard could not
     * draw its share within its budget (the caller then reads every id, which is as uniform: whether a draw falls
     * short does not depend on which points it drew). What one shard replica of a clustered collection answers.
     */
    public static List<PointId> drawLive(Collection collection, int wanted, RandomGenerator random) {
        List<io.quiver.engine.shard.Shard> shards = collection.shardList();
        long[] live = new long[shards.size()];
        for (int s = 0; s < live.length; s++) {
            live[s] = shards.get(s).count(null);
        }
        int[] share = split(live, wanted, random);
        if (share == null) {
            return null;
        }
        List<PointId> drawn = new ArrayList<>(wanted);
        for (int s = 0; s < share.length; s++) {
            if (share[s] > 0) {
                List<PointId> got = shards.get(s).randomLive(share[s], random, 64 * share[s] + 1024);
                if (got.size() < share[s]) {
                    return null;
                }
                drawn.addAll(got);
            }
        }
        return drawn;
    }

    /**
     * How many of {@code wanted} draws without replacement from parts of {@code live[i]} items each fall in each part
     * (a multivariate hypergeometric split); null when the parts hold fewer than {@code wanted} items.
     */
    public static int[] split(long[] live, int wanted, RandomGenerator random) {
        long remaining = 0;
        for (long n : live) {
            remaining += n;
        }
        if (wanted > remaining) {
            return null;
        }
        int[] share = new int[live.length];
        long[] left = live.clone();
        for (int k = 0; k < wanted; k++, remaining--) {
            long r = random.nextLong(remaining);
            int s = 0;
            while (r >= left[s]) {
                r -= left[s];
                s++;
            }
            share[s]++;
            left[s]--;
        }
        return share;
    }

    /** A random sample of the points passing {@code filterOrNull}. */
    public static List<Record> sample(PointReads reads, Filter filterOrNull, int limit, WithPayload withPayload,
            boolean withVector, RandomGenerator random) {
        Reservoir reservoir = new Reservoir(limit, random);
        PointId offset = null;
        do {
            ScrollResult page = reads.scroll(new ScrollRequest(offset, PAGE, filterOrNull, WithPayload.NONE, false));
            page.points().forEach(r -> reservoir.offer(r.id()));
            offset = page.nextPageOffsetOrNull();
        } while (offset != null);
        return reads.retrieve(reservoir.shuffled(), withPayload, withVector);
    }

    /**
     * A random sample of the points with these ids (each id counted once); the picks that no longer exist when they
     * are read are dropped, so fewer than {@code limit} may come back.
     */
    public static List<Record> among(PointReads reads, java.util.Collection<PointId> ids, int limit,
            WithPayload withPayload, boolean withVector, RandomGenerator random) {
        Reservoir reservoir = new Reservoir(limit, random);
        new LinkedHashSet<>(ids).forEach(reservoir::offer);
        return reads.retrieve(reservoir.shuffled(), withPayload, withVector);
    }

    /**
     * Vitter's algorithm R: after n offers each offered id is held with probability min(1, limit / n); single user.
     */
    private static final class Reservoir {
        private final int limit;
        private final RandomGenerator random;
        private final List<PointId> held = new ArrayList<>();
        private long seen;

        Reservoir(int limit, RandomGenerator random) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative: " + limit);
            }
            this.limit = limit;
            this.random = random;
        }

        void offer(PointId id) {
            seen++;
            if (held.size() < limit) {
                held.add(id);
                return;
            }
            long slot = random.nextLong(seen);
            if (slot < limit) {
                held.set((int) slot, id);
            }
        }

        /** The held ids in a uniformly random order (the reservoir's own order is not). */
        List<PointId> shuffled() {
            Collections.shuffle(held, random);
            return held;
        }
    }
}
