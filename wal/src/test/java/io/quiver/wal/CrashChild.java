package io.quiver.wal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * Child JVM of {@link CrashTest}: appends DURABLE records from several threads and prints {@code lsn writer seq}
 * once each completion has fired, until it is killed. Arguments: directory, round number.
 */
public final class CrashChild {
    static final int WRITERS = 4;
    static final WalConfig CONFIG = WalConfig.defaults().withSegmentCapacityBytes(256 << 10);

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        Wal wal = Wal.open(dir, CONFIG);
        out.println("READY " + wal.lastLsn());
        for (int w = 0; w < WRITERS; w++) {
            final int writer = round * 16 + w;
            Thread.ofPlatform().start(() -> {
                Random random = new Random(writer);
                for (int seq = 0; ; seq++) {
                    byte[] payload = ConcurrentWritersTest.payload(writer, seq, 8 + random.nextInt(2000));
                    boolean durable = seq % 5 != 4;
                    WalAppend append = wal.append((byte) 1, payload,
                            durable ? Durability.DURABLE : Durability.WRITTEN);
                    if (durable) {
                        append.completion().join();
                        synchronized (out) {
                            out.println(append.lsn() + " " + writer + " " + seq);
                        }
                    }
                }
            });
        }
        Thread.sleep(60_000);  // the parent kills us long before
        System.exit(3);
    }
}
