package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.QuantizationSearchParams;
import org.junit.jupiter.api.Test;

/** A search forwarded to another node keeps every param, bit-exact vectors included, through its JSON text. */
class DataCodecTest {

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

    private static SearchRequest roundTrip(SearchRequest r) throws Exception {
        ObjectMapper json = new ObjectMapper();
        return DataCodec.search(json.readTree(json.writeValueAsString(DataCodec.searchJson(r))));
    }
}
