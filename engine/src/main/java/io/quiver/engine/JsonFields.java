package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Typed reads of optional fields of a JSON request body: a wrong type is a BadRequest naming the field, a value out
 * of range is collected as a validation problem by the caller. Static, stateless, threadsafe.
 */
final class JsonFields {
    private JsonFields() {}

    static JsonNode field(JsonNode obj, String name) {
        if (obj == null || !obj.isObject()) {
            return null;
        }
        JsonNode v = obj.get(name);
        return v == null || v.isNull() ? null : v;
    }

    static JsonNode object(JsonNode obj, String name) {
        JsonNode v = field(obj, name);
        if (v != null && !v.isObject()) {
            throw new BadRequestException("Format error in JSON body: " + name + ": expected an object, got " + v);
        }
        return v;
    }

    static Long longOr(JsonNode obj, String name, Long dflt) {
        JsonNode v = field(obj, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new BadRequestException("Format error in JSON body: " + name + ": expected an integer, got " + v);
        }
        return v.longValue();
    }

    static Integer intOr(JsonNode obj, String name, Integer dflt) {
        Long v = longOr(obj, name, dflt == null ? null : dflt.longValue());
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new BadRequestException("Format error in JSON body: " + name + ": integer out of range: " + v);
        }
        return v.intValue();
    }

    static Double doubleOr(JsonNode obj, String name, Double dflt) {
        JsonNode v = field(obj, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new BadRequestException("Format error in JSON body: " + name + ": expected a number, got " + v);
        }
        return v.doubleValue();
    }

    static Boolean boolOr(JsonNode obj, String name, Boolean dflt) {
        JsonNode v = field(obj, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new BadRequestException("Format error in JSON body: " + name + ": expected a boolean, got " + v);
        }
        return v.booleanValue();
    }

    static String textOr(JsonNode obj, String name, String dflt) {
        JsonNode v = field(obj, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new BadRequestException("Format error in JSON body: " + name + ": expected a string, got " + v);
        }
        return v.textValue();
    }

    static void atLeast(List<String> problems, String name, Number value, long min) {
        if (value != null && value.longValue() < min) {
            problems.add(name + ": value " + value + " invalid, must be " + min + " or larger");
        }
    }
}
