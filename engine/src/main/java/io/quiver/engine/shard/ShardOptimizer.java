package io.quiver.engine.shard;

import io.quiver.engine.PointId;
import io.quiver.engine.optimizer.OptimizationQueue;
import io.quiver.engine.segment.Segment;
import io.quiver.hnsw.HnswIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background optimizations of one shard: index builds of sealed segments, and the merges and vacuums
 * {@link SegmentMerger} asks for, at most max_optimization_threads at a time. Threading: threadsafe; tasks run on the
 * engine's indexing executor, plan under the shard's read lock and swap their result in under its write lock.
 */
final class ShardOptimizer {
    private static final Logger LOG = LoggerFactory.getLogger(ShardOptimizer.class);

    private final int shardId;
    private final Path segmentsDir;
    private final ShardSegments segments;
    private final ReentrantReadWriteLock lock;
    private final IdTracker tracker;
    private final Supplier<ShardSettings> settings;
    private final BooleanSupplier closed;
    private final SegmentIndexBuilder indexBuilder;
    private final OptimizationQueue optimizations;
    /** Index builds and merges queued or running (awaited by a close). */
    private final AtomicInteger tasksInFlight = new AtomicInteger();
    private final AtomicBoolean mergeRunning = new AtomicBoolean();
    /** Sealed segments whose index build is queued or running. */
    private final Set<Segment> buildScheduled = ConcurrentHashMap.newKeySet();
    /**
     * Segments a running merge copies and will close. A segment is claimed by a build or by a merge, never both
     * (under {@link #claims}): a rebuild must not read vectors that a merge unmaps.
     */
    private final Set<Segment> mergeSources = ConcurrentHashMap.newKeySet();
    private final Object claims = new Object();
    /** Qdrant's max_optimization_threads for this shard (0: no builds or merges; MAX_VALUE: no own bound). */
    private volatile int limit;
    private volatile String error;
    /** True while the shard recovers (opening thread, write lock held): index builds wait for the replay's end. */
    private boolean recovering;
    private final List<Segment> deferredBuilds = new ArrayList<>();

    ShardOptimizer(int shardId, Path segmentsDir, ShardSegments segments, Supplier<ShardSettings> settings,
            BooleanSupplier closed, ExecutorService indexExecutor, SegmentIndexBuilder indexBuilder,
            int maxOptimizationThreads) {
        this.shardId = shardId;
        this.segmentsDir = segmentsDir;
        this.segments = segments;
        this.lock = segments.lock();
        this.tracker = segments.tracker();
        this.settings = settings;
        this.closed = closed;
        this.indexBuilder = indexBuilder;
        this.limit = Math.max(0, maxOptimizationThreads);
        this.optimizations = new OptimizationQueue(indexExecutor, () -> limit);
    }

    /** Until {@link #endRecovery}, index builds are only noted (no task may see a half-replayed shard). */
    void beginRecovery() {
        recovering = true;
    }

    /** Ends the recovery's deferral; returns the segments whose index builds it deferred. */
    List<Segment> endRecovery() {
        recovering = false;
        List<Segment> deferred = List.copyOf(deferredBuilds);
        deferredBuilds.clear();
        return deferred;
    }

