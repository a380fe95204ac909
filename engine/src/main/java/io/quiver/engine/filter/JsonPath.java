package io.quiver.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.BadRequestException;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed payload key path in Qdrant's syntax: {@code a}, {@code a.b}, {@code a[].b}, {@code a[]}, {@code a[0].b},
 * {@code "quoted.key".b}. Split once at parse time so evaluation walks the payload without allocating.
 * Immutable and threadsafe.
 *
 * <p>Semantics (Qdrant's {@code JsonPath::value_get}): {@code .key} descends into an object (anything else yields
 * nothing), {@code []} iterates an array's elements, {@code [n]} picks one element. A {@code .key} step on an array
 * yields nothing (use {@code []}); the values reached at the end are returned as they are (a leaf array is one value;
 * conditions then look at its elements).
 */
public final class JsonPath {

    /** {@link #anyValue} result: the path reached no value at all. */
    public static final int NO_VALUES = 0;
    /** {@link #anyValue} result: the path reached values, none of which passed the test. */
    public static final int NO_MATCH = 1;
    /** {@link #anyValue} result: at least one reached value passed the test. */
    public static final int MATCH = 2;

    private static final byte KEY = 0;
    private static final byte INDEX = 1;
    private static final byte WILDCARD = 2;

    /** A test applied to each value a path reaches; {@code arg} avoids capturing lambdas on hot paths. */
    @FunctionalInterface
    public interface ValueTest<A> {
        boolean test(JsonNode value, A arg);
    }

    private final String text;
    private final String firstKey;
    private final byte[] kinds;
    private final String[] keys;
    private final int[] indexes;

    private JsonPath(String firstKey, byte[] kinds, String[] keys, int[] indexes) {
        this.firstKey = firstKey;
        this.kinds = kinds;
        this.keys = keys;
        this.indexes = indexes;
        this.text = render();
    }

    /** Parses a key path; BadRequest with the reason when it is empty or malformed. */
    public static JsonPath parse(String path) {
        if (path == null || path.isEmpty()) {
            throw new BadRequestException("empty payload key path");
        }
        int[] pos = {0};
        String first = readKey(path, pos);
        if (first.isEmpty()) {
            throw malformed(path, "must start with a key");
        }
        byte[] kinds = new byte[4];
        String[] keys = new String[4];
        int[] indexes = new int[4];
        int n = 0;
        while (pos[0] < path.length()) {
            if (n == kinds.length) {
                kinds = Arrays.copyOf(kinds, n * 2);
                keys = Arrays.copyOf(keys, n * 2);
                indexes = Arrays.copyOf(indexes, n * 2);
            }
            char c = path.charAt(pos[0]);
            if (c == '.') {
                pos[0]++;
                String key = readKey(path, pos);
                if (key.isEmpty()) {
                    throw malformed(path, "empty key after '.' at offset " + pos[0]);
                }
                kinds[n] = KEY;
                keys[n] = key;
            } else if (c == '[') {
                int close = path.indexOf(']', pos[0]);
                if (close < 0) {
                    throw malformed(path, "unclosed '['");
                }
                String inside = path.substring(pos[0] + 1, close);
                if (inside.isEmpty()) {
                    kinds[n] = WILDCARD;
                } else {
                    kinds[n] = INDEX;
                    try {
                        indexes[n] = Integer.parseInt(inside);
                    } catch (NumberFormatException e) {
                        throw malformed(path, "array index must be empty or a non-negative integer, got '"
                                + inside + "'");
                    }
                    if (indexes[n] < 0 || inside.charAt(0) == '+') {
                        throw malformed(path, "array index must be a non-negative integer, got '" + inside + "'");
                    }
                }
                pos[0] = close + 1;
            } else {
                throw malformed(path, "unexpected '" + c + "' at offset " + pos[0]);
            }
            n++;
        }
        return new JsonPath(first, Arrays.copyOf(kinds, n), Arrays.copyOf(keys, n), Arrays.copyOf(indexes, n));
    }

