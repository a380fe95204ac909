package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.AcceptOrds;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A filter decided by payload columns over more candidates than the planner scans eagerly is planned lazily with a
 * sampled count: its accept-set and its (materialised on demand) matching set still equal the brute force, the
 * guaranteed bounds hold, and the sampled lower bound is below the true count. Deletes and payload edits made after
 * the columns were built are followed.
 */
class SampledPlanTest {

    @Test
    void broadColumnFilterIsPlannedLazilyAndStaysExact() throws Exception {
        Random rnd = new Random(11);
        TestSegment seg = new TestSegment(true);
        PayloadIndexes indexes = new PayloadIndexes();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            seg.add(PointId.of(i), JsonNodeFactory.instance.objectNode().put("r", rnd.nextInt(100)));
        }
        Filter broad = FilterParser.parse(new ObjectMapper().readTree("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":50}}]}"));
        check(seg, indexes, broad); // builds the column
        for (int ord = 0; ord < n; ord += 7) {
            if (ord % 2 == 0) {
                seg.delete(ord);
            } else {
                com.fasterxml.jackson.databind.node.ObjectNode p = JsonNodeFactory.instance.objectNode();
                if (rnd.nextBoolean()) {
                    p.put("r", 10.5);
                } else {
                    p.putArray("r").add(1).add(99).addNull();
                }
                seg.setPayload(ord, p);
            }
        }
        check(seg, indexes, broad);
    }

    private static void check(TestSegment seg, PayloadIndexes indexes, Filter filter) {
        BitSet expected = new BitSet();
        for (int ord = 0; ord < seg.ordBound(); ord++) {
            if (seg.isLive(ord) && filter.matches(seg.pointId(ord),
                    (com.fasterxml.jackson.databind.node.ObjectNode) seg.payload(ord))) {
                expected.set(ord);
            }
        }
        SegmentFilter plan = indexes.plan(filter, seg);
        assertFalse(plan.isMaterialised(), "a broad cheap filter is sampled, not scanned");
        assertTrue(plan.isCheap());
        long count = expected.cardinality();
        assertTrue(plan.likelyAtLeast() <= count && count <= plan.estimate().max() && plan.estimate().min() <= count,
                "bounds " + plan.likelyAtLeast() + " / " + plan.estimate() + " vs " + count);
        assertTrue(Math.abs(plan.estimate().exp() - count) < count * 0.15, plan.estimate() + " vs " + count);
        AcceptOrds accept = plan.accept();
        for (int ord = 0; ord < seg.ordBound() + 2; ord++) {
            assertEquals(expected.get(ord), accept.accept(ord), "accept at " + ord);
        }
        assertEquals(expected, plan.matching());
    }
}
