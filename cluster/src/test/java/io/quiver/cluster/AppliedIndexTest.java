package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The applied-index waiters: a waiter completes when its index is released, at once when it is already reached, and
 * never stays waiting when it registers while the applier publishes and releases that very index (the race that left
 * a follower's proposal "committed but not applied in time" once in CI).
 */
class AppliedIndexTest {

    @Test
    void aWaiterCompletesWhenItsIndexIsReleased() {
        AppliedIndex applied = new AppliedIndex();
        CompletableFuture<Void> five = applied.await(5);
        CompletableFuture<Void> three = applied.await(3);
        applied.publish(3);
        assertFalse(three.isDone(), "published, not yet released");
        assertTrue(applied.await(3).isDone(), "a new waiter sees the published index");
        applied.releaseReached();
        assertTrue(three.isDone());
        assertFalse(five.isDone());
        applied.publish(7);
        applied.releaseReached();
        assertTrue(five.isDone());
        assertEquals(7, applied.get());
    }

    @Test
    void noWaiterIsLostWhenItRegistersWhileItsIndexIsReleased() throws Exception {
        AppliedIndex applied = new AppliedIndex();
        int rounds = 200_000;
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] futures = new CompletableFuture[rounds + 1];
        AtomicLong requested = new AtomicLong();
        Thread applier = new Thread(() -> {
            for (int i = 1; i <= rounds; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (requested.get() < i && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // publish round i while its waiter is registering
                }
                applied.publish(i);
                applied.releaseReached();
            }
        }, "applier");
        applier.start();
        for (int i = 1; i <= rounds; i++) {
            requested.set(i);
            futures[i] = applied.await(i);
        }
        applier.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(applier.isAlive());
        int lost = 0;
        for (int i = 1; i <= rounds; i++) {
            lost += futures[i].isDone() ? 0 : 1;
        }
        assertEquals(0, lost, "waiters of released indexes still waiting");
    }
}
