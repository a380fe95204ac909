package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point id parsing: the four UUID spellings Qdrant's uuid crate accepts, and nothing that merely looks close. */
class PointIdTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANONICAL = "550e8400-e29b-41d4-a716-446655440000";

    @ParameterizedTest
    @ValueSource(strings = {
            "550e8400-e29b-41d4-a716-446655440000",
            "550E8400-E29B-41D4-A716-446655440000",
            "550e8400e29b41d4a716446655440000",
            "550E8400E29B41D4A716446655440000",
            "{550e8400-e29b-41d4-a716-446655440000}",
            "urn:uuid:550e8400-e29b-41D4-a716-446655440000"})
    void theFourUuidFormsNormaliseToLowerCaseHyphenated(String text) {
        PointId id = PointId.parseText(text);
        assertEquals(CANONICAL, id.toString());
        assertEquals(new PointId.Uuid(UUID.fromString(CANONICAL)), id);
        assertEquals(id, PointId.parse(JSON.getNodeFactory().textNode(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "550e8400e-29b-41d4-a716-446655440000",   // 9-digit first group: UUID.fromString shifts it
            "+50e8400-e29b-41d4-a716-446655440000",   // sign
            "550e840-0e29b-41d4-a716-446655440000",   // hyphen one place early
            " 550e8400-e29b-41d4-a716-446655440000",  // leading space
            "550e8400-e29b-41d4-a716-446655440000 ",  // trailing space
            "550e8400-e29b-41d4-a716-44665544000",    // short
            "550e8400-e29b-41d4-a716-4466554400000",  // long
            "550e8400-e29b-41d4-a716_446655440000",   // wrong separator
            "550e8400-e29b-41d4-a716-44665544000g",   // not hex
            "550e8400-e29b-41d4-a716-４46655440000",  // non-ASCII digit
            "550e8400e29b41d4a71644665544000",        // 31 simple digits
            "550e8400-e29b41d4-a716-4466554400000",   // 36 chars, hyphen missing
            "{550e8400e29b41d4a716446655440000}",     // braced simple form
            "(550e8400-e29b-41d4-a716-446655440000)", // other brackets
            "URN:UUID:550e8400-e29b-41d4-a716-446655440000",
            "urn:uuid:550e8400e29b41d4a716446655440000",
            "",
            "5",
            "-1"})
    void malformedUuidsAreRejectedNotReinterpreted(String text) {
        BadRequestException e = assertThrows(BadRequestException.class, () -> PointId.parseText(text), text);
        assertEquals("Wrong input: Unable to parse UUID: " + text, e.getMessage());
        assertThrows(BadRequestException.class, () -> PointId.parse(JSON.getNodeFactory().textNode(text)), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "9223372036854775807", "9223372036854775808", "18446744073709551615"})
    void unsignedIntegersUpTo2Pow64Minus1(String number) throws Exception {
        PointId id = PointId.parse(JSON.readTree(number));
        assertTrue(id instanceof PointId.Num, id.toString());
        assertEquals(number, id.toString());
        assertEquals(number, id.toJson().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-9223372036854775808", "18446744073709551616", "1.5", "1.0", "1e3", "true",
            "[1]", "{}", "null"})
    void otherJsonIsRejected(String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        assertThrows(BadRequestException.class, () -> PointId.parse(node), json);
    }
}