    /** {@link #scheduleRebuildsForChangedConfig} under the read lock, after a build or merge swapped its result in. */
    private void rebuildIfConfigChanged() {
        lock.readLock().lock();
        try {
            if (!closed.getAsBoolean()) {
                scheduleRebuildsForChangedConfig();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Queues the rebuild of every indexed segment whose index was built with another m, ef_construct or quantization
     * than the settings now ask for (Qdrant's config mismatch optimizer); the old index serves searches until the new
     * one is swapped in. Caller holds the shard's read or write lock, or is opening the shard.
     */
    void scheduleRebuildsForChangedConfig() {
        ShardSettings st = settings.get();
        for (Segment seg : segments.list()) {
            HnswIndex idx = seg.index();
            if (seg.isSealed() && idx != null && !idx.builtWith(st.hnsw(), st.quantizationOrNull())) {
                scheduleBuild(seg);
            }
        }
    }

    /** Queues the index build of a sealed segment (once; deferred during recovery, pending while the limit is 0). */
    void scheduleBuild(Segment seg) {
        if (recovering) {
            deferredBuilds.add(seg); // started once the WAL replay is complete (no task may see a half-replayed shard)
            return;
        }
        if (limit == 0) {
            return; // optimizations disabled: pending (status grey) until the limit is raised
        }
        synchronized (claims) {
            if (mergeSources.contains(seg) || !buildScheduled.add(seg)) {
                return; // a merge replaces it (its result is checked against the config after the swap), or queued
            }
        }
        tasksInFlight.incrementAndGet();
        optimizations.submit(() -> {
            boolean released = false;
            try {
                if (closed.getAsBoolean()) {
                    return; // the next open builds it
                }
                HnswIndex idx = indexBuilder.build(seg, settings.get());
                boolean attached = false;
                lock.writeLock().lock();
                try {
                    if (closed.getAsBoolean() || !segments.list().contains(seg)) {
                        idx.close();
                    } else {
                        HnswIndex replaced = seg.index(); // a rebuild for a changed config: no search holds it now
                        seg.attachIndex(idx);
                        attached = true;
                        if (replaced != null && replaced != idx) {
                            replaced.close();
                        }
                    }
                } finally {
                    lock.writeLock().unlock();
                }
                if (attached) {
                    buildScheduled.remove(seg); // released first, so that a config changed meanwhile claims it again
                    released = true;
                    rebuildIfConfigChanged();
                }
            } catch (Throwable t) {
                error = String.valueOf(t);
                LOG.error("index build of {} failed", seg, t);
            } finally {
                if (!released) {
                    buildScheduled.remove(seg);
                }
                maybeScheduleMerge(); // before the decrement, so awaitIdle() never sees a gap
                tasksInFlight.decrementAndGet();
            }
        });
    }

    /** On the worker after a delete or upsert: asks the optimizer's policy (O(segments)) unless a merge runs. */
    void checkVacuumDue() {
        if (!mergeRunning.get()) {
            maybeScheduleMerge();
        }
    }

    /** Queues one merge when the optimizer's policy asks for it and none is running (see {@link SegmentMerger}). */
    void maybeScheduleMerge() {
        if (closed.getAsBoolean() || settings.get().targetSegments() <= 0 || limit == 0) {
            return;
        }
        lock.readLock().lock();
        try {
            if (SegmentMerger.pick(segments.list(), settings.get()).isEmpty()) {
                return; // nothing to do: do not even show the collection as optimizing
            }
        } finally {
            lock.readLock().unlock();
        }
        if (!mergeRunning.compareAndSet(false, true)) {
            return;
        }
        tasksInFlight.incrementAndGet();
        try {
            optimizations.submit(this::mergeOnce);
        } catch (RuntimeException e) { // executor shut down
            mergeRunning.set(false);
            tasksInFlight.decrementAndGet();
        }
    }

    /** One merge: plan under the read lock, copy and index without a lock, swap in under the write lock. */
    private void mergeOnce() {
        boolean merged = false;
        List<Segment> claimed = List.of();
        Segment blockedBy = null;
        try {
            if (closed.getAsBoolean()) {
                return;
            }
            SegmentMerger.Plan plan;
            lock.readLock().lock();
            try {
                List<Segment> sources = SegmentMerger.pick(segments.list(), settings.get());
                if (sources.isEmpty()) {
                    return;
                }
                synchronized (claims) {
                    for (Segment source : sources) {
                        if (buildScheduled.contains(source)) {
                            blockedBy = source;
                            return; // being rebuilt: the build's end (or this task's, below) asks for a merge again
                        }
                    }
                    mergeSources.addAll(sources);
                    claimed = sources;
                }
                plan = SegmentMerger.plan(sources);
            } finally {
                lock.readLock().unlock();
            }
            ShardSettings st = settings.get();
            Segment target = SegmentMerger.copy(plan, segmentsDir, st.dim());
            // the target is private to this task until it is swapped in
            target.payloadIndexes().syncWith(segments.payloadSchema(), new SegmentView(target, tracker));
            try {
                target.attachIndex(indexBuilder.build(target, st));
            } catch (IOException | RuntimeException e) {
                target.close();
                target.deleteFiles();
                throw e;
            }
            lock.writeLock().lock();
            try {
                if (closed.getAsBoolean() || !segments.list().containsAll(plan.sources())) {
                    target.close();
                    target.deleteFiles();
                    return;
                }
                swapIn(plan, target);
                merged = true;
            } finally {
                lock.writeLock().unlock();
            }
            LOG.info("shard {}: {} {} segment(s) into {} ({} live points)", shardId,
                    plan.sources().size() == 1 ? "vacuumed" : "merged", plan.sources().size(), target,
                    target.liveCount());
        } catch (Throwable t) {
            error = String.valueOf(t);
            LOG.error("segment merge of shard {} failed", shardId, t);
        } finally {
            mergeSources.removeAll(claimed);
            mergeRunning.set(false);
            if (merged) {
                rebuildIfConfigChanged(); // the target was built with the config of its start
                maybeScheduleMerge(); // cascade while the policy still asks for merges
            } else if (blockedBy != null && !buildScheduled.contains(blockedBy)) {
                maybeScheduleMerge(); // the blocking build ended while this task still counted as the running merge
            }
            tasksInFlight.decrementAndGet();
        }
    }

    /**
     * Replaces the plan's sources by {@code target} (write lock held): points changed since the plan was captured are
     * reconciled by version (a payload edited or a vector deleted in place is copied; a point deleted or moved is
     * deleted in the target).
     */
    private void swapIn(SegmentMerger.Plan plan, Segment target) {
        // a schema change meanwhile
        target.payloadIndexes().syncWith(segments.payloadSchema(), new SegmentView(target, tracker));
        for (int j = 0; j < plan.size(); j++) {
            PointId id = plan.ids()[j];
            IdTracker.Location loc = tracker.get(id);
            Segment from = plan.fromSegment()[j];
            int ord = plan.fromOrd()[j];
            if (loc != null && loc.segment() == from && loc.ord() == ord) {
                long v = from.versionAt(ord);
                if (v != plan.versions()[j]) {
                    target.setPayload(j, from.payloadAt(ord), v);
                    if (!from.hasVector(ord) && target.hasVector(j)) {
                        target.deleteVector(j, v);
                    }
                }
                tracker.put(id, target, j);
            } else {
                target.markDeleted(j);
            }
        }
        List<Segment> next = new ArrayList<>();
        for (Segment seg : segments.list()) {
            if (!plan.sources().contains(seg)) {
                next.add(seg);
            }
        }
        next.add(0, target);
        segments.replace(next);
        for (Segment src : plan.sources()) {
            src.close();
        }
        segments.retire(plan.sources());
    }

    /** Takes a new max_optimization_threads ({@link Shard#setOptimizerLimit}) and starts what is due under it. */
    void setLimit(int maxOptimizationThreads) {
        limit = Math.max(0, maxOptimizationThreads);
        if (limit > 0 && !closed.getAsBoolean()) {
            optimizations.dispatch();
            List<Segment> unindexed = new ArrayList<>();
            lock.readLock().lock();
            try {
                for (Segment seg : segments.list()) {
                    if (seg.isSealed() && seg.index() == null) {
                        unindexed.add(seg);
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            unindexed.forEach(this::scheduleBuild);
            maybeScheduleMerge();
        }
    }

    /** True when optimizations are due but none is queued or running ({@link Shard#optimizationsPending}). */
    boolean pending() {
        ShardSettings st = settings.get();
        lock.readLock().lock(); // a seal schedules its build under the write lock: no gap between the two
        try {
            if (tasksInFlight.get() > 0) {
                return false;
            }
            for (Segment seg : segments.list()) {
                if (seg.isSealed() && seg.index() == null) {
                    return true;
                }
            }
            return st.targetSegments() > 0 && !SegmentMerger.pick(segments.list(), st).isEmpty();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits until no index build or merge is queued or running. */
    void awaitIdle() {
        while (tasksInFlight.get() > 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** True while an index build or merge is queued or running. */
    boolean isBusy() {
        return tasksInFlight.get() > 0;
    }

    /** The last failure of an index build or merge, or null. */
    String error() {
        return error;
    }
}
