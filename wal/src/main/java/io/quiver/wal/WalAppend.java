package io.quiver.wal;

import java.util.concurrent.CompletableFuture;

/**
 * The result of {@link Wal#append}: the LSN assigned to the record and a completion that completes with that LSN once
 * the requested {@link Durability} is reached, or exceptionally with a {@link WalFailedException} when the log has
 * failed (fail-stop). The completion is completed on the WAL's completer thread (or its flusher thread): attach
 * heavy dependants with the {@code ...Async} variants. Immutable value; threadsafe.
 *
 * @param lsn        the record's LSN, or {@link #NO_LSN} when the log had already failed and no LSN was assigned
 * @param completion completes with {@code lsn}
 */
public record WalAppend(long lsn, CompletableFuture<Long> completion) {
    /** The LSN of an append rejected because the log had already failed. */
    public static final long NO_LSN = -1L;
}
