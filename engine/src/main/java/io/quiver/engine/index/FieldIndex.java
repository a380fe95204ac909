package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.JsonPath;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The index of one payload field in one segment, keyed by the segment's point ordinals. It answers a field
 * condition for the values it holds; points with values it cannot represent are kept in {@link #uncertain()} and are
 * checked on their payload by the planner, so an index never changes a result. Single writer (the segment's update
 * path); readers hold {@link PayloadIndexes}' read lock.
 */
abstract sealed class FieldIndex permits KeyedFieldIndex, FullTextIndex {

    final JsonPath path;
    final PayloadFieldSchema schema;
    final BitSet indexed = new BitSet();
    final BitSet uncertain = new BitSet();

    FieldIndex(JsonPath path, PayloadFieldSchema schema) {
        this.path = path;
        this.schema = schema;
    }

    static FieldIndex create(JsonPath path, PayloadFieldSchema schema) {
        return switch (schema.type()) {
            case KEYWORD -> new KeyedFieldIndex<>(path, schema, KeyCodec.KEYWORD);
            case UUID -> new KeyedFieldIndex<>(path, schema, KeyCodec.UUID);
            case INTEGER -> new KeyedFieldIndex<>(path, schema, KeyCodec.INTEGER);
            case FLOAT -> new KeyedFieldIndex<>(path, schema, KeyCodec.FLOAT);
            case BOOL -> new KeyedFieldIndex<>(path, schema, KeyCodec.BOOL);
            case DATETIME -> new KeyedFieldIndex<>(path, schema, KeyCodec.DATETIME);
            case TEXT -> new FullTextIndex(path, schema);
            case GEO -> new KeyedFieldIndex<>(path, schema, KeyCodec.GEO);
        };
    }

    /** The elements a condition looks at: each value at the path, arrays split one level (Qdrant's value check). */
    final List<JsonNode> elements(JsonNode payload) {
        List<JsonNode> values = new ArrayList<>();
        path.collect(payload, values);
        List<JsonNode> elements = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            if (v.isArray()) {
                v.forEach(elements::add);
            } else {
                elements.add(v);
            }
        }
        return elements;
    }

    /** Indexes the point's values (replacing what was indexed for {@code ord}). */
    abstract void add(int ord, JsonNode payload);

    /** Forgets the point. */
    abstract void remove(int ord);

    /**
     * The ordinals whose indexed values satisfy {@code c}, exactly (uncertain points excluded from the guarantee),
     * or null when this index cannot answer this kind of condition.
     */
    abstract BitSet answer(FieldCondition c);

    /** Number of points holding at least one indexed value. */
    final long points() {
        return indexed.cardinality();
    }

    /** Points with values this index could not represent; always checked on their payload. */
    final BitSet uncertain() {
        return uncertain;
    }

    abstract void writeEntries(DataOutput out) throws IOException;

    abstract void readEntries(DataInput in) throws IOException;
}
