package io.quiver.wal;

import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs an {@link Agent}'s duty cycle on one dedicated platform thread, idling by a short spin, a few yields, then a
 * park that producers cut short with {@link #wake()}. It never interrupts the agent (an interrupt would close the
 * agent's file channels). Created, started and stopped by {@link Wal}; {@link #wake()} is threadsafe.
 */
final class FlusherRunner {
    private static final Logger LOG = LoggerFactory.getLogger(FlusherRunner.class);
    private static final int SPINS = 16;
    private static final int YIELDS = 8;
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Agent agent;
    private final BooleanSupplier hasReadyWork;
    private final BooleanSupplier hasPendingWork;
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean stopping;
    private int idleCycles;

    /**
     * @param hasReadyWork   whether work can be done now; checked after announcing the park and before parking, so a
     *                       producer that adds work and then calls {@link #wake()} is never missed
     * @param hasPendingWork whether work is announced at all (possibly not ready yet); the thread stops only when
     *                       there is none
     */
    FlusherRunner(Agent agent, BooleanSupplier hasReadyWork, BooleanSupplier hasPendingWork, String threadName) {
        this.agent = agent;
        this.hasReadyWork = hasReadyWork;
        this.hasPendingWork = hasPendingWork;
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Cuts the idle park short; cheap when the thread is busy. */
    void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Asks the agent to finish the queued work and stop, then waits for the thread to end. */
    void stopAndJoin() {
        stopping = true;
        ThreadStop.wakeAndJoin(thread);
    }

    private void run() {
        try {
            agent.onStart();
            while (true) {
                int work;
                try {
                    work = agent.doWork();
                } catch (Throwable t) {
                    LOG.error("{}: unexpected error in the duty cycle", agent.roleName(), t);
                    work = 0;
                }
                if (work > 0) {
                    idleCycles = 0;
                } else if (stopping && !hasPendingWork.getAsBoolean()) {
                    break;
                } else {
                    idle();
                }
            }
        } finally {
            agent.onClose();
        }
    }

    private void idle() {
        idleCycles++;
        if (idleCycles <= SPINS) {
            Thread.onSpinWait();
        } else if (idleCycles <= SPINS + YIELDS) {
            Thread.yield();
        } else {
            parked = true;
            if (!hasReadyWork.getAsBoolean() && !stopping) {
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
            }
            parked = false;
        }
    }
}
