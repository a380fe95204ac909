package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Which part of a payload a read returns: all, none, only some keys, or all but some keys. Immutable.
 * Keys are top-level names or dotted paths ("a.b"), as in Qdrant's with_payload.
 */
public record WithPayload(boolean enabled, List<String> include, List<String> exclude) {
    public static final WithPayload ALL = new WithPayload(true, null, null);
    public static final WithPayload NONE = new WithPayload(false, null, null);

    public WithPayload {
        include = include == null ? null : List.copyOf(include);
        exclude = exclude == null ? null : List.copyOf(exclude);
    }

    public static WithPayload include(List<String> keys) {
        return new WithPayload(true, keys, null);
    }

    public static WithPayload exclude(List<String> keys) {
        return new WithPayload(true, null, keys);
    }

    /** Parses Qdrant's with_payload: true/false, ["k"...], {"include":[..]} or {"exclude":[..]}; null → NONE. */
    public static WithPayload parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NONE;
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? ALL : NONE;
        }
        if (node.isArray()) {
            return include(strings(node));
        }
        if (node.isObject()) {
            if (node.has("include")) {
                return include(strings(node.get("include")));
            }
            if (node.has("exclude")) {
                return exclude(strings(node.get("exclude")));
            }
        }
        throw new BadRequestException("with_payload must be a boolean, a list of keys, {\"include\":[..]} or "
                + "{\"exclude\":[..]}, got " + node);
    }

    private static List<String> strings(JsonNode node) {
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw new BadRequestException("expected a list of payload keys, got " + node);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new BadRequestException("payload keys must be strings, got " + n);
            }
            out.add(n.textValue());
        }
        return out;
    }

    /** Applies this selection to a full payload (not modified); null when disabled. */
    public ObjectNode select(ObjectNode payload) {
        if (!enabled) {
            return null;
        }
        if (include == null && exclude == null) {
            return payload;
        }
        if (include != null) {
            ObjectNode out = payload.objectNode();
            for (String key : include) {
                copyPath(payload, out, key.split("\\."), 0);
            }
            return out;
        }
        ObjectNode out = payload.deepCopy();
        for (String key : exclude) {
            removePath(out, key.split("\\."), 0);
        }
        return out;
    }

    private static void copyPath(ObjectNode from, ObjectNode to, String[] path, int i) {
        JsonNode v = from.get(path[i]);
        if (v == null) {
            return;
        }
        if (i == path.length - 1) {
            to.set(path[i], v.deepCopy());
        } else if (v.isObject()) {
            JsonNode existing = to.get(path[i]);
            ObjectNode child = existing instanceof ObjectNode o ? o : to.putObject(path[i]);
            copyPath((ObjectNode) v, child, path, i + 1);
        }
    }

    private static void removePath(ObjectNode node, String[] path, int i) {
        if (i == path.length - 1) {
            node.remove(path[i]);
        } else if (node.get(path[i]) instanceof ObjectNode child) {
            removePath(child, path, i + 1);
        }
    }
}
