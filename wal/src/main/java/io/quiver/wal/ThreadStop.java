package io.quiver.wal;

import java.util.concurrent.locks.LockSupport;

/**
 * How the log's background threads (flusher, completer, sealer, preallocator) are stopped: the owner sets its own
 * stop flag, then calls {@link #wakeAndJoin(Thread)}, which unparks the thread and waits for it to end even if the
 * caller is interrupted meanwhile (the interrupt is restored afterwards), so {@code close()} never leaves a thread
 * behind. Static only.
 */
final class ThreadStop {
    private ThreadStop() {
    }

    static void wakeAndJoin(Thread thread) {
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
