package io.quiver.engine.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The single writer of one shard: a duty cycle that takes tasks (writes and control steps such as a checkpoint
 * capture) from a bounded queue and runs them in order on its one thread. {@link #doWork()} can be stepped by hand in
 * tests; {@link #start()} runs it on a named platform thread. Producers: any thread ({@link #enqueue}); consumer:
 * the worker thread only. {@link #close()} is idempotent and runs the tasks still queued before it stops.
 */
public final class ShardUpdateWorker implements AutoCloseable {
    private static final int QUEUE_CAPACITY = 1024;
    private static final int MAX_BATCH = 64;

    private final String roleName;
    private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<Runnable> batch = new ArrayList<>(MAX_BATCH);
    private volatile boolean running = true;
    private Thread thread;

    public ShardUpdateWorker(String roleName) {
        this.roleName = roleName;
    }

    public String roleName() {
        return roleName;
    }

    /** Queues a task; blocks while the queue is full (backpressure). */
    public void enqueue(Runnable task) {
        if (!running) {
            throw new IllegalStateException(roleName + " is closed");
        }
        try {
            queue.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing to " + roleName, e);
        }
        if (!running && queue.remove(task)) {
            throw new IllegalStateException(roleName + " is closed"); // nobody would have run it
        }
    }

    /** Runs up to a batch of queued tasks, waiting up to 100 ms for the first; returns the number run. */
    public int doWork() throws InterruptedException {
        Runnable first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return 0;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        int n = batch.size();
        try {
            for (Runnable r : batch) {
                try {
                    r.run();
                } catch (Throwable t) { // tasks complete their own futures; this keeps the single writer alive
                    org.slf4j.LoggerFactory.getLogger(ShardUpdateWorker.class).error("{}: task failed", roleName, t);
                }
            }
        } finally {
            batch.clear();
        }
        return n;
    }

    public synchronized void start() {
        thread = Thread.ofPlatform().name(roleName).daemon(true).start(this::runLoop);
    }

    public boolean isWorkerThread() {
        return Thread.currentThread() == thread;
    }

    private void runLoop() {
        try {
            while (running || !queue.isEmpty()) {
                doWork();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runnable late;
        while ((late = queue.poll()) != null) {
            late.run(); // queued while the loop was ending
        }
    }
}
