package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.engine.segment.Segment;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment's plan cache: a repeated filter reuses its plan while the segment is unchanged; a cheap lazy plan is
 * materialised (its matching set computed once) when it is used a second time; any change of the segment plans anew.
 */
class PlanCacheTest {
    @TempDir
    Path dir;

    @Test
    void aRepeatedCheapPlanIsMaterialisedAndAChangePlansAgain() throws Exception {
        Random rnd = new Random(5);
        TestSegment points = new TestSegment(true);
        for (int i = 0; i < 20_000; i++) {
            points.add(PointId.of(i), JsonNodeFactory.instance.objectNode().put("r", rnd.nextInt(100)));
        }
        PayloadIndexes indexes = new PayloadIndexes();
        Filter broad = FilterParser.parse(new ObjectMapper().readTree("{\"must\":[{\"key\":\"r\",\"range\":{\"lt\":50}}]}"));
        AtomicInteger planned = new AtomicInteger();
        Supplier<SegmentFilter> planner = () -> {
            planned.incrementAndGet();
            return indexes.plan(broad, points);
        };
        Segment seg = Segment.create(dir, 2, 16);
        try {
            seg.append(PointId.of(1), new float[] {1, 2}, null, 1);
            SegmentFilter first = seg.plan(broad, planner);
            assertTrue(first.isCheap());
            assertFalse(first.isMaterialised(), "first use: checked per visited point");
            SegmentFilter second = seg.plan(broad, planner);
            assertSame(first, second);
            assertTrue(second.isMaterialised(), "second use of an unchanged segment: materialised");
            assertEquals(1, planned.get());

            seg.append(PointId.of(2), new float[] {3, 4}, null, 2);
            SegmentFilter afterChange = seg.plan(broad, planner);
            assertNotSame(first, afterChange);
            assertFalse(afterChange.isMaterialised());
            assertEquals(2, planned.get());
        } finally {
            seg.close();
        }
    }
    @Test
    void creatingReplacingOrDroppingAnIndexPlansAgain() throws Exception {
        ObjectMapper json = new ObjectMapper();
        TestSegment points = new TestSegment(true);
        points.add(PointId.of(1), json.readTree("{\"t\":\"P\u00e2t\u00e9 de Foie Gras\"}"));
        Filter pate = FilterParser.parse(json.readTree("{\"must\":[{\"key\":\"t\",\"match\":{\"text\":\"pate\"}}]}"));
        Segment seg = Segment.create(dir, 2, 16);
        try {
            PayloadIndexes indexes = seg.payloadIndexes();
            Supplier<SegmentFilter> planner = () -> indexes.plan(pate, points);
            indexes.createIndex("t", PayloadFieldSchema.parse(json.readTree("{\"type\":\"text\"}")), points);
            SegmentFilter plain = seg.plan(pate, planner);
            assertSame(plain, seg.plan(pate, planner), "unchanged: cached");
            assertEquals(0, plain.matching().cardinality(), "no token pate without folding");

            indexes.createIndex("t", PayloadFieldSchema.parse(json.readTree("{\"type\":\"text\",\"ascii_folding\":true}")),
                    points);
            SegmentFilter folded = seg.plan(pate, planner);
            assertNotSame(plain, folded, "the index was replaced: planned again");
            assertEquals(1, folded.matching().cardinality());

            indexes.dropIndex("t");
            assertEquals(0, seg.plan(pate, planner).matching().cardinality(), "dropped: a substring match again");
        } finally {
            seg.close();
        }
    }
}
