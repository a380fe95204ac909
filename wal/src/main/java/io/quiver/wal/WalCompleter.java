package io.quiver.wal;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Completes appends' futures on its own thread, in the order the flusher hands them over, so that waking waiters and
 * running non-async dependants never delays the next write or fsync (which then overlaps the wake-ups). Single
 * producer (the flusher), single consumer (its thread); when its bounded queue is full the flusher completes inline.
 * Created, started and closed by {@link Wal}.
 */
final class WalCompleter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalCompleter.class);
    private static final int MAX_PENDING_GROUPS = 1024;

    /** Appends of one batch to complete successfully: those with {@code durable == durableOnes}. */
    private record Group(PendingAppend[] appends, int count, boolean durableOnes) {
        void complete() {
            for (int i = 0; i < count; i++) {
                PendingAppend append = appends[i];
                if (append.durable == durableOnes) {
                    try {
                        append.completion.complete(append.lsn);
                    } catch (RuntimeException e) {
                        LOG.warn("a WAL completion dependant threw", e);
                    }
                }
            }
        }
    }

    private final OneToOneConcurrentArrayQueue<Group> groups =
            new OneToOneConcurrentArrayQueue<>(MAX_PENDING_GROUPS);
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closing;

    WalCompleter(WalDirectory directory) {
        this.thread = Thread.ofPlatform().daemon()
                .name("quiver-wal-completer-" + directory.path().getFileName()).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Flusher: completes the first {@code count} appends whose {@code durable} flag is {@code durableOnes}. */
    void complete(PendingAppend[] appends, int count, boolean durableOnes) {
        Group group = new Group(appends, count, durableOnes);
        if (!groups.offer(group)) {
            group.complete();  // queue full: complete inline rather than wait
            return;
        }
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        int idle = 0;
        while (true) {
            Group group = groups.poll();
            if (group != null) {
                group.complete();
                idle = 0;
                continue;
            }
            if (closing) {
                return;
            }
            if (++idle < 64) {
                Thread.onSpinWait();
                continue;
            }
            parked = true;
            if (groups.isEmpty() && !closing) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
            }
            parked = false;
        }
    }

    /** Completes what was handed over, then ends the thread. */
    @Override
    public void close() {
        closing = true;
        ThreadStop.wakeAndJoin(thread);
        Group group;
        while ((group = groups.poll()) != null) {  // only if the thread never started
            group.complete();
        }
    }
}
