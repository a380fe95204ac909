package io.quiver.bench.ann;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * JMH: one top-10 search of an ANN index, the same systems and data sets as {@code ./quiver bench ann} (throughput,
 * queries cycling through the data set's query file). Parameters: {@code system} (quiver, quiver-int8, lucene,
 * jvector), {@code ef}, {@code data} (a data set directory in the data README's format), {@code metric}, {@code m},
 * {@code efConstruct}. The index is built once per trial with one thread per core; with {@code -t N} N threads search
 * the shared index at once. Recall is the harness's business, not this benchmark's.
 *
 * <pre>java -jar bench/target/benchmarks.jar AnnSearchBenchmark -p data=../shared/data/fashion-mnist -p ef=16,64</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AnnSearchBenchmark {

    @Param({"quiver", "quiver-int8", "lucene", "jvector"})
    public String system;

    @Param({"16", "64"})
    public int ef;

    /** Data set directory; relative paths resolve against the working directory (the repository root). */
    @Param({"../shared/data/fashion-mnist-10k"})
    public String data;

    @Param({"euclid"})
    public String metric;

    @Param({"16"})
    public int m;

    @Param({"100"})
    public int efConstruct;

    private AnnDataset dataset;
    private AnnSystem index;
    private final AtomicInteger nextQuery = new AtomicInteger();

    @Setup(Level.Trial)
    public void build() throws Exception {
        Path dir = Path.of(data);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no data set at " + dir.toAbsolutePath()
                    + " (set -p data=DIR; see /work/shared/data/README.md for the format)");
        }
        dataset = AnnDataset.load(dir, metric, Integer.MAX_VALUE);
        index = AnnBench.create(system, 2.0);
        index.build(dataset, m, efConstruct, Runtime.getRuntime().availableProcessors());
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        if (index != null) {
            index.close();
        }
    }

    @Benchmark
    public int[] search() throws Exception {
        float[][] queries = dataset.queries;
        int i = Math.floorMod(nextQuery.getAndIncrement(), queries.length);
        return index.search(queries[i], AnnBench.K, ef);
    }
}
