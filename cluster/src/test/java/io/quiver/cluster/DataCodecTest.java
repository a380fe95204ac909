package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.QuantizationSearchParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A search forwarded to another node keeps every param, bit-exact vectors included, through its JSON text; so does a
 * search by an example query (its kind, and each side's examples in order).
 */
class DataCodecTest {

    @Test
    void orderByPairsKeepTheirValueTypesAcrossTheWire() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<io.quiver.engine.OrderedScroll.OrderedId> sent = List.of(
                new io.quiver.engine.OrderedScroll.OrderedId(5L, io.quiver.engine.PointId.of(1)),
                new io.quiver.engine.OrderedScroll.OrderedId(5.0, io.quiver.engine.PointId.of(2)),
                new io.quiver.engine.OrderedScroll.OrderedId(-0.0, io.quiver.engine.PointId.parseText(
                        "550e8400-e29b-41d4-a716-446655440000")),
                new io.quiver.engine.OrderedScroll.OrderedId(Long.MIN_VALUE, io.quiver.engine.PointId.of(3)));
        assertEquals(sent, DataCodec.orderedIds(json.readTree(DataCodec.orderedIdsJson(sent).toString())),
                "a Long stays a Long, a Double (even 5.0 and -0.0) a Double");
        io.quiver.engine.OrderBy orderBy = new io.quiver.engine.OrderBy("a.b", true, 1.7e15);
        assertEquals(orderBy, DataCodec.orderBy(json.readTree(DataCodec.orderByJson(orderBy).toString())));
    }

    @Test
    void searchRequestKeepsEveryParamAcrossTheWire() throws Exception {
        SearchRequest sent = new SearchRequest(new float[] {0.1f, -0f, Float.MIN_VALUE, 3e38f}, null, 7, 2,
                WithPayload.ALL, true, 0.25f, 48, false, new QuantizationSearchParams(true, false, 2.5), true);
        SearchRequest received = roundTrip(sent);
        assertArrayEquals(sent.vector(), received.vector());
        assertEquals(sent.limit(), received.limit());
        assertEquals(sent.offset(), received.offset());
        assertEquals(sent.withVector(), received.withVector());
        assertEquals(sent.scoreThresholdOrNull(), received.scoreThresholdOrNull());
        assertEquals(sent.hnswEfOrNull(), received.hnswEfOrNull());
        assertEquals(sent.quantizationOrNull(), received.quantizationOrNull());
        assertEquals(true, received.indexedOnly());

        SearchRequest plain = roundTrip(SearchRequest.topK(new float[] {1, 2}, 3));
        assertEquals(null, plain.quantizationOrNull());
        assertEquals(false, plain.indexedOnly());
        assertEquals(null, plain.hnswEfOrNull());
    }

    @Test
    void exampleQueriesKeepTheirKindAndBitExactExamplesAcrossTheWire() throws Exception {
        float[] a = {0.1f, -0f, Float.MIN_VALUE};
        float[] b = {3e38f, -1f, 0.5f};
        float[] c = {1f, 2f, 3f};
        List<ExampleQuery> queries = List.of(new ExampleQuery.BestScore(List.of(a), List.of(b, c)),
                new ExampleQuery.BestScore(List.of(), List.of(b)),
                new ExampleQuery.SumScores(List.of(a, b), List.of()),
                new ExampleQuery.Discover(c, List.of(new ExampleQuery.ContextPair(a, b))),
                new ExampleQuery.Discover(c, List.of()),
                new ExampleQuery.Context(List.of(new ExampleQuery.ContextPair(a, b),
                        new ExampleQuery.ContextPair(c, a))));
        for (ExampleQuery sent : queries) {
            SearchRequest received = roundTrip(new SearchRequest(null, null, 4, 1, WithPayload.NONE, false, -0.5f, 16,
                    true, null, false, sent));
            ExampleQuery got = received.exampleQueryOrNull();
            assertEquals(sent.getClass(), got.getClass());
            assertEquals(null, received.vector());
            assertEquals(-0.5f, received.scoreThresholdOrNull());
            assertEquals(sent.examples().size(), got.examples().size(), sent.kind());
            for (int i = 0; i < sent.examples().size(); i++) {
                assertArrayEquals(sent.examples().get(i), got.examples().get(i), sent.kind() + " example " + i);
            }
            if (sent instanceof ExampleQuery.BestScore s) {
                assertEquals(s.positives().size(), ((ExampleQuery.BestScore) got).positives().size());
            }
        }
        assertEquals(null, roundTrip(SearchRequest.topK(new float[] {1}, 1)).exampleQueryOrNull());
    }

    private static SearchRequest roundTrip(SearchRequest r) throws Exception {
        ObjectMapper json = new ObjectMapper();
        return DataCodec.search(json.readTree(json.writeValueAsString(DataCodec.searchJson(r))));
    }
}
