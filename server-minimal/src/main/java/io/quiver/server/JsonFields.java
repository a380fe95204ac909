package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;

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

    /**
     * The Rust unsigned types of Qdrant's integer request fields, named as serde names them in its messages, with
     * their largest value.
     */
    enum Unsigned {
        /** {@code usize}: limits, offsets, {@code hnsw_ef}, {@code k}… (a 64-bit server). */
        USIZE("usize", U64_MAX),
        /** {@code u32}: {@code group_size} and {@code limit} of search/recommend groups (BaseGroupRequest). */
        U32("u32", BigInteger.valueOf(0xFFFF_FFFFL));

        final String rustName;
        final BigInteger max;

        Unsigned(String rustName, BigInteger max) {
            this.rustName = rustName;
            this.max = max;
        }
    }

    /** 2^64 − 1, the largest JSON integer serde reads as an integer rather than a float. */
    static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** An optional {@code usize} field; {@code min} is enforced as a validation (422) rule. */
    static Integer optInt(JsonNode node, String field, Integer absent, int min) {
        return optUnsigned(node, field, field, absent, min, Unsigned.USIZE);
    }

    /** {@link #optInt(JsonNode, String, Integer, int)} naming the field {@code path} in messages ({@code a[0].b}). */
    static Integer optInt(JsonNode node, String field, String path, Integer absent, int min) {
        return optUnsigned(node, field, path, absent, min, Unsigned.USIZE);
    }

    /**
     * An optional unsigned integer field of Rust type {@code type}, as serde_json reads it: any integer from 0 to the
     * type's maximum is taken, and one above {@link Integer#MAX_VALUE} is clamped to it (a limit or offset that large
     * means "all of them" or "none" either way); a negative integer is serde's "invalid value", an integer above the
     * type's maximum too, unless it is beyond u64, which serde_json reads as a float: "invalid type: floating point".
     * {@code min} is then enforced as a validation (422) rule.
     */
    static Integer optUnsigned(JsonNode node, String field, String path, Integer absent, int min, Unsigned type) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber()) {
            throw typeError(path, v, type.rustName);
        }
        BigInteger b = v.bigIntegerValue();
        if (b.compareTo(U64_MAX) > 0) {
            double d = b.doubleValue();
            if (Double.isInfinite(d)) {
                throw ApiException.badRequest("Format error in JSON body: " + path + ": number out of range");
            }
            throw ApiException.badRequest("Format error in JSON body: " + path + ": invalid type: floating point `"
                    + rustFloat(d) + "`, expected " + type.rustName);
        }
        if (b.signum() < 0 || b.compareTo(type.max) > 0) {
            throw ApiException.badRequest("Format error in JSON body: " + path + ": invalid value: integer `" + b
                    + "`, expected " + type.rustName);
        }
        int value = b.bitLength() > 31 ? Integer.MAX_VALUE : b.intValue();
        if (value < min) {
            throw ApiException.validation(path, "value " + value + " invalid, must be " + min + " or larger");
        }
        return value;
    }

    /** A float as Rust's {@code Display} shows it in serde's messages: all digits, no exponent, at least one decimal. */
    static String rustFloat(double d) {
        if (!Double.isFinite(d)) {
            return Double.isNaN(d) ? "NaN" : d > 0 ? "inf" : "-inf";
        }
        String plain = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros().toPlainString();
        String sign = (Double.doubleToRawLongBits(d) < 0) ? "-" : "";
        return sign + plain + (plain.indexOf('.') < 0 ? ".0" : "");
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
            return "floating point `" + rustFloat(v.doubleValue()) + "`";
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
