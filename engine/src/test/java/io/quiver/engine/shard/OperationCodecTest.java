package io.quiver.engine.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.engine.PointId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every operation survives encode → decode unchanged (random ids, vectors, payloads, points without a vector,
 * vector updates and deletes) with its operation id; a record of the first format (no operation id) still decodes,
 * its id being its LSN.
 */
class OperationCodecTest {
    @Test
    void roundTripsEveryOperation() {
        String fixed = System.getProperty("quiver.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("OperationCodecTest: seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<PointId> ids = new ArrayList<>();
            List<Operation.PointData> points = new ArrayList<>();
            List<Operation.PointVector> vectors = new ArrayList<>();
            for (int i = 0; i < rnd.nextInt(5); i++) {
                PointId id = rnd.nextBoolean() ? PointId.of(rnd.nextLong())
                        : PointId.of(new UUID(rnd.nextLong(), rnd.nextLong()));
                ids.add(id);
                float[] v = new float[1 + rnd.nextInt(20)];
                for (int d = 0; d < v.length; d++) {
                    v[d] = rnd.nextFloat() - 0.5f;
                }
                points.add(new Operation.PointData(id, rnd.nextInt(4) == 0 ? null : v, rnd.nextBoolean() ? null
                        : ("{\"k\":" + rnd.nextInt() + "}").getBytes(StandardCharsets.UTF_8)));
                vectors.add(new Operation.PointVector(id, v));
            }
            byte[] json = "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8);
            for (Operation op : List.of(new Operation.Upsert(points), new Operation.Delete(ids),
                    new Operation.SetPayload(ids, json, rnd.nextBoolean() ? null : "a.b"),
                    new Operation.OverwritePayload(ids, json),
                    new Operation.DeletePayloadKeys(ids, List.of("x", "y.z")),
                    new Operation.ClearPayload(ids),
                    new Operation.PayloadIndex("a.b[]", rnd.nextBoolean() ? null : json),
                    new Operation.UpdateVectors(vectors), new Operation.DeleteVectors(ids))) {
                long opId = rnd.nextLong() & Long.MAX_VALUE;
                byte[] encoded = OperationCodec.encode(op, opId);
                Operation back = OperationCodec.decode(OperationCodec.type(op), encoded);
                assertEquals(describe(op), describe(back));
                assertEquals(opId, OperationCodec.operationId(encoded, 7));
                OperationCodec.setOperationId(encoded, opId + 1);
                assertEquals(opId + 1, OperationCodec.operationId(encoded, 7));
                assertEquals(describe(op), describe(OperationCodec.decode(OperationCodec.type(op), encoded)));
            }
        }
    }

    private static String describe(Operation op) {
        StringBuilder sb = new StringBuilder(op.getClass().getSimpleName());
        switch (op) {
            case Operation.Upsert u -> u.points().forEach(p -> sb.append(p.id()).append(java.util.Arrays.toString(
                    p.vector())).append(p.payloadJsonOrNull() == null ? "null"
                            : new String(p.payloadJsonOrNull(), StandardCharsets.UTF_8)));
            case Operation.SetPayload s -> sb.append(s.ids()).append(new String(s.payloadJson(),
                    StandardCharsets.UTF_8)).append(s.keyOrNull());
            case Operation.OverwritePayload o -> sb.append(o.ids()).append(new String(o.payloadJson(),
                    StandardCharsets.UTF_8));
            case Operation.DeletePayloadKeys k -> sb.append(k.ids()).append(k.keys());
            case Operation.Delete d -> sb.append(d.ids());
            case Operation.ClearPayload c -> sb.append(c.ids());
            case Operation.PayloadIndex p -> sb.append(p.field()).append(p.fieldSchemaJsonOrNull() == null ? "null"
                    : new String(p.fieldSchemaJsonOrNull(), StandardCharsets.UTF_8));
            case Operation.UpdateVectors u -> u.points().forEach(p -> sb.append(p.id())
                    .append(java.util.Arrays.toString(p.vector())));
            case Operation.DeleteVectors d -> sb.append(d.ids());
        }
        return sb.toString();
    }

    @Test
    void vectorsAreExact() {
        float[] v = {Float.MIN_VALUE, -0f, 1e30f, 3.25f};
        Operation.Upsert op = new Operation.Upsert(List.of(new Operation.PointData(PointId.of(-1L), v, null)));
        Operation.Upsert back = (Operation.Upsert) OperationCodec.decode(OperationCodec.type(op),
                OperationCodec.encode(op, 1));
        assertArrayEquals(v, back.points().get(0).vector());
        assertEquals("18446744073709551615", back.points().get(0).id().toString());
    }

    @Test
    void firstFormatRecordsTakeTheirLsnAsOperationId() {
        Operation.Delete op = new Operation.Delete(List.of(PointId.of(5), PointId.of(new UUID(1, 2))));
        byte[] current = OperationCodec.encode(op, 99);
        byte[] first = new byte[current.length - Long.BYTES]; // version byte 1, then the fields: no operation id
        first[0] = OperationCodec.FORMAT_VERSION_LSN_IDS;
        System.arraycopy(current, 1 + Long.BYTES, first, 1, first.length - 1);
        assertEquals(42, OperationCodec.operationId(first, 42));
        assertEquals(describe(op), describe(OperationCodec.decode(OperationCodec.type(op), first)));
    }
}
