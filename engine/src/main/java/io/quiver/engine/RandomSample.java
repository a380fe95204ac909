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
 * <p>This version reads the ids of every candidate (scroll pages without payload or vector), so its cost grows with
 * the number of candidates, then reads the picked points with the payload and vector asked for. Stateless; threadsafe
 * as the {@link PointReads} and the random generator it is given (one generator per call, from its caller's thread).
 */
public final class RandomSample {
    private static final int PAGE = 4096;

    private RandomSample() {
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
