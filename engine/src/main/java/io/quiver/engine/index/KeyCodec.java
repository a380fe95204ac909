package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.FilterEvaluator;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How one index type turns payload elements into keys, keys back into JSON for answering {@code match} conditions,
 * and keys into bytes. An element the codec cannot represent makes its point "uncertain" (checked on its payload).
 * Stateless singletons, threadsafe.
 */
abstract class KeyCodec<K extends Comparable<K>> {

    /** The key of one payload element (array elements already split), or null when not representable. */
    abstract K keyOf(JsonNode element);

    /**
     * A JSON element equivalent to the key for every {@code match} kind, or null when this index type cannot answer
     * {@code match} conditions (it lost the original form, e.g. float 5 vs 5.0, or a datetime's text).
     */
    abstract JsonNode matchJson(K key);

    /** The key for a {@code match.value} / {@code any} element (String, Long or Boolean), or null. */
    K lookupKey(Object matchValue) {
        return null;
    }

    /** The key as a JSON number for {@code range}, or NaN when keys are never numbers. */
    double numberOf(K key) {
        return Double.NaN;
    }

    /** The key as datetime micros for a datetime {@code range}, or {@link DateTimeParser#INVALID}. */
    long datetimeOf(K key) {
        return DateTimeParser.INVALID;
    }

    /** True when keys are JSON numbers (float ranges may match). */
    boolean numericKeys() {
        return false;
    }

    abstract void write(DataOutput out, K key) throws IOException;

    abstract K read(DataInput in) throws IOException;

    static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 28)) {
            throw new IOException("corrupt string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static final KeyCodec<String> KEYWORD = new KeyCodec<>() {
        @Override
        String keyOf(JsonNode e) {
            return e.isTextual() ? e.textValue() : null;
        }

        @Override
        JsonNode matchJson(String key) {
            return TextNode.valueOf(key);
        }

        @Override
        String lookupKey(Object v) {
            return v instanceof String s ? s : null;
        }

        @Override
        long datetimeOf(String key) {
            return DateTimeParser.parseMicros(key);
        }

        @Override
        void write(DataOutput out, String key) throws IOException {
            writeString(out, key);
        }

        @Override
        String read(DataInput in) throws IOException {
            return readString(in);
        }
    };

    /** Only canonical (lower-case, hyphenated) UUID strings are keys; other strings are checked on the payload. */
    static final KeyCodec<String> UUID = new KeyCodec<>() {
        @Override
        String keyOf(JsonNode e) {
            return e.isTextual() && isCanonicalUuid(e.textValue()) ? e.textValue() : null;
        }

        @Override
        JsonNode matchJson(String key) {
            return TextNode.valueOf(key);
        }

        @Override
        String lookupKey(Object v) {
            return v instanceof String s && isCanonicalUuid(s) ? s : null;
        }

        @Override
        long datetimeOf(String key) {
            return DateTimeParser.parseMicros(key);
        }

        @Override
        void write(DataOutput out, String key) throws IOException {
            java.util.UUID u = java.util.UUID.fromString(key);
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        }

        @Override
        String read(DataInput in) throws IOException {
            return new java.util.UUID(in.readLong(), in.readLong()).toString();
        }
    };

    static boolean isCanonicalUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean hyphen = i == 8 || i == 13 || i == 18 || i == 23;
            if (hyphen ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static final KeyCodec<Long> INTEGER = new KeyCodec<>() {
        @Override
        Long keyOf(JsonNode e) {
            return FilterEvaluator.isInt64(e) ? e.longValue() : null;
        }

        @Override
        JsonNode matchJson(Long key) {
            return LongNode.valueOf(key);
        }

        @Override
        Long lookupKey(Object v) {
            return v instanceof Long l ? l : null;
        }

        @Override
        double numberOf(Long key) {
            return key.doubleValue();
        }

        @Override
        boolean numericKeys() {
            return true;
        }

        @Override
        void write(DataOutput out, Long key) throws IOException {
            out.writeLong(key);
        }

        @Override
        Long read(DataInput in) throws IOException {
            return in.readLong();
        }
    };

    /** Every JSON number is a key; {@code match} is not answered (5 and 5.0 differ for match but not for range). */
    static final KeyCodec<Double> FLOAT = new KeyCodec<>() {
        @Override
        Double keyOf(JsonNode e) {
            return e.isNumber() ? e.doubleValue() : null;
        }

        @Override
        JsonNode matchJson(Double key) {
            return null;
        }

        @Override
        double numberOf(Double key) {
            return key;
        }

        @Override
        boolean numericKeys() {
            return true;
        }

        @Override
        void write(DataOutput out, Double key) throws IOException {
            out.writeDouble(key);
        }

        @Override
        Double read(DataInput in) throws IOException {
            return in.readDouble();
        }
    };

    static final KeyCodec<Boolean> BOOL = new KeyCodec<>() {
        @Override
        Boolean keyOf(JsonNode e) {
            return e.isBoolean() ? e.booleanValue() : null;
        }

        @Override
        JsonNode matchJson(Boolean key) {
            return BooleanNode.valueOf(key);
        }

        @Override
        Boolean lookupKey(Object v) {
            return v instanceof Boolean b ? b : null;
        }

        @Override
        void write(DataOutput out, Boolean key) throws IOException {
            out.writeBoolean(key);
        }

        @Override
        Boolean read(DataInput in) throws IOException {
            return in.readBoolean();
        }
    };

    /** Strings that parse as datetimes, keyed by epoch micros; answers only ranges. */
    static final KeyCodec<Long> DATETIME = new KeyCodec<>() {
        @Override
        Long keyOf(JsonNode e) {
            if (!e.isTextual()) {
                return null;
            }
            long micros = DateTimeParser.parseMicros(e.textValue());
            return micros == DateTimeParser.INVALID ? null : micros;
        }

        @Override
        JsonNode matchJson(Long key) {
            return null;
        }

        @Override
        long datetimeOf(Long key) {
            return key;
        }

        @Override
        void write(DataOutput out, Long key) throws IOException {
            out.writeLong(key);
        }

        @Override
        Long read(DataInput in) throws IOException {
            return in.readLong();
        }
    };

    /** A geo point: an object whose {@code lon} and {@code lat} are numbers (other members don't matter to filters). */
    record GeoKey(double lon, double lat) implements Comparable<GeoKey> {
        @Override
        public int compareTo(GeoKey o) {
            int c = Double.compare(lon, o.lon);
            return c != 0 ? c : Double.compare(lat, o.lat);
        }
    }

    /** Geo points; answers geo shapes, and {@code match} (an object is "another type" for every match kind). */
    static final KeyCodec<GeoKey> GEO = new KeyCodec<>() {
        @Override
        GeoKey keyOf(JsonNode e) {
            if (!e.isObject()) {
                return null;
            }
            JsonNode lon = e.get("lon");
            JsonNode lat = e.get("lat");
            return lon != null && lat != null && lon.isNumber() && lat.isNumber()
                    ? new GeoKey(lon.doubleValue(), lat.doubleValue()) : null;
        }

        @Override
        JsonNode matchJson(GeoKey key) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("lon", key.lon())
                    .put("lat", key.lat());
        }

        @Override
        void write(DataOutput out, GeoKey key) throws IOException {
            out.writeDouble(key.lon());
            out.writeDouble(key.lat());
        }

        @Override
        GeoKey read(DataInput in) throws IOException {
            return new GeoKey(in.readDouble(), in.readDouble());
        }
    };
}
