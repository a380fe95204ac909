package io.quiver.engine.optimizer;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one shard's optimization tasks (index builds, merges, vacuums) on the engine's shared executor, at most
 * {@code limit} at a time (Qdrant's {@code max_optimization_threads}, read at each dispatch: 0 runs nothing, tasks
 * wait until it is raised; {@code Integer.MAX_VALUE} leaves only the executor's own bound). Tasks beyond the limit
 * wait in FIFO order and start as running ones finish. Threadsafe: any thread submits; all state is guarded by this
 * object's monitor.
 */
public final class OptimizationQueue {
    private static final Logger LOG = LoggerFactory.getLogger(OptimizationQueue.class);

    private final Executor executor;
    private final IntSupplier limit;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;

    public OptimizationQueue(Executor executor, IntSupplier limit) {
        this.executor = executor;
        this.limit = limit;
    }

    /** Queues a task; it runs when fewer than {@code limit} tasks of this queue run. */
    public void submit(Runnable task) {
        synchronized (this) {
            waiting.add(task);
        }
        dispatch();
    }

    /** Starts waiting tasks while the limit allows (call after raising the limit). */
    public void dispatch() {
        while (true) {
            Runnable next;
            synchronized (this) {
                if (waiting.isEmpty() || running >= limit.getAsInt()) {
                    return;
                }
                next = waiting.poll();
                running++;
            }
            try {
                executor.execute(() -> {
                    try {
                        next.run();
                    } finally {
                        synchronized (this) {
                            running--;
                        }
                        dispatch();
                    }
                });
            } catch (RejectedExecutionException e) { // the engine is closing: the task is dropped (reopen redoes it)
                synchronized (this) {
                    running--;
                }
                LOG.debug("optimization task dropped: executor shut down");
                next.run(); // tasks check for a closed shard first and return, releasing what they hold
                return;
            }
        }
    }

    /** Tasks waiting for a slot (not running). */
    public synchronized int waitingCount() {
        return waiting.size();
    }

    /** Tasks running now. */
    public synchronized int runningCount() {
        return running;
    }
}
