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

    /**
     * Parses a UUID string exactly as Rust's {@code uuid} crate does for Qdrant: hyphenated {@code 8-4-4-4-12}, simple
     * (32 digits), braced {@code {8-4-4-4-12}} or {@code urn:uuid:8-4-4-4-12}, with ASCII hex digits in either case.
     * Nothing else: no surrounding whitespace, no signs, no other group lengths ({@link UUID#fromString} accepts
     * those and silently yields a different id). BadRequest otherwise.
     */
    static PointId parseText(String text) {
        UUID uuid = text == null ? null : strictUuid(text);
        if (uuid == null) {
            throw new BadRequestException("Unable to parse UUID: " + text);
        }
        return new Uuid(uuid);
    }

    private static UUID strictUuid(String s) {
        return switch (s.length()) {
            case 32 -> hexUuid(s, 0, false);
            case 36 -> hexUuid(s, 0, true);
            case 38 -> s.charAt(0) == '{' && s.charAt(37) == '}' ? hexUuid(s, 1, true) : null;
            case 45 -> s.startsWith("urn:uuid:") ? hexUuid(s, 9, true) : null;
            default -> null;
        };
    }

    /** The 128 bits of the 32 hex digits starting at {@code from} (hyphens at 8, 13, 18 and 23 when asked); or null. */
    private static UUID hexUuid(String s, int from, boolean hyphenated) {
        long hi = 0;
        long lo = 0;
        int digits = 0;
        int end = from + (hyphenated ? 36 : 32);
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            int at = i - from;
            if (hyphenated && (at == 8 || at == 13 || at == 18 || at == 23)) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                return null;
            }
            if (digits < 16) {
                hi = hi << 4 | d;
            } else {
                lo = lo << 4 | d;
            }
            digits++;
        }
        return new UUID(hi, lo);
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
