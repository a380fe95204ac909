package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which part of a payload a read returns, as Qdrant's with_payload: all, none, only what some key paths reach, or all
 * but that. Paths use {@link JsonPath}'s syntax ({@code a.b}, {@code a[].b}, {@code a[]}) and are parsed, so checked,
 * when the value is made. Immutable and threadsafe.
 */
public final class WithPayload {
    public static final WithPayload ALL = new WithPayload(true, null, null);
    public static final WithPayload NONE = new WithPayload(false, null, null);

    private final boolean enabled;
    private final List<String> include;
    private final List<String> exclude;
    private final List<JsonPath> includePaths;
    private final List<JsonPath> excludePaths;

    /**
     * {@code include} or {@code exclude} (at most one non-null) lists key paths; both null means the whole payload.
     * BadRequest for a path that does not parse or for both lists at once.
     */
    public WithPayload(boolean enabled, List<String> include, List<String> exclude) {
        if (include != null && exclude != null) {
            throw new BadRequestException("with_payload takes include or exclude, not both");
        }
        this.enabled = enabled;
        this.include = include == null ? null : List.copyOf(include);
        this.exclude = exclude == null ? null : List.copyOf(exclude);
        this.includePaths = paths(this.include);
        this.excludePaths = paths(this.exclude);
    }

    public static WithPayload include(List<String> keys) {
        return new WithPayload(true, keys, null);
    }

    public static WithPayload exclude(List<String> keys) {
        return new WithPayload(true, null, keys);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The include key paths as given, or null. */
    public List<String> include() {
        return include;
    }

    /** The exclude key paths as given, or null. */
    public List<String> exclude() {
        return exclude;
    }

    /**
     * Parses Qdrant's {@code WithPayloadInterface}: {@code true}/{@code false}, a list of key paths, or an object with
     * exactly one field, {@code include} or {@code exclude}, holding a list of key paths; null means NONE. Anything
     * else, including a single string where a list belongs and a path that does not parse, is a BadRequest.
     */
    public static WithPayload parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NONE;
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? ALL : NONE;
        }
        if (node.isArray()) {
            return include(keys(node, "with_payload"));
        }
        if (node.isObject() && node.size() == 1) {
            Map.Entry<String, JsonNode> only = node.properties().iterator().next();
            if (only.getKey().equals("include") && only.getValue().isArray()) {
                return include(keys(only.getValue(), "with_payload.include"));
            }
            if (only.getKey().equals("exclude") && only.getValue().isArray()) {
                return exclude(keys(only.getValue(), "with_payload.exclude"));
            }
        }
        throw new BadRequestException("with_payload must be a boolean, a list of keys, {\"include\":[..]} or "
                + "{\"exclude\":[..]}, got " + node);
    }

    private static List<String> keys(JsonNode array, String where) {
        List<String> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                throw new BadRequestException(where + ": payload keys must be strings, got " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }

    private static List<JsonPath> paths(List<String> keys) {
        if (keys == null) {
            return null;
        }
        List<JsonPath> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            out.add(JsonPath.parse(key));
        }
        return List.copyOf(out);
    }

    /** Applies this selection to a full payload (not modified; the result may be it); null when disabled. */
    public ObjectNode select(ObjectNode payload) {
        if (!enabled) {
            return null;
        }
        if (includePaths != null) {
            return JsonPath.include(payload, includePaths);
        }
        if (excludePaths != null) {
            return JsonPath.exclude(payload, excludePaths);
        }
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WithPayload w && w.enabled == enabled && Objects.equals(w.include, include)
                && Objects.equals(w.exclude, exclude);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, include, exclude);
    }

    @Override
    public String toString() {
        return "WithPayload[enabled=" + enabled + ", include=" + include + ", exclude=" + exclude + "]";
    }
}