    private static String readKey(String path, int[] pos) {
        int start = pos[0];
        if (start < path.length() && path.charAt(start) == '"') {
            int end = path.indexOf('"', start + 1);
            if (end < 0) {
                throw malformed(path, "unclosed quote");
            }
            pos[0] = end + 1;
            String key = path.substring(start + 1, end);
            if (key.isEmpty()) {
                throw malformed(path, "empty quoted key");
            }
            return key;
        }
        int i = start;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.' || c == '[' || c == ']' || c == '"') {
                break;
            }
            i++;
        }
        pos[0] = i;
        return path.substring(start, i);
    }

    private static BadRequestException malformed(String path, String why) {
        return new BadRequestException("invalid payload key path '" + path + "': " + why);
    }

    /** This path with a trailing {@code []} appended unless it already ends with one (nested conditions). */
    public JsonPath arrayKey() {
        if (kinds.length > 0 && kinds[kinds.length - 1] == WILDCARD) {
            return this;
        }
        int n = kinds.length;
        byte[] k = Arrays.copyOf(kinds, n + 1);
        k[n] = WILDCARD;
        return new JsonPath(firstKey, k, Arrays.copyOf(keys, n + 1), Arrays.copyOf(indexes, n + 1));
    }

    /** {@code this + "." + child}: the full path of a key inside a nested condition rooted at this path. */
    public JsonPath extend(JsonPath child) {
        int n = kinds.length;
        int m = child.kinds.length;
        byte[] k = new byte[n + 1 + m];
        String[] ks = new String[n + 1 + m];
        int[] ix = new int[n + 1 + m];
        System.arraycopy(kinds, 0, k, 0, n);
        System.arraycopy(keys, 0, ks, 0, n);
        System.arraycopy(indexes, 0, ix, 0, n);
        k[n] = KEY;
        ks[n] = child.firstKey;
        System.arraycopy(child.kinds, 0, k, n + 1, m);
        System.arraycopy(child.keys, 0, ks, n + 1, m);
        System.arraycopy(child.indexes, 0, ix, n + 1, m);
        return new JsonPath(firstKey, k, ks, ix);
    }

    /**
     * Applies {@code test} to every value the path reaches in {@code root} (an object), stopping at the first that
     * passes. Returns {@link #NO_VALUES}, {@link #NO_MATCH} or {@link #MATCH}. Allocates nothing.
     */
    public <A> int anyValue(JsonNode root, ValueTest<A> test, A arg) {
        if (root == null || !root.isObject()) {
            return NO_VALUES;
        }
        JsonNode first = root.get(firstKey);
        if (first == null) {
            return NO_VALUES;
        }
        return walk(first, 0, test, arg);
    }

    private <A> int walk(JsonNode node, int step, ValueTest<A> test, A arg) {
        if (step == kinds.length) {
            return test.test(node, arg) ? MATCH : NO_MATCH;
        }
        switch (kinds[step]) {
            case KEY -> {
                if (!node.isObject()) {
                    return NO_VALUES;
                }
                JsonNode child = node.get(keys[step]);
                return child == null ? NO_VALUES : walk(child, step + 1, test, arg);
            }
            case INDEX -> {
                if (!node.isArray() || indexes[step] >= node.size()) {
                    return NO_VALUES;
                }
                return walk(node.get(indexes[step]), step + 1, test, arg);
            }
            default -> {
                if (!node.isArray()) {
                    return NO_VALUES;
                }
                int result = NO_VALUES;
                for (int i = 0, size = node.size(); i < size; i++) {
                    int r = walk(node.get(i), step + 1, test, arg);
                    if (r == MATCH) {
                        return MATCH;
                    }
                    if (r > result) {
                        result = r;
                    }
                }
                return result;
            }
        }
    }

    /** Appends every value the path reaches in {@code root} to {@code out} (index building, tests). */
    public void collect(JsonNode root, List<JsonNode> out) {
        anyValue(root, (v, list) -> {
            list.add(v);
            return false;
        }, out);
    }

    /** The canonical text of the path (keys with special characters quoted); equal paths have equal text. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private String render() {
        StringBuilder sb = new StringBuilder();
        appendKey(sb, firstKey);
        for (int i = 0; i < kinds.length; i++) {
            switch (kinds[i]) {
                case KEY -> appendKey(sb.append('.'), keys[i]);
                case INDEX -> sb.append('[').append(indexes[i]).append(']');
                default -> sb.append("[]");
            }
        }
        return sb.toString();
    }

    private static void appendKey(StringBuilder sb, String key) {
        boolean plain = true;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '[' || c == ']') {
                plain = false;
                break;
            }
        }
        if (plain) {
            sb.append(key);
        } else {
            sb.append('"').append(key).append('"');
        }
    }
}
