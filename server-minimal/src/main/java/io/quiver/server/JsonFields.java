package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict readers of request-body fields, in the manner of Qdrant's serde models: a wrong JSON type is a 400
 * "Format error in JSON body", a well-typed value out of range a 422 "Validation error". Static only: one place for
 * the messages that every route shares.
 */
final class JsonFields {
    private JsonFields() {
    }

    static boolean present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** An optional non-negative integer field; {@code min} is enforced as a validation (422) rule. */
    static Integer optInt(JsonNode node, String field, Integer absent, int min) {
        return optInt(node, field, field, absent, min);
    }

    /** {@link #optInt(JsonNode, String, Integer, int)} naming the field {@code path} in messages ({@code a[0].b}). */
    static Integer optInt(JsonNode node, String field, String path, Integer absent, int min) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            if (v.isIntegralNumber() && v.asLong() > Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
            throw typeError(path, v, "an unsigned integer");
        }
        int value = v.intValue();
        if (value < 0) {
            throw typeError(path, v, "an unsigned integer");
        }
        if (value < min) {
            throw ApiException.validation(path, "value " + value + " invalid, must be " + min + " or larger");
        }
        return value;
    }

    static Boolean optBool(JsonNode node, String field, Boolean absent) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw typeError(field, v, "a boolean");
        }
        return v.booleanValue();
    }

    static Float optFloat(JsonNode node, String field) {
        return optFloat(node, field, field);
    }

    /** {@link #optFloat(JsonNode, String)} naming the field {@code path} in messages. */
    static Float optFloat(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw typeError(path, v, "a number");
        }
        float f = v.floatValue();
        if (!Float.isFinite(f)) {
            throw ApiException.badRequest("Format error in JSON body: " + path + ": value out of float range");
        }
        return f;
    }

    static String optText(JsonNode node, String field) {
        return optText(node, field, field);
    }

    /** {@link #optText(JsonNode, String)} naming the field {@code path} in messages. */
    static String optText(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw typeError(path, v, "a string");
        }
        return v.textValue();
    }

    static JsonNode optObject(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw typeError(field, v, "an object");
        }
        return v;
    }

    static JsonNode requireArray(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: missing field `" + field + "`");
        }
        if (!v.isArray()) {
            throw typeError(field, v, "a sequence");
        }
        return v;
    }

    static ApiException typeError(String field, JsonNode value, String expected) {
        return ApiException.badRequest("Format error in JSON body: " + field + ": invalid type: "
                + describe(value) + ", expected " + expected);
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "string \"" + v.textValue() + "\"";
        }
        if (v.isIntegralNumber()) {
            return "integer `" + v.asText() + "`";
        }
        if (v.isNumber()) {
            return "floating point `" + v.asText() + "`";
        }
        if (v.isBoolean()) {
            return "boolean `" + v.asText() + "`";
        }
        if (v.isArray()) {
            return "sequence";
        }
        if (v.isObject()) {
            return "map";
        }
        return "null";
    }
}
