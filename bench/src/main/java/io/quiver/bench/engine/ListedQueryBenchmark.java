package io.quiver.bench.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.OrderBy;
import io.quiver.engine.OrderedScroll;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointReads;
import io.quiver.engine.Quiver;
import io.quiver.engine.RandomSample;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * JMH: the queries that list points rather than score them, with limit 10, on a local collection of {@code points}
 * points (an integer payload {@code ts} with an integer index): {@code order_by} newest first, read through the
 * shards' range indexes ("indexed") or by scrolling every point's key ("scanned"), and a random {@code sample}, drawn
 * from the shards' slots ("indexed") or from a reservoir over every id ("scanned"). One benchmark thread; the
 * collection is built once per trial in a temporary directory and deleted after it.
 *
 * <pre>java -jar bench/target/benchmarks.jar ListedQueryBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ListedQueryBenchmark {

    @Param({"100000"})
    public int points;

    @Param({"order_by", "sample"})
    public String query;

    @Param({"indexed", "scanned"})
    public String read;

    private Path dir;
    private Quiver quiver;
    private Collection collection;
    private ObjectNode payloadSchema;
    private OrderBy newestFirst;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("quiver-orderby-bench");
        quiver = Quiver.open(dir);
        collection = quiver.createCollection("events", CollectionConfig.of(2, Distance.DOT));
        collection.createPayloadIndex("ts", JsonNodeFactory.instance.textNode("integer"), true);
        Random random = new Random(42);
        List<Point> batch = new ArrayList<>(1000);
        for (int id = 0; id < points; id++) {
            ObjectNode payload = JsonNodeFactory.instance.objectNode().put("ts", random.nextLong(1_000_000_000L));
            batch.add(new Point(PointId.of(id), new float[] {random.nextFloat(), random.nextFloat()}, payload));
            if (batch.size() == 1000) {
                collection.upsert(batch, true);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            collection.upsert(batch, true);
        }
        collection.awaitIndexing();
        payloadSchema = collection.info().payloadSchema();
        newestFirst = new OrderBy("ts", true, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        quiver.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public List<?> tenPoints() {
        boolean indexed = read.equals("indexed");
        if (query.equals("sample")) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            return indexed ? RandomSample.sample(collection, null, 10, WithPayload.ALL, false, random)
                    : RandomSample.sample((PointReads) collection, null, 10, WithPayload.ALL, false, random);
        }
        return indexed ? OrderedScroll.scroll(collection, newestFirst, null, 10, WithPayload.ALL, false)
                : OrderedScroll.scroll((PointReads) collection, payloadSchema, newestFirst, null, 10, WithPayload.ALL,
                        false);
    }
}
