package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.UUID;

/**
 * A point's id: an unsigned 64-bit integer or a UUID, as in Qdrant. Immutable values. Integers order before UUIDs;
 * integers compare unsigned, UUIDs compare as unsigned 128-bit numbers (the order of their canonical text).
 */
public sealed interface PointId extends Comparable<PointId> {

    /** An unsigned 64-bit id; {@code unsigned} holds the bits (values above Long.MAX_VALUE are negative longs). */
    record Num(long unsigned) implements PointId {
        @Override
        public JsonNode toJson() {
            return unsigned >= 0 ? JsonNodeFactory.instance.numberNode(unsigned)
                    : JsonNodeFactory.instance.numberNode(new BigInteger(Long.toUnsignedString(unsigned)));
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(unsigned);
        }
    }

    /** A UUID id, written in canonical lower-case hyphenated form. */
    record Uuid(UUID uuid) implements PointId {
        public Uuid {
            if (uuid == null) {
                throw new BadRequestException("point id uuid must not be null");
            }
        }

        @Override
        public JsonNode toJson() {
            return TextNode.valueOf(uuid.toString());
        }

        @Override
        public String toString() {
            return uuid.toString();
        }
    }

    static PointId of(long unsigned) {
        return new Num(unsigned);
    }

    static PointId of(UUID uuid) {
        return new Uuid(uuid);
    }

    /** Parses a JSON id: a non-negative integer below 2^64 or a UUID string; anything else is a BadRequest. */
    static PointId parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new BadRequestException("point id is missing");
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                long v = node.longValue();
                if (v < 0) {
                    throw new BadRequestException("point id must be an unsigned integer or a UUID, got " + v);
                }
                return new Num(v);
            }
            BigInteger big = node.bigIntegerValue();
            if (big.signum() < 0 || big.bitLength() > 64) {
                throw new BadRequestException("point id must be an unsigned 64-bit integer or a UUID, got " + big);
            }
            return new Num(big.longValue());
        }
        if (node.isTextual()) {
            return parseText(node.textValue());
        }
        throw new BadRequestException("point id must be an unsigned integer or a UUID string, got " + node);
    }

    /** Parses a UUID string (any case, hyphenated or 32 hex digits); BadRequest otherwise. */
    static PointId parseText(String text) {
        String s = text.trim();
        try {
            if (s.length() == 32 && s.indexOf('-') < 0) {
                s = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
                        + s.substring(16, 20) + "-" + s.substring(20);
            }
            if (s.length() != 36) {
                throw new IllegalArgumentException(s);
            }
            return new Uuid(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("Unable to parse UUID: " + text);
        }
    }

    JsonNode toJson();

    @Override
    default int compareTo(PointId other) {
        if (this instanceof Num a) {
            if (other instanceof Num b) {
                return Long.compareUnsigned(a.unsigned(), b.unsigned());
            }
            return -1;
        }
        Uuid a = (Uuid) this;
        if (other instanceof Uuid b) {
            int c = Long.compareUnsigned(a.uuid().getMostSignificantBits(), b.uuid().getMostSignificantBits());
            return c != 0 ? c : Long.compareUnsigned(a.uuid().getLeastSignificantBits(),
                    b.uuid().getLeastSignificantBits());
        }
        return 1;
    }
}
