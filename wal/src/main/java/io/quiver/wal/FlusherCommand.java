package io.quiver.wal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A maintenance step (truncation, reset, sync) that runs on the flusher thread, in the order submitted, either as
 * soon as the flusher sees it or once every record below a given LSN has been written. Created by {@link Wal}; {@link #done} completes when the step
 * ran.
 */
final class FlusherCommand {
    /** {@link #runWhenConsumed} value for a step that may run between any two batches. */
    static final long ANY_TIME = -1;

    /** The step itself, run by the flusher. */
    @FunctionalInterface
    interface Step {
        void run(WalFlusher flusher) throws IOException;
    }

    final Step step;
    /** The step runs once the flusher has taken (and written) every record below this LSN; {@link #ANY_TIME}: now. */
    final long runWhenConsumed;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    FlusherCommand(Step step, long runWhenConsumed) {
        this.step = step;
        this.runWhenConsumed = runWhenConsumed;
    }
}
