package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.FilterParser;
import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * One writer updating indexes while readers plan queries: readers never fail, and once the writer stops the
 * index-assisted answer equals a payload scan. Prints its seed; rerun with {@code -Dquiver.seed=N}.
 */
class PayloadIndexesConcurrencyTest {

    private static final int POINTS = 500;

    @Test
    void readersPlanWhileTheWriterUpdates() throws Exception {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        System.out.println("PayloadIndexesConcurrencyTest seed=" + seed + " (rerun with -Dquiver.seed=" + seed + ")");
        AtomicReferenceArray<JsonNode> payloads = new AtomicReferenceArray<>(POINTS);
        for (int i = 0; i < POINTS; i++) {
            payloads.set(i, payload(new Random(seed + i)));
        }
        SegmentPoints points = new SegmentPoints() {
            @Override
            public int ordBound() {
                return POINTS;
            }

            @Override
            public boolean isLive(int ord) {
                return payloads.get(ord) != null;
            }

            @Override
            public JsonNode payload(int ord) {
                JsonNode p = payloads.get(ord);
                return p == null ? JsonNodeFactory.instance.objectNode() : p;
            }

            @Override
            public PointId pointId(int ord) {
                return PointId.of(ord);
            }

            @Override
            public int ordOf(PointId id) {
                long ord = ((PointId.Num) id).unsigned();
                return ord < POINTS && payloads.get((int) ord) != null ? (int) ord : -1;
            }
        };
        PayloadIndexes indexes = new PayloadIndexes();
        indexes.createIndex("k", PayloadFieldSchema.of(PayloadSchemaType.KEYWORD), points);
        indexes.createIndex("n", PayloadFieldSchema.of(PayloadSchemaType.INTEGER), points);
        Filter filter = FilterParser.parse(new ObjectMapper().readTree("{\"must\":[{\"key\":\"k\",\"match\":{\"any\":"
                + "[\"a\",\"b\"]}},{\"key\":\"n\",\"range\":{\"gte\":3}}],\"must_not\":{\"has_id\":[1,2,3]}}"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            Random rnd = new Random(seed);
            try {
                for (int i = 0; i < 20_000; i++) {
                    int ord = rnd.nextInt(POINTS);
                    if (rnd.nextInt(5) == 0) {
                        payloads.set(ord, null);
                        indexes.remove(ord);
                    } else {
                        JsonNode p = payload(rnd);
                        payloads.set(ord, p);
                        indexes.add(ord, p);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "index-writer");
        Thread reader = new Thread(() -> {
            try {
                while (writer.isAlive()) {
                    indexes.matchingOrds(filter, points);
                    indexes.estimate(filter, points);
                    indexes.acceptOrds(filter, points).accept(7);
                    indexes.info();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "index-reader");
        writer.start();
        reader.start();
        writer.join();
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError("seed=" + seed, failure.get());
        }
        BitSet expected = new BitSet();
        for (int ord = 0; ord < POINTS; ord++) {
            if (points.isLive(ord) && FilterEvaluator.PLAIN.matches(filter, points.pointId(ord), points.payload(ord))) {
                expected.set(ord);
            }
        }
        assertEquals(expected, indexes.matchingOrds(filter, points), "seed=" + seed);
    }

    private static JsonNode payload(Random rnd) {
        var p = JsonNodeFactory.instance.objectNode();
        p.put("k", String.valueOf((char) ('a' + rnd.nextInt(4))));
        if (rnd.nextInt(4) == 0) {
            p.put("n", rnd.nextInt(6) + 0.5);
        } else {
            p.put("n", rnd.nextInt(6));
        }
        return p;
    }
}
