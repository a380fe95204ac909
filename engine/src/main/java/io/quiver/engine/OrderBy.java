package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.JsonPath;

/**
 * Qdrant's {@code order_by} of a scroll: a payload key, a direction, and an optional bound to start from (a number or
 * an RFC 3339 datetime). Immutable.
 *
 * @param key            the payload key path, e.g. {@code price} or {@code meta.created}
 * @param descending     {@code direction: "desc"}
 * @param startFromOrNull the first value to return (inclusive), as a number; datetimes in epoch microseconds
 */
public record OrderBy(String key, boolean descending, Double startFromOrNull) {

    public OrderBy {
        JsonPath.parse(key); // rejects malformed keys
    }

    /** Parses {@code "key"} or {@code {"key":…, "direction":"asc"|"desc", "start_from":…}}. */
    public static OrderBy parse(JsonNode node) {
        if (node.isTextual()) {
            return new OrderBy(node.textValue(), false, null);
        }
        if (!node.isObject()) {
            throw new BadRequestException("order_by must be a key or {\"key\":…,\"direction\":…,\"start_from\":…}");
        }
        JsonNode key = node.get("key");
        if (key == null || !key.isTextual()) {
            throw new BadRequestException("order_by.key must be a string");
        }
        JsonNode direction = node.get("direction");
        boolean descending = false;
        if (direction != null && !direction.isNull()) {
            descending = switch (direction.asText()) {
                case "asc" -> false;
                case "desc" -> true;
                default -> throw new BadRequestException("order_by.direction: unknown variant `" + direction.asText()
                        + "`, expected `asc` or `desc`");
            };
        }
        JsonNode start = node.get("start_from");
        Double startFrom = null;
        if (start != null && !start.isNull()) {
            startFrom = orderValue(start);
            if (startFrom == null) {
                throw new BadRequestException("order_by.start_from must be a number or an RFC 3339 datetime, got " + start);
            }
        }
        return new OrderBy(key.textValue(), descending, startFrom);
    }

    /** The sort value of one payload value: a number as is, an RFC 3339 datetime in epoch microseconds, else null. */
    static Double orderValue(JsonNode value) {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            long micros = DateTimeParser.parseMicros(value.textValue());
            return micros == DateTimeParser.INVALID ? null : (double) micros;
        }
        return null;
    }
}
