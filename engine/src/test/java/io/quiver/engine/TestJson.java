package io.quiver.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON objects written as text in engine tests (payloads, filters, configs). Stateless; threadsafe. */
public final class TestJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestJson() {
    }

    /** The JSON object {@code text} spells; a test bug (not an object, not JSON) fails the test. */
    public static ObjectNode object(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new AssertionError("not a JSON object: " + text, e);
        }
    }
}
