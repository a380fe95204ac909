package io.quiver.bench;

/**
 * The untimed warm-up of the harnesses: one pass over the queries, repeated until {@link #MIN_NANOS} have passed, so
 * that the timed passes measure compiled code. A single pass of 500 queries (about 0.15 s) left the JIT compiler
 * threads with 36 % of the samples of a profile of the timed passes, competing with the searches for a 2-core
 * machine's cores; 3 s brought that to 3 %. Stateless.
 */
public final class WarmUp {

    /** The least time a system or configuration is warmed up before it is measured. */
    public static final long MIN_NANOS = 3_000_000_000L;

    /** One untimed pass. */
    @FunctionalInterface
    public interface Pass<E extends Exception> {
        void run() throws E;
    }

    private WarmUp() {
    }

    /** Runs {@code pass} at least once, and again until {@link #MIN_NANOS} have passed since the first began. */
    public static <E extends Exception> void repeat(Pass<E> pass) throws E {
        long start = System.nanoTime();
        do {
            pass.run();
        } while (System.nanoTime() - start < MIN_NANOS);
    }
}
