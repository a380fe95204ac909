package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.JsonPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A segment's decoded payload values, one column per key path that filters have asked about, so that evaluating a
 * field condition on a point reads a primitive instead of parsing the point's JSON. Per ordinal a column holds the
 * kind of what the path reaches there — nothing ({@link #MISSING}), exactly one 64-bit integer ({@link #INT}), one
 * other number ({@link #FLOAT}), one string ({@link #STRING}), one boolean ({@link #BOOL}) — or {@link #OTHER}
 * (null, an array, an object or several values), which the caller must evaluate on the payload itself.
 *
 * <p>Owned by the segment, which creates it and reports every payload change ({@link #update}) before any reader can
 * see the change. Columns are built lazily by readers from the payloads ({@link #column}). Threading: the segment's
 * single writer calls {@link #update} holding the shard's write lock; readers call {@link #column} holding the read
 * lock (several at once: building a column is atomic per path). Memory: 9 bytes per point per cached column, plus
 * the strings of string values (shared with nothing else); columns live as long as the segment.
 */
public final class PayloadColumns {

    public static final byte MISSING = 0;
    public static final byte INT = 1;
    public static final byte FLOAT = 2;
    public static final byte STRING = 3;
    public static final byte BOOL = 4;
    public static final byte OTHER = 5;

    private final ConcurrentHashMap<String, Column> byPath = new ConcurrentHashMap<>();

    /**
     * The values of one key path over the ordinals {@code [0, size)}. Read-only to readers; only the segment's writer
     * changes it (through {@link PayloadColumns#update}) while no reader runs.
     */
    public static final class Column {
        final JsonPath path;
        byte[] kinds;
        /** INT: the value; FLOAT: {@link Double#doubleToRawLongBits}; BOOL: 1 or 0. */
        long[] bits;
        /** STRING values; null until the first string is seen. */
        String[] strings;
        int size;

        Column(JsonPath path, int capacity) {
            this.path = path;
            this.kinds = new byte[capacity];
            this.bits = new long[capacity];
        }

        public byte kind(int ord) {
            return ord < size ? kinds[ord] : OTHER;
        }

        public long bits(int ord) {
            return bits[ord];
        }

        public String string(int ord) {
            return strings[ord];
        }

        private void set(int ord, JsonNode payload, List<JsonNode> scratch) {
            if (ord >= kinds.length) {
                int cap = Math.max(ord + 1, kinds.length * 2);
                kinds = Arrays.copyOf(kinds, cap);
                bits = Arrays.copyOf(bits, cap);
                if (strings != null) {
                    strings = Arrays.copyOf(strings, cap);
                }
            }
            if (ord >= size) {
                Arrays.fill(kinds, size, ord, OTHER); // ordinals never reported: the caller must look at the payload
                size = ord + 1;
            }
            scratch.clear();
            path.collect(payload, scratch);
            if (strings != null) {
                strings[ord] = null;
            }
            bits[ord] = 0;
            if (scratch.isEmpty()) {
                kinds[ord] = MISSING;
                return;
            }
            JsonNode v = scratch.get(0);
            if (scratch.size() > 1) {
                kinds[ord] = OTHER;
            } else if (FilterEvaluator.isInt64(v)) {
                kinds[ord] = INT;
                bits[ord] = v.longValue();
            } else if (v.isNumber()) {
                kinds[ord] = FLOAT;
                bits[ord] = Double.doubleToRawLongBits(v.doubleValue());
            } else if (v.isTextual()) {
                kinds[ord] = STRING;
                if (strings == null) {
                    strings = new String[kinds.length];
                }
                strings[ord] = v.textValue();
            } else if (v.isBoolean()) {
                kinds[ord] = BOOL;
                bits[ord] = v.booleanValue() ? 1 : 0;
            } else {
                kinds[ord] = OTHER;
            }
        }
    }

    /**
     * The column of {@code path}, decoding it from {@code payloads} for ordinals {@code [0, ordBound)} if it is not
     * cached yet. Reader side (shard read lock held).
     */
    public Column column(JsonPath path, int ordBound, IntFunction<JsonNode> payloads) {
        return byPath.computeIfAbsent(path.toString(), p -> {
            Column c = new Column(path, Math.max(16, ordBound));
            List<JsonNode> scratch = new ArrayList<>(4);
            for (int ord = 0; ord < ordBound; ord++) {
                c.set(ord, payloads.apply(ord), scratch);
            }
            return c;
        });
    }

    /** Whether any column is cached (the writer parses a changed payload only then). */
    public boolean isEmpty() {
        return byPath.isEmpty();
    }

    /**
     * Records the new payload of {@code ord} (after an append or any payload edit) in every cached column. Writer
     * only, before the change is visible to readers.
     */
    public void update(int ord, JsonNode payload) {
        List<JsonNode> scratch = new ArrayList<>(4);
        for (Column c : byPath.values()) {
            c.set(ord, payload, scratch);
        }
    }

    /** Number of cached columns (diagnostics and tests). */
    public int columnCount() {
        return byPath.size();
    }
}
