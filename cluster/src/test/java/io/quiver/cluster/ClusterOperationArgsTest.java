package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.BadRequestException;
import org.junit.jupiter.api.Test;

/**
 * The numbers of {@code POST /collections/{c}/cluster}: shard ids are Qdrant's u32 and peer ids its u64 (kept in a
 * Java long); a value out of range or not an integer is a 400 naming it, never truncated or wrapped into another id.
 */
class ClusterOperationArgsTest {

    private static JsonNode args(String value) throws Exception {
        return TestCluster.MAPPER.readTree("{\"v\":" + value + "}");
    }

    private static String shardError(String value) {
        return assertThrows(BadRequestException.class, () -> ClusterCollectionCatalog.requiredInt(args(value), "v"),
                value).getMessage();
    }

    private static String peerError(String value) {
        return assertThrows(BadRequestException.class, () -> ClusterCollectionCatalog.requiredLong(args(value), "v"),
                value).getMessage();
    }

    @Test
    void shardIdsAreU32() throws Exception {
        assertEquals(0, ClusterCollectionCatalog.requiredInt(args("0"), "v"));
        assertEquals(7, ClusterCollectionCatalog.requiredInt(args("7"), "v"));
        assertTrue(shardError("1.5").contains("invalid type: floating point `1.5`, expected u32"), shardError("1.5"));
        assertTrue(shardError("1e20").contains("invalid type: floating point"), shardError("1e20"));
        assertTrue(shardError("4294967296").contains("invalid value: integer `4294967296`, expected u32"),
                shardError("4294967296"));
        assertTrue(shardError("-1").contains("invalid value: integer `-1`"), shardError("-1"));
        assertTrue(shardError("\"3\"").contains("invalid type"), shardError("\"3\""));
        assertTrue(shardError("null").contains("missing field `v`"), shardError("null"));
        assertTrue(shardError("4294967295").contains("Shard 4294967295 does not exist"), shardError("4294967295"));
    }

    @Test
    void peerIdsFitALong() throws Exception {
        assertEquals(Long.MAX_VALUE, ClusterCollectionCatalog.requiredLong(args(Long.toString(Long.MAX_VALUE)), "v"));
        assertEquals(42, ClusterCollectionCatalog.requiredLong(args("42"), "v"));
        for (String bad : new String[] {"18446744073709551615", "99999999999999999999999", "9223372036854775808", "-1"}) {
            assertTrue(peerError(bad).contains("invalid value: integer `" + bad + "`"), peerError(bad));
        }
        assertTrue(peerError("1.0").contains("invalid type: floating point"), peerError("1.0"));
        assertTrue(peerError("1e30").contains("invalid type: floating point"), peerError("1e30"));
    }
}
