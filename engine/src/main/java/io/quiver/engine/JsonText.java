package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Checks that JSON text can be stored as UTF-8 and read back: every UTF-16 surrogate in a field name or a string
 * value is paired. Jackson accepts a lone surrogate escape (U+D800 to U+DFFF) and then writes bytes its own parser
 * refuses, so a stored payload or config holding one could not be read again; serde_json (Qdrant) refuses such
 * input. Stateless; threadsafe.
 */
public final class JsonText {
    private JsonText() {
    }

    /** Whether every surrogate in {@code s} is half of a pair. */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every field name and string below {@code node} (null: none) is well formed. */
    public static boolean isWellFormed(JsonNode node) {
        if (node == null) {
            return true;
        }
        if (node.isTextual()) {
            return isWellFormed(node.textValue());
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!isWellFormed(e.getKey()) || !isWellFormed(e.getValue())) {
                    return false;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if ((element.isContainerNode() || element.isTextual()) && !isWellFormed(element)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A BadRequest naming {@code what} unless every field name and string below {@code node} is well formed. */
    public static void requireWellFormed(JsonNode node, String what) {
        if (!isWellFormed(node)) {
            throw unpaired(what);
        }
    }

    /** A BadRequest naming {@code what} unless {@code s} is well formed. */
    public static void requireWellFormed(String s, String what) {
        if (!isWellFormed(s)) {
            throw unpaired(what);
        }
    }

    private static BadRequestException unpaired(String what) {
        return new BadRequestException(what + " holds an unpaired UTF-16 surrogate (a lone \\ud800-\\udfff escape)");
    }
}
