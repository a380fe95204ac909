package io.quiver.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The Raft index a state machine has applied, and the futures waiting for it to reach an index. A waiter registers
 * and the applier releases under one lock, and the applier publishes an index before it releases, so a waiter either
 * sees the index already reached or is in the map when the applier releases: none is left waiting (registering into
 * a list that the applier had just taken out of a concurrent map could leave one for ever). One applier thread
 * publishes and releases; any thread may read it or wait.
 */
final class AppliedIndex {
    private volatile long index;
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    long get() {
        return index;
    }

    /** Completes once the applied index is at least {@code target} (at once when it already is). */
    CompletableFuture<Void> await(long target) {
        if (index >= target) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (waiters) {
            if (index >= target) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            waiters.computeIfAbsent(target, t -> new ArrayList<>(1)).add(future);
            return future;
        }
    }

    /**
     * Publishes {@code applied} (an entry applied, or a snapshot loaded); waiters that arrive from now on see it.
     * Those already waiting are completed by the next {@link #releaseReached}.
     */
    void publish(long applied) {
        index = applied;
    }

    /** Completes the waiters whose index the published one has reached. */
    void releaseReached() {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (waiters) {
            Map<Long, List<CompletableFuture<Void>>> reached = waiters.headMap(index, true);
            reached.values().forEach(ready::addAll);
            reached.clear();
        }
        ready.forEach(f -> f.complete(null)); // outside the lock: completions run the waiters' continuations
    }
}
