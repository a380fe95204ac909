package io.quiver.bench.kernels;

import io.quiver.hnsw.Distance;
import io.quiver.hnsw.KernelSupport;
import io.quiver.hnsw.VectorKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * JMH: each distance kernel, Vector API ("panama") against its scalar twin, at dimensions 128, 768 and 1536, on heap
 * arrays and on off-heap segments (plus the int8 code kernels and product quantization's table kernel). One benchmark
 * thread; the state is per trial.
 *
 * <pre>java -jar bench/target/benchmarks.jar KernelBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class KernelBenchmark {

    @Param({"128", "768", "1536"})
    public int dim;

    @Param({"panama", "scalar"})
    public String impl;

    private KernelSupport kernels;
    private float[] a;
    private float[] b;
    private Arena arena;
    private MemorySegment sa;
    private MemorySegment sb;
    private MemorySegment ca;
    private MemorySegment cb;
    /** An int8 query laid out for the search's dot products, and four code records of {@code recordStride} bytes. */
    private short[] preparedQuery;
    private MemorySegment records;
    private long recordStride;
    private final int[] four = new int[4];
    /** The table {@link #productTableTermsDot} and {@link #productTableTermsEuclid} accumulate into. */
    private float[] acc;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = impl.equals("scalar") ? VectorKernels.scalar() : VectorKernels.active();
        if (!kernels.name().equals(impl)) {
            throw new IllegalStateException("wanted " + impl + " kernels, got " + kernels.name());
        }
        Random random = new Random(42);
        a = new float[dim];
        b = new float[dim];
        acc = new float[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = random.nextFloat();
            b[i] = random.nextFloat();
        }
        arena = Arena.ofConfined();
        sa = arena.allocate(4L * dim, 64);
        sb = arena.allocate(4L * dim, 64);
        MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dim);
        MemorySegment.copy(b, 0, sb, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dim);
        ca = arena.allocate(dim, 64);
        cb = arena.allocate(dim, 64);
        for (int i = 0; i < dim; i++) {
            ca.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
            cb.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        byte[] query = new byte[dim];
        for (int i = 0; i < dim; i++) {
            query[i] = (byte) (random.nextInt(255) - 127); // valid codes: [-127, 127]
        }
        preparedQuery = kernels.prepareDotI8(query, dim);
        recordStride = (dim + 63) / 64 * 64; // code records are padded to cache lines
        records = arena.allocate(4L * recordStride, 64);
        for (long i = 0; i < 4L * recordStride; i++) {
            records.set(ValueLayout.JAVA_BYTE, i, (byte) (random.nextInt(255) - 127));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float dotHeap() {
        return kernels.dot(a, b);
    }

    /** Product quantization's query-table kernel, {@code acc += q · x} over {@code dim} values (DOT, COSINE). */
    @Benchmark
    public float productTableTermsDot() {
        kernels.accumulateTerms(Distance.DOT, 0.3f, b, 0, acc, 0, dim);
        return acc[dim - 1];
    }

    /** The same kernel's {@code acc -= (q - x)²} (EUCLID). */
    @Benchmark
    public float productTableTermsEuclid() {
        kernels.accumulateTerms(Distance.EUCLID, 0.3f, b, 0, acc, 0, dim);
        return acc[dim - 1];
    }

    @Benchmark
    public float dotOffHeap() {
        return kernels.dot(sa, 0, sb, 0, dim);
    }

    @Benchmark
    public float squareDistanceHeap() {
        return kernels.squareDistance(a, b);
    }

    @Benchmark
    public float squareDistanceOffHeap() {
        return kernels.squareDistance(sa, 0, sb, 0, dim);
    }

    @Benchmark
    public float manhattanHeap() {
        return kernels.manhattan(a, b);
    }

    @Benchmark
    public float manhattanOffHeap() {
        return kernels.manhattan(sa, 0, sb, 0, dim);
    }

    /** Heap query against an off-heap vector: what a search does per visited node. */
    @Benchmark
    public float squareDistanceQueryVsOffHeap() {
        return kernels.squareDistance(a, sb, 0);
    }

    @Benchmark
    public int dotInt8OffHeap() {
        return kernels.dotI8(ca, 0, cb, 0, dim);
    }

    /** The search's int8 kernel: a prepared query against one code record. */
    @Benchmark
    public int dotInt8PreparedOffHeap() {
        return kernels.dotI8(preparedQuery, records, 0, dim);
    }

    /** The search's int8 kernel four records at a time (one call scores four; divide the time by 4 per record). */
    @Benchmark
    public int dotInt8PreparedBulk4OffHeap() {
        kernels.dotI8Bulk4(preparedQuery, records, 0, recordStride, 2 * recordStride, 3 * recordStride, dim, four);
        return four[0] + four[1] + four[2] + four[3];
    }

    @Benchmark
    public int squareDistanceInt8OffHeap() {
        return kernels.squareDistanceI8(ca, 0, cb, 0, dim);
    }
}
