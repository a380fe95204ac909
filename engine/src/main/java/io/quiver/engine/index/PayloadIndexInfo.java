package io.quiver.engine.index;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of a collection's {@code payload_schema}: the index type, its params (object form only) and the number
 * of points holding an indexed value. Immutable.
 */
public record PayloadIndexInfo(PayloadFieldSchema schema, long points) {

    /** {@code {"data_type":"keyword","params":{...}?,"points":N}}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("data_type", schema.type().jsonName());
        if (schema.paramsOrNull() != null) {
            o.set("params", schema.paramsOrNull().deepCopy());
        }
        o.put("points", points);
        return o;
    }

    /** Sums the point counts of the same field over segments. */
    public PayloadIndexInfo plus(PayloadIndexInfo other) {
        return new PayloadIndexInfo(schema, points + other.points);
    }
}
