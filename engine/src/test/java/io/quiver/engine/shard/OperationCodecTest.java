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

/** Every operation survives encode → decode unchanged (random ids, vectors, payloads). */
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
            for (int i = 0; i < rnd.nextInt(5); i++) {
                PointId id = rnd.nextBoolean() ? PointId.of(rnd.nextLong())
                        : PointId.of(new UUID(rnd.nextLong(), rnd.nextLong()));
                ids.add(id);
                float[] v = new float[1 + rnd.nextInt(20)];
                for (int d = 0; d < v.length; d++) {
                    v[d] = rnd.nextFloat() - 0.5f;
                }
                points.add(new Operation.PointData(id, v, rnd.nextBoolean() ? null
                        : ("{\"k\":" + rnd.nextInt() + "}").getBytes(StandardCharsets.UTF_8)));
            }
            byte[] json = "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8);
            for (Operation op : List.of(new Operation.Upsert(points), new Operation.Delete(ids),
                    new Operation.SetPayload(ids, json, rnd.nextBoolean() ? null : "a.b"),
                    new Operation.OverwritePayload(ids, json),
                    new Operation.DeletePayloadKeys(ids, List.of("x", "y.z")),
                    new Operation.ClearPayload(ids))) {
                Operation back = OperationCodec.decode(OperationCodec.type(op), OperationCodec.encode(op));
                assertEquals(describe(op), describe(back));
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
        }
        return sb.toString();
    }

    @Test
    void vectorsAreExact() {
        float[] v = {Float.MIN_VALUE, -0f, 1e30f, 3.25f};
        Operation.Upsert op = new Operation.Upsert(List.of(new Operation.PointData(PointId.of(-1L), v, null)));
        Operation.Upsert back = (Operation.Upsert) OperationCodec.decode(OperationCodec.type(op),
                OperationCodec.encode(op));
        assertArrayEquals(v, back.points().get(0).vector());
        assertEquals("18446744073709551615", back.points().get(0).id().toString());
    }
}
