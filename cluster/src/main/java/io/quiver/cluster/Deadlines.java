package io.quiver.cluster;

import io.quiver.cluster.ClusterException.Kind;
import java.util.concurrent.TimeUnit;

/**
 * The time left before a deadline (a {@link System#nanoTime()} value) and the pauses of the metadata group's retry
 * loops; an interrupted pause fails UNAVAILABLE with the interrupt flag set again. Stateless; threadsafe.
 */
final class Deadlines {
    private static final long RETRY_PAUSE_MILLIS = 50;

    private Deadlines() {
    }

    static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** The pause between two attempts of a retry loop. */
    static void pause() {
        sleep(RETRY_PAUSE_MILLIS);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        }
    }
}
