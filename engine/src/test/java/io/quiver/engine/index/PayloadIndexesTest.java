package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.PointId;
import io.quiver.engine.StorageException;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema parsing, index answers, planner exactness, estimates and the index file format. */
class PayloadIndexesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static Filter filter(String s) {
        return FilterParser.parse(json(s));
    }

    private static BitSet bits(int... ords) {
        BitSet b = new BitSet();
        for (int o : ords) {
            b.set(o);
        }
        return b;
    }

    /** Six points covering every indexed type, with odd values mixed in. */
    private static TestSegment segment() {
        TestSegment seg = new TestSegment();
        seg.add(PointId.of(1), json("{\"city\":\"London\",\"n\":5,\"f\":1.5,\"ok\":true,\"d\":\"2020-02-15T00:00:00Z\","
                + "\"u\":\"550e8400-e29b-41d4-a716-446655440000\",\"t\":\"Good cheap food\"}"));
        seg.add(PointId.of(2), json("{\"city\":[\"Berlin\",\"London\"],\"n\":[1,2],\"f\":5,\"ok\":false,"
                + "\"d\":\"2020-03-01\",\"t\":[\"cheap\",\"apple pie\"]}"));
        seg.add(PointId.of(3), json("{\"city\":\"Moscow\",\"n\":5.5,\"f\":\"x\",\"ok\":\"true\",\"d\":17,"
                + "\"u\":\"550E8400-E29B-41D4-A716-446655440000\",\"t\":5}"));
        seg.add(PointId.of(4), json("{\"city\":null,\"n\":null,\"f\":[],\"ok\":[true,null],\"d\":\"not a date\"}"));
        seg.add(PointId.of(5), json("{\"city\":5,\"n\":\"5\",\"f\":-2,\"t\":\"food\"}"));
        seg.add(PointId.of(6), json("{}"));
        return seg;
    }

    private static PayloadIndexes allIndexes(TestSegment seg) {
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("city", PayloadFieldSchema.of(PayloadSchemaType.KEYWORD), seg);
        ix.createIndex("n", PayloadFieldSchema.of(PayloadSchemaType.INTEGER), seg);
        ix.createIndex("f", PayloadFieldSchema.of(PayloadSchemaType.FLOAT), seg);
        ix.createIndex("ok", PayloadFieldSchema.of(PayloadSchemaType.BOOL), seg);
        ix.createIndex("d", PayloadFieldSchema.of(PayloadSchemaType.DATETIME), seg);
        ix.createIndex("u", PayloadFieldSchema.of(PayloadSchemaType.UUID), seg);
        ix.createIndex("t", PayloadFieldSchema.parse(json("{\"type\":\"text\",\"tokenizer\":\"word\"}")), seg);
        return ix;
    }

    private static final List<String> QUERIES = List.of(
            "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}]}",
            "{\"must\":[{\"key\":\"city\",\"match\":{\"except\":[\"London\"]}}]}",
            "{\"must\":[{\"key\":\"city\",\"match\":{\"any\":[\"Moscow\",\"Berlin\"]}}]}",
            "{\"must\":[{\"key\":\"n\",\"match\":{\"value\":5}}]}",
            "{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":5}}]}",
            "{\"must\":[{\"key\":\"n\",\"match\":{\"except\":[5]}}]}",
            "{\"must\":[{\"key\":\"f\",\"range\":{\"gt\":0,\"lte\":5}}]}",
            "{\"must\":[{\"key\":\"f\",\"match\":{\"value\":5}}]}",
            "{\"must\":[{\"key\":\"ok\",\"match\":{\"value\":true}}]}",
            "{\"must\":[{\"key\":\"d\",\"range\":{\"gte\":\"2020-02-01T00:00:00Z\",\"lt\":\"2020-03-01T00:00:00Z\"}}]}",
            "{\"must\":[{\"key\":\"d\",\"range\":{\"gte\":\"2020-03-01\"}}]}",
            "{\"must\":[{\"key\":\"u\",\"match\":{\"value\":\"550e8400-e29b-41d4-a716-446655440000\"}}]}",
            "{\"must\":[{\"key\":\"u\",\"match\":{\"value\":\"550E8400-E29B-41D4-A716-446655440000\"}}]}",
            "{\"must\":[{\"key\":\"t\",\"match\":{\"text\":\"cheap\"}}]}",
            "{\"must\":[{\"key\":\"t\",\"match\":{\"text\":\"CHEAP food\"}}]}",
            "{\"must\":[{\"key\":\"t\",\"match\":{\"text_any\":\"pie food\"}}]}",
            "{\"must\":[{\"key\":\"t\",\"match\":{\"phrase\":\"apple pie\"}}]}",
            "{\"should\":[{\"key\":\"ok\",\"match\":{\"value\":false}},{\"has_id\":[3,6]}],"
                    + "\"must_not\":[{\"key\":\"city\",\"match\":{\"value\":\"Berlin\"}}]}",
            "{\"min_should\":{\"conditions\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
                    + "{\"key\":\"n\",\"range\":{\"gte\":5}},{\"key\":\"ok\",\"match\":{\"value\":true}}],\"min_count\":2}}",
            "{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},{\"is_empty\":{\"key\":\"u\"}}]}");

    private static final List<BitSet> EXPECTED = List.of(bits(0, 1), bits(1, 2, 4), bits(1, 2), bits(0), bits(0, 2),
            bits(1, 2, 4), bits(0, 1), bits(1), bits(0, 3), bits(0), bits(1), bits(0), bits(2), bits(0, 1),
            bits(0), bits(0, 1, 4), bits(1), bits(2, 5), bits(0), bits(1));

    @Test
    void indexedAnswersEqualTheExpectedSetsAndTheEvaluator() {
        TestSegment seg = segment();
        PayloadIndexes ix = allIndexes(seg);
        for (int i = 0; i < QUERIES.size(); i++) {
            Filter f = filter(QUERIES.get(i));
            assertEquals(EXPECTED.get(i), ix.matchingOrds(f, seg), QUERIES.get(i));
            for (int ord = 0; ord < seg.ordBound(); ord++) {
                assertEquals(EXPECTED.get(i).get(ord), ix.evaluator().matches(f, seg.pointId(ord), seg.payload(ord)),
                        QUERIES.get(i) + " ord " + ord);
                assertEquals(EXPECTED.get(i).get(ord), ix.acceptOrds(f, seg).accept(ord));
            }
        }
    }

    @Test
    void plannerDecidesIndexedFiltersWithoutPayloadsAndEstimatesExactly() {
        TestSegment seg = segment();
        PayloadIndexes ix = allIndexes(seg);
        // uncertain for "n" (5.5 and "5"): ords 2 and 4 are checked on the payload
        SegmentPoints noPayloads = seg.payloadsRefusedExcept(ord -> ord == 2 || ord == 4, "by the planner");
        Filter f = filter("{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":5}},{\"key\":\"city\",\"match\":{\"any\":[\"London\","
                + "\"Moscow\"]}}],\"must_not\":[{\"has_id\":[3]}]}");
        assertEquals(bits(0), ix.matchingOrds(f, noPayloads));
        assertEquals(CardinalityEstimation.exact(1), ix.estimate(f, noPayloads));
        Filter unindexed = filter("{\"must\":[{\"key\":\"other\",\"match\":{\"value\":1}}]}");
        assertEquals(new CardinalityEstimation(0, 3, 6), ix.estimate(unindexed, seg));
        Filter mixed = filter("{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
                + "{\"key\":\"other\",\"match\":{\"value\":1}}]}");
        CardinalityEstimation e = ix.estimate(mixed, seg);
        assertEquals(0, e.min());
        assertEquals(2, e.max());
        assertEquals(CardinalityEstimation.exact(6), ix.estimate(null, seg));
    }

    @Test
    void incrementalUpdatesAndDeletesKeepIndexesInStep() {
        TestSegment seg = segment();
        PayloadIndexes ix = allIndexes(seg);
        Filter london = filter(QUERIES.getFirst());
        JsonNode moved = json("{\"city\":\"Paris\"}");
        seg.payloads.set(0, moved);
        ix.add(0, moved);
        assertEquals(bits(1), ix.matchingOrds(london, seg));
        seg.delete(1);
        ix.remove(1);
        assertEquals(bits(), ix.matchingOrds(london, seg));
        int ord = seg.add(PointId.of(99), json("{\"city\":[\"London\",\"London\"]}"));
        ix.add(ord, seg.payload(ord));
        assertEquals(bits(ord), ix.matchingOrds(london, seg));
        assertEquals(3, ix.info().get("city").points(), "Paris, Moscow, London (null and 5 are not keywords)");
        assertTrue(ix.dropIndex("city"));
        assertFalse(ix.dropIndex("city"));
        assertEquals(bits(ord), ix.matchingOrds(london, seg), "without the index the result is the same");
    }

    @Test
    void everyIndexTypeRoundTripsThroughItsFile() throws IOException {
        TestSegment seg = segment();
        PayloadIndexes ix = allIndexes(seg);
        Path file = dir.resolve(PayloadIndexFile.FILE_NAME);
        ix.save(file);
        PayloadIndexes loaded = PayloadIndexes.load(file);
        assertEquals(ix.schema(), loaded.schema());
        assertEquals(ix.info(), loaded.info());
        for (int i = 0; i < QUERIES.size(); i++) {
            assertEquals(EXPECTED.get(i), loaded.matchingOrds(filter(QUERIES.get(i)), seg), QUERIES.get(i));
        }
        loaded.save(dir.resolve("again.bin"));
        assertEquals(-1, Files.mismatch(file, dir.resolve("again.bin")), "save(load(x)) is byte-identical");
        Map<String, PayloadIndexInfo> info = loaded.info();
        assertEquals(3, info.get("city").points());
        assertEquals(2, info.get("n").points());
        assertEquals(3, info.get("f").points());
        assertEquals(3, info.get("ok").points());
        assertEquals(2, info.get("d").points());
        assertEquals(1, info.get("u").points());
        assertEquals(3, info.get("t").points());
        assertEquals("{\"data_type\":\"text\",\"params\":{\"type\":\"text\",\"tokenizer\":\"word\"},\"points\":3}",
                info.get("t").toJson().toString());
        assertEquals("{\"data_type\":\"keyword\",\"points\":3}", info.get("city").toJson().toString());
        PayloadIndexes empty = new PayloadIndexes();
        empty.save(dir.resolve("empty.bin"));
        assertTrue(PayloadIndexes.load(dir.resolve("empty.bin")).schema().isEmpty());
    }

    @Test
    void corruptFilesAreRejected() throws IOException {
        Path file = dir.resolve("ix.bin");
        allIndexes(segment()).save(file);
        byte[] good = Files.readAllBytes(file);
        for (int at : new int[] {0, 5, 13, good.length / 2, good.length - 9, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x40;
            Files.write(file, bad);
            assertThrows(StorageException.class, () -> PayloadIndexes.load(file), "flipped byte " + at);
        }
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 3));
        assertThrows(StorageException.class, () -> PayloadIndexes.load(file));
        Files.write(file, new byte[0]);
        assertThrows(StorageException.class, () -> PayloadIndexes.load(file));
        assertThrows(StorageException.class, () -> PayloadIndexes.load(dir.resolve("missing.bin")));
    }

    @Test
    void fieldSchemaParsing() {
        assertEquals(PayloadSchemaType.KEYWORD, PayloadFieldSchema.parse(json("\"keyword\"")).type());
        PayloadFieldSchema tenant = PayloadFieldSchema.parse(json("{\"type\":\"keyword\",\"is_tenant\":true}"));
        assertEquals(json("{\"type\":\"keyword\",\"is_tenant\":true}"), tenant.toJson());
        PayloadFieldSchema text = PayloadFieldSchema.parse(json("{\"type\":\"text\",\"tokenizer\":\"whitespace\","
                + "\"lowercase\":false,\"min_token_len\":2,\"max_token_len\":10}"));
        assertEquals(List.of("Ab", "cd!"), text.analyzerOrNull().tokenizeDoc("Ab x cd!"));
        assertNull(PayloadFieldSchema.parse(json("\"integer\"")).analyzerOrNull());
        assertEquals(PayloadSchemaType.INTEGER,
                PayloadFieldSchema.parse(json("{\"type\":\"integer\",\"lookup\":true,\"range\":false}")).type());
        assertEquals(PayloadSchemaType.GEO, PayloadFieldSchema.parse(json("{\"type\":\"geo\"}")).type());
        for (String bad : new String[] {"\"strings\"", "5", "{\"is_tenant\":true}",
            "{\"type\":\"keyword\",\"lookup\":true}", "{\"type\":\"integer\",\"range\":\"yes\"}",
            "{\"type\":\"text\",\"tokenizer\":\"multilingual\"}", "{\"type\":\"text\",\"tokenizer\":\"klingon\"}",
            "{\"type\":\"text\",\"stopwords\":\"english\"}", "{\"type\":\"text\",\"stopwords\":\"klingon\"}",
            "{\"type\":\"text\",\"stopwords\":{\"languages\":[\"english\"]}}",
            "{\"type\":\"text\",\"stopwords\":{\"custom\":[1]}}", "{\"type\":\"text\",\"stopwords\":[\"a\"]}",
            "{\"type\":\"text\",\"stemmer\":{\"type\":\"snowball\",\"language\":\"klingon\"}}",
            "{\"type\":\"text\",\"stemmer\":{\"type\":\"porter\",\"language\":\"english\"}}",
            "{\"type\":\"text\",\"stemmer\":\"english\"}", "{\"type\":\"text\",\"ascii_folding\":\"yes\"}",
            "{\"type\":\"text\",\"min_token_len\":-1}", "null"}) {
            BadRequestException e = assertThrows(BadRequestException.class,
                    () -> PayloadFieldSchema.parse(json(bad)), bad);
            assertTrue(e.getMessage().startsWith("Wrong input: field_schema"), e.getMessage());
        }
        assertThrows(BadRequestException.class,
                () -> new PayloadIndexes().createIndex("a..b", PayloadFieldSchema.of(PayloadSchemaType.BOOL),
                        segment()));
    }

    @Test
    void nestedArrayPathsAreIndexedAndPlanned() {
        TestSegment seg = new TestSegment();
        seg.add(PointId.of(1), json("{\"arr\":[{\"a\":\"x\"},{\"a\":\"y\"}]}"));
        seg.add(PointId.of(2), json("{\"arr\":[{\"a\":\"z\"},{\"a\":[\"x\"]}]}"));
        seg.add(PointId.of(3), json("{\"arr\":{\"a\":\"x\"}}"));
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("arr[].a", PayloadFieldSchema.of(PayloadSchemaType.KEYWORD), seg);
        assertEquals(bits(0, 1), ix.matchingOrds(filter("{\"must\":{\"key\":\"arr[].a\",\"match\":{\"value\":\"x\"}}}"),
                seg));
        assertEquals(CardinalityEstimation.exact(2),
                ix.estimate(filter("{\"must\":{\"key\":\"arr[].a\",\"match\":{\"value\":\"x\"}}}"), seg));
        assertEquals(2, ix.info().get("arr[].a").points());
    }

    @Test
    void syncWithMakesIndexesEqualToTheCollectionSchema() {
        TestSegment seg = segment();
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("ok", PayloadFieldSchema.of(PayloadSchemaType.BOOL), seg);
        ix.createIndex("n", PayloadFieldSchema.of(PayloadSchemaType.FLOAT), seg);
        Map<String, PayloadFieldSchema> wanted = new java.util.LinkedHashMap<>();
        wanted.put("city", PayloadFieldSchema.of(PayloadSchemaType.KEYWORD));
        wanted.put("n", PayloadFieldSchema.of(PayloadSchemaType.INTEGER));
        assertTrue(ix.syncWith(wanted, seg));
        assertEquals(wanted, ix.schema());
        assertEquals(2, ix.info().get("n").points());
        assertFalse(ix.syncWith(wanted, seg));
        assertEquals(bits(0), ix.matchingOrds(filter(QUERIES.get(3)), seg));
    }

    @Test
    void nestedConditionsUseIndexesOnTheFullPathAsCandidates() {
        TestSegment seg = new TestSegment();
        seg.add(PointId.of(1), json("{\"diet\":[{\"food\":\"meat\",\"n\":5.5},{\"food\":\"leaves\",\"n\":1}]}"));
        seg.add(PointId.of(2), json("{\"diet\":[{\"food\":\"meat\",\"n\":1},{\"food\":\"leaves\",\"n\":7}]}"));
        seg.add(PointId.of(3), json("{\"food\":\"meat\",\"n\":9}"));
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("diet[].n", PayloadFieldSchema.of(PayloadSchemaType.INTEGER), seg);
        ix.createIndex("diet[].food", PayloadFieldSchema.of(PayloadSchemaType.KEYWORD), seg);
        Filter f = filter("{\"must\":{\"nested\":{\"key\":\"diet\",\"filter\":{\"must\":["
                + "{\"key\":\"n\",\"range\":{\"gte\":5}},{\"key\":\"food\",\"match\":{\"value\":\"meat\"}}]}}}}");
        assertEquals(bits(0), ix.matchingOrds(f, seg), "5.5 is only known to the payload (uncertain point)");
        assertEquals(2, ix.estimate(f, seg).max(), "indexes bound the nested condition");
        assertTrue(ix.acceptOrds(f, seg).accept(0));
        assertFalse(ix.acceptOrds(f, seg).accept(1));
    }

    @Test
    void geoIndexAnswersShapesAndRoundTrips() throws IOException {
        TestSegment seg = new TestSegment();
        seg.add(PointId.of(1), json("{\"loc\":{\"lon\":13.41,\"lat\":52.52}}"));
        seg.add(PointId.of(2), json("{\"loc\":[{\"lon\":37.62,\"lat\":55.75},{\"lon\":13.40,\"lat\":52.51}]}"));
        seg.add(PointId.of(3), json("{\"loc\":{\"lon\":2.35,\"lat\":48.85,\"name\":\"Paris\"}}"));
        seg.add(PointId.of(4), json("{\"loc\":\"Berlin\"}"));
        seg.add(PointId.of(5), json("{\"loc\":{\"lon\":\"x\",\"lat\":1}}"));
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("loc", PayloadFieldSchema.of(PayloadSchemaType.GEO), seg);
        Filter nearBerlin = filter("{\"must\":{\"key\":\"loc\",\"geo_radius\":{\"center\":{\"lon\":13.4,"
                + "\"lat\":52.52},\"radius\":5000}}}");
        Filter box = filter("{\"must\":{\"key\":\"loc\",\"geo_bounding_box\":{\"top_left\":{\"lon\":0,\"lat\":60},"
                + "\"bottom_right\":{\"lon\":20,\"lat\":45}}}}");
        Filter except = filter("{\"must\":{\"key\":\"loc\",\"match\":{\"except\":[\"Berlin\"]}}}");
        assertEquals(bits(0, 1), ix.matchingOrds(nearBerlin, seg));
        assertEquals(bits(0, 1, 2), ix.matchingOrds(box, seg));
        assertEquals(bits(0, 1, 2, 4), ix.matchingOrds(except, seg), "objects pass except; \"Berlin\" does not");
        assertEquals(CardinalityEstimation.exact(2), ix.estimate(nearBerlin, seg));
        assertEquals(3, ix.info().get("loc").points());
        Path file = dir.resolve("geo.bin");
        ix.save(file);
        PayloadIndexes loaded = PayloadIndexes.load(file);
        assertEquals(bits(0, 1), loaded.matchingOrds(nearBerlin, seg));
        assertEquals(bits(0, 1, 2), loaded.matchingOrds(box, seg));
    }

    @Test
    void floatIndexTreatsNegativeZeroAsZero() {
        TestSegment seg = new TestSegment();
        seg.add(PointId.of(1), json("{\"f\":-0.0}"));
        seg.add(PointId.of(2), json("{\"f\":0.0}"));
        seg.add(PointId.of(3), json("{\"f\":-1e-300}"));
        PayloadIndexes ix = new PayloadIndexes();
        ix.createIndex("f", PayloadFieldSchema.of(PayloadSchemaType.FLOAT), seg);
        assertEquals(bits(0, 1), ix.matchingOrds(filter("{\"must\":{\"key\":\"f\",\"range\":{\"gte\":0.0}}}"), seg));
        assertEquals(bits(0, 1), ix.matchingOrds(filter("{\"must\":{\"key\":\"f\",\"range\":{\"gte\":-0.0,"
                + "\"lte\":-0.0}}}"), seg));
        assertEquals(bits(2), ix.matchingOrds(filter("{\"must\":{\"key\":\"f\",\"range\":{\"lt\":0}}}"), seg));
    }
}
