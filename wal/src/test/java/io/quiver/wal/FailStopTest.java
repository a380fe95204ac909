package io.quiver.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An injected write or fsync failure fails pending and later appends; an fsync is not retried. */
class FailStopTest {

    static WalConfig withHooks(WalConfig config, ControlledFileChannel.Hooks hooks) {
        return config.withChannelOpener((file, options) -> new ControlledFileChannel(FileChannel.open(file, options),
                hooks));
    }

    @Test
    void fsyncFailureFailsPendingAndLaterAppends(@TempDir Path dir) throws Exception {
        IOException injected = new IOException("injected fsync failure");
        AtomicBoolean failForce = new AtomicBoolean();
        AtomicInteger forcesAfterFailure = new AtomicInteger();
        ControlledFileChannel.Hooks hooks = new ControlledFileChannel.Hooks() {
            @Override
            public void beforeForce() throws IOException {
                if (failForce.get()) {
                    forcesAfterFailure.incrementAndGet();
                    throw injected;
                }
            }
        };
        Wal wal = Wal.open(dir, withHooks(WalConfig.defaults(), hooks));
        try {
            assertEquals(1L, wal.append((byte) 0, new byte[10], Durability.DURABLE).completion().get());
            failForce.set(true);
            List<WalAppend> appends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                appends.add(wal.append((byte) 0, new byte[10], Durability.DURABLE));
            }
            for (WalAppend a : appends) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> a.completion().get(10, TimeUnit.SECONDS));
                assertInstanceOf(WalFailedException.class, e.getCause());
                assertSame(injected, e.getCause().getCause());
            }
            WalAppend later = wal.append((byte) 0, new byte[10], Durability.WRITTEN);
            assertEquals(WalAppend.NO_LSN, later.lsn());
            ExecutionException e = assertThrows(ExecutionException.class, () -> later.completion().get());
            assertSame(injected, e.getCause().getCause());
            assertEquals(1, forcesAfterFailure.get(), "an fsync must never be retried");
            assertEquals(1, wal.durableLsn());
            assertThrows(WalFailedException.class, () -> wal.truncateSuffix(0));
        } finally {
            wal.close();
        }
        assertEquals(1, forcesAfterFailure.get(), "close must not fsync a failed log");
        try (Wal reopened = Wal.open(dir, WalConfig.defaults())) {
            assertTrue(reopened.lastLsn() >= 1);
            assertEquals(1, reopened.read(1).lsn());
        }
    }

    @Test
    void sealFailureAfterARollFailsTheLog(@TempDir Path dir) throws Exception {
        IOException injected = new IOException("injected seal fsync failure");
        AtomicBoolean failForce = new AtomicBoolean();
        ControlledFileChannel.Hooks hooks = new ControlledFileChannel.Hooks() {
            @Override
            public void beforeForce() throws IOException {
                if (failForce.get()) {
                    throw injected;
                }
            }
        };
        WalConfig config = withHooks(WalConfig.defaults().withSegmentCapacityBytes(4096), hooks);
        try (Wal wal = Wal.open(dir, config)) {
            failForce.set(true);
            WalFailedException failed = null;
            for (int i = 0; i < 200 && failed == null; i++) {  // WRITTEN appends roll segments; the seal fails
                WalAppend a = wal.append((byte) 0, new byte[100], Durability.WRITTEN);
                try {
                    a.completion().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failed = (WalFailedException) e.getCause();
                }
                if (failed == null && a.lsn() == WalAppend.NO_LSN) {
                    throw new AssertionError("NO_LSN without an exceptional completion");
                }
            }
            assertTrue(failed != null, "the log never failed");
            assertSame(injected, failed.getCause());
            WalAppend later = wal.append((byte) 0, new byte[1], Durability.DURABLE);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> later.completion().get(10, TimeUnit.SECONDS));
            assertSame(injected, e.getCause().getCause());
        }
    }

    @Test
    void writeFailureFailsInFlightAndLaterAppends(@TempDir Path dir) throws Exception {
        IOException injected = new IOException("injected write failure");
        AtomicBoolean failWrite = new AtomicBoolean();
        ControlledFileChannel.Hooks hooks = new ControlledFileChannel.Hooks() {
            @Override
            public void beforeWrite() throws IOException {
                if (failWrite.get()) {
                    throw injected;
                }
            }
        };
        try (Wal wal = Wal.open(dir, withHooks(WalConfig.defaults(), hooks))) {
            wal.append((byte) 0, new byte[10], Durability.WRITTEN).completion().get();
            failWrite.set(true);
            WalAppend written = wal.append((byte) 0, new byte[10], Durability.WRITTEN);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> written.completion().get(10, TimeUnit.SECONDS));
            assertSame(injected, e.getCause().getCause());
            assertEquals(1, wal.writtenLsn());
            failWrite.set(false);  // the disk "recovers": the log stays failed
            WalAppend later = wal.append((byte) 0, new byte[10], Durability.DURABLE);
            e = assertThrows(ExecutionException.class, () -> later.completion().get(10, TimeUnit.SECONDS));
            assertSame(injected, e.getCause().getCause());
        }
    }

    @Test
    void fullQueueFailsFastOrBlocksUntilTimeout(@TempDir Path dir) throws Exception {
        CountDownLatch stall = new CountDownLatch(1);
        AtomicBoolean stallWrites = new AtomicBoolean();
        ControlledFileChannel.Hooks hooks = new ControlledFileChannel.Hooks() {
            @Override
            public void beforeWrite() {
                if (stallWrites.get()) {
                    try {
                        stall.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        WalConfig base = WalConfig.defaults().withQueueCapacityRecords(8).withMaxBatchRecords(1);
        try (Wal wal = Wal.open(dir, withHooks(base.withBackpressure(Backpressure.FAIL_FAST,
                java.time.Duration.ZERO), hooks))) {
            stallWrites.set(true);
            List<WalAppend> accepted = new ArrayList<>();
            WalFullException full = null;
            for (int i = 0; i < 100 && full == null; i++) {
                try {
                    accepted.add(wal.append((byte) 0, new byte[10], Durability.WRITTEN));
                } catch (WalFullException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "the queue never filled");
            // queue of 8 plus the one record held by the stalled flusher
            assertTrue(accepted.size() >= 8 && accepted.size() <= 10, "accepted " + accepted.size());
            assertEquals(accepted.size(), wal.lastLsn(), "a refused append must not consume an LSN");
            stall.countDown();
            for (WalAppend a : accepted) {
                a.completion().get(10, TimeUnit.SECONDS);
            }
            assertEquals(accepted.size() + 1, wal.append((byte) 0, new byte[1], Durability.WRITTEN).lsn());
        }
    }

    @Test
    void blockingBackpressureTimesOut(@TempDir Path dir) throws Exception {
        CountDownLatch stall = new CountDownLatch(1);
        AtomicBoolean stallWrites = new AtomicBoolean();
        ControlledFileChannel.Hooks hooks = new ControlledFileChannel.Hooks() {
            @Override
            public void beforeWrite() {
                if (stallWrites.get()) {
                    try {
                        stall.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        WalConfig config = WalConfig.defaults().withQueueCapacityRecords(4).withMaxBatchRecords(1)
                .withBackpressure(Backpressure.BLOCK, java.time.Duration.ofMillis(200));
        try (Wal wal = Wal.open(dir, withHooks(config, hooks))) {
            stallWrites.set(true);
            long start = System.nanoTime();
            WalFullException full = null;
            for (int i = 0; i < 100 && full == null; i++) {
                try {
                    wal.append((byte) 0, new byte[10], Durability.WRITTEN);
                } catch (WalFullException e) {
                    full = e;
                }
            }
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(full != null, "the queue never filled");
            assertTrue(waitedMillis >= 190, "blocked only " + waitedMillis + " ms");
            // a blocked append proceeds as soon as the flusher makes room
            Thread releaser = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ignored) {
                    // proceed
                }
                stall.countDown();
            });
            WalAppend after = wal.append((byte) 0, new byte[10], Durability.DURABLE);
            assertEquals(after.lsn(), after.completion().get(10, TimeUnit.SECONDS));
            releaser.join();
        }
    }
}
