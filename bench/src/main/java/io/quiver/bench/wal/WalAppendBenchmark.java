package io.quiver.bench.wal;

import io.quiver.wal.Durability;
import io.quiver.wal.Wal;
import io.quiver.wal.WalConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * JMH: one append on the caller's thread, waiting for its completion: {@code appendDurable} (group commit: with
 * {@code -t N} the N threads share fsyncs), {@code appendWritten} (page cache only) and {@code appendNoWait} (WRITTEN,
 * without waiting: the cost of the append call itself). The log lives in a temporary directory beside the working
 * directory; its prefix is truncated after every iteration so the disk does not fill. State shared by all threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WalAppendBenchmark {

    @Param({"256", "4096"})
    public int payloadBytes;

    private Path dir;
    private Wal wal;
    private byte[] payload;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Path.of("").toAbsolutePath(), ".wal-jmh-");
        wal = Wal.open(dir, WalConfig.defaults());
        payload = new byte[payloadBytes];
    }

    @TearDown(Level.Iteration)
    public void trim() throws IOException {
        wal.append((byte) 0, payload, Durability.WRITTEN).completion().join();
        wal.truncatePrefix(wal.writtenLsn());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        wal.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public long appendDurable() {
        return wal.append((byte) 1, payload, Durability.DURABLE).completion().join();
    }

    @Benchmark
    public long appendWritten() {
        return wal.append((byte) 1, payload, Durability.WRITTEN).completion().join();
    }

    @Benchmark
    public long appendNoWait() {
        return wal.append((byte) 1, payload, Durability.WRITTEN).lsn();
    }
}
