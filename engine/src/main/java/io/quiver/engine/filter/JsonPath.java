package io.quiver.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A parsed payload key path in Qdrant's syntax: {@code a}, {@code a.b}, {@code a[].b}, {@code a[]}, {@code a[0].b},
 * {@code "quoted.key".b}; the one parser for every payload key Quiver takes (filter and index keys, order_by,
 * set_payload's {@code key}, payload key deletes, with_payload include/exclude). Split once at parse time so
 * evaluation walks the payload without allocating. Immutable and threadsafe; the edit methods change only the payload
 * they are given, which the caller owns.
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

    /**
     * Qdrant's set_payload with a {@code key} ({@code JsonPath::value_set}): merges {@code patch} ({@link #mergeFields})
     * into every object this path reaches in {@code root}, which is edited in place. Missing or non-object
     * values on {@code .key} steps and at the end become objects; a {@code []} step edits every element of an array
     * (elements that are not objects become objects) and turns a non-array into {@code []}; an {@code [n]} step edits
     * element n if present and turns a non-array into {@code []}.
     */
    public void setIn(ObjectNode root, ObjectNode patch) {
        root.set(firstKey, setAt(root.get(firstKey), 0, patch));
    }

    /**
     * Qdrant's merge of a set_payload patch into one object: each top-level key of {@code patch} replaces the target's
     * (copied, not merged deeper), and a key whose value is {@code null} is removed from the target instead.
     */
    public static void mergeFields(ObjectNode target, ObjectNode patch) {
        for (var field : patch.properties()) {
            if (field.getValue().isNull()) {
                target.remove(field.getKey());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    /** The value that replaces {@code node} (null when absent) after merging {@code patch} at steps from {@code step}. */
    private JsonNode setAt(JsonNode node, int step, ObjectNode patch) {
        if (step == kinds.length) {
            ObjectNode target = node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
            mergeFields(target, patch);
            return target;
        }
        switch (kinds[step]) {
            case KEY -> {
                ObjectNode object = node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
                object.set(keys[step], setAt(object.get(keys[step]), step + 1, patch));
                return object;
            }
            case INDEX -> {
                ArrayNode array = node instanceof ArrayNode a ? a : JsonNodeFactory.instance.arrayNode();
                if (indexes[step] < array.size()) {
                    array.set(indexes[step], setAt(array.get(indexes[step]), step + 1, patch));
                }
                return array;
            }
            default -> {
                if (!(node instanceof ArrayNode array)) {
                    return JsonNodeFactory.instance.arrayNode();
                }
                for (int i = 0, size = array.size(); i < size; i++) {
                    array.set(i, setAt(array.get(i), step + 1, patch));
                }
                return array;
            }
        }
    }

    /**
     * Qdrant's payload key delete ({@code JsonPath::value_remove}), editing {@code root} in place: a path ending in
     * {@code .key} removes that key from every object reached; ending in {@code []} empties every array reached;
     * ending in {@code [n]} removes nothing (Qdrant does not delete array elements, as that is not idempotent).
     * Steps that reach nothing remove nothing.
     */
    public void removeFrom(ObjectNode root) {
        if (kinds.length == 0) {
            root.remove(firstKey);
            return;
        }
        JsonNode first = root.get(firstKey);
        if (first != null) {
            removeAt(first, 0);
        }
    }

    private void removeAt(JsonNode node, int step) {
        boolean last = step == kinds.length - 1;
        switch (kinds[step]) {
            case KEY -> {
                if (node instanceof ObjectNode object) {
                    if (last) {
                        object.remove(keys[step]);
                    } else if (object.get(keys[step]) instanceof JsonNode child) {
                        removeAt(child, step + 1);
                    }
                }
            }
            case INDEX -> {
                if (!last && node instanceof ArrayNode array && indexes[step] < array.size()) {
                    removeAt(array.get(indexes[step]), step + 1);
                }
            }
            default -> {
                if (node instanceof ArrayNode array) {
                    if (last) {
                        array.removeAll();
                    } else {
                        for (JsonNode element : array) {
                            removeAt(element, step + 1);
                        }
                    }
                }
            }
        }
    }

    /**
     * Qdrant's with_payload include ({@code JsonPath::value_filter} with {@code check_include_pattern}): a copy of
     * {@code payload} keeping each value whose location agrees with some pattern on their common prefix. Locations
     * are written with {@code .key} for object members and {@code []} for array elements, so a pattern step
     * {@code [n]} matches no element, a {@code .key} step meets nothing inside an array (which is kept, empty), and a
     * scalar or {@code null} on the way to a longer pattern is kept whole.
     */
    public static ObjectNode include(ObjectNode payload, List<JsonPath> patterns) {
        return select(payload, patterns, true);
    }

    /**
     * Qdrant's with_payload exclude ({@code JsonPath::value_filter} with {@code check_exclude_pattern}): a copy of
     * {@code payload} without each value whose location starts with some pattern (locations as in
     * {@link #include}): {@code a[].b} drops {@code b} from every element of {@code a}, {@code a[]} leaves
     * {@code a} empty, {@code a[0]} drops nothing.
     */
    public static ObjectNode exclude(ObjectNode payload, List<JsonPath> patterns) {
        return select(payload, patterns, false);
    }

    private static ObjectNode select(ObjectNode payload, List<JsonPath> patterns, boolean include) {
        JsonPath[] p = patterns.toArray(new JsonPath[0]);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : payload.properties()) {
            boolean[] agree = new boolean[p.length];
            for (int i = 0; i < p.length; i++) {
                agree[i] = p[i].firstKey.equals(field.getKey());
            }
            if (kept(p, agree, 0, include)) {
                out.set(field.getKey(), selected(field.getValue(), p, agree, 0, include));
            }
        }
        return out;
    }

    /**
     * Whether a value at a location with {@code depth} steps after the first key is kept, given which patterns agree
     * with that location on their common prefix: include keeps it if any does; exclude drops it if one that agrees is
     * no longer than the location (a prefix of it).
     */
    private static boolean kept(JsonPath[] p, boolean[] agree, int depth, boolean include) {
        for (int i = 0; i < p.length; i++) {
            if (agree[i] && (include || p[i].kinds.length <= depth)) {
                return include;
            }
        }
        return !include;
    }

    /** A copy of the kept {@code value} with its members and elements filtered the same way. */
    private static JsonNode selected(JsonNode value, JsonPath[] p, boolean[] agree, int depth, boolean include) {
        boolean anyAgrees = false;
        boolean usedUp = false;
        for (int i = 0; i < p.length; i++) {
            if (agree[i]) {
                anyAgrees = true;
                usedUp |= p[i].kinds.length <= depth;
            }
        }
        // include: an agreeing pattern that is used up keeps everything below; exclude: no agreeing pattern, no drops
        boolean whole = include ? usedUp : !anyAgrees;
        if (whole || !(value instanceof ObjectNode || value instanceof ArrayNode)) {
            return value.deepCopy();
        }
        if (value instanceof ObjectNode object) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                boolean[] next = step(p, agree, depth, field.getKey());
                if (kept(p, next, depth + 1, include)) {
                    out.set(field.getKey(), selected(field.getValue(), p, next, depth + 1, include));
                }
            }
            return out;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        boolean[] next = step(p, agree, depth, null);
        if (kept(p, next, depth + 1, include)) {
            for (JsonNode element : value) {
                out.add(selected(element, p, next, depth + 1, include));
            }
        }
        return out;
    }

    /** Which patterns still agree one step deeper, the step being member {@code key} or (null) an array element. */
    private static boolean[] step(JsonPath[] p, boolean[] agree, int depth, String key) {
        boolean[] next = new boolean[p.length];
        for (int i = 0; i < p.length; i++) {
            if (!agree[i]) {
                continue;
            }
            JsonPath q = p[i];
            if (q.kinds.length <= depth) {
                next[i] = true;
            } else if (key == null) {
                next[i] = q.kinds[depth] == WILDCARD;
            } else {
                next[i] = q.kinds[depth] == KEY && q.keys[depth].equals(key);
            }
        }
        return next;
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
