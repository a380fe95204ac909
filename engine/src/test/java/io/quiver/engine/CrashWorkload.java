package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.hnsw.Distance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * The deterministic write sequence of the crash test: batch {@code b} is a function of (seed, b) only, so the parent
 * can replay the child's writes on a model. Stateless; threadsafe.
 */
final class CrashWorkload {
    static final int DIM = 16;
    static final int ID_SPACE = 400;
    static final String COLLECTION = "crash";

    /** One expected point: vector and the batch that wrote it (its payload is {"b": batch, "id": id}). */
    record Expected(float[] vector, int batch) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Expected e && e.batch == batch && Arrays.equals(e.vector, vector);
        }

        @Override
        public int hashCode() {
            return Objects.hash(batch, Arrays.hashCode(vector));
        }
    }

    private CrashWorkload() {}

    static CollectionConfig config() {
        return CollectionConfig.of(DIM, Distance.EUCLID);
    }

    static boolean isDelete(int batch) {
        return batch % 7 == 6;
    }

    static List<Point> upserts(long seed, int batch) {
        Random rnd = new Random(seed * 1_000_003L + batch);
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int id = rnd.nextInt(ID_SPACE);
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = rnd.nextFloat();
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode().put("b", batch).put("id", id);
            out.add(new Point(PointId.of(id), v, payload));
        }
        return out;
    }

    static List<PointId> deletes(long seed, int batch) {
        Random rnd = new Random(seed * 1_000_003L + batch);
        List<PointId> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(PointId.of(rnd.nextInt(ID_SPACE)));
        }
        return out;
    }

    /** Applies batch {@code b} to the collection with wait=true. */
    static void write(Collection c, long seed, int batch) {
        if (isDelete(batch)) {
            c.delete(PointsSelector.ids(deletes(seed, batch)), true);
        } else {
            c.upsert(upserts(seed, batch), true);
        }
    }

    /** Applies batch {@code b} to the model. */
    static void apply(Map<PointId, Expected> model, long seed, int batch) {
        if (isDelete(batch)) {
            deletes(seed, batch).forEach(model::remove);
        } else {
            for (Point p : upserts(seed, batch)) {
                model.put(p.id(), new Expected(p.vector(), batch));
            }
        }
    }

    /** The collection's content in model form (fails on a payload that does not match its batch). */
    static Map<PointId, Expected> read(Collection c) {
        Map<PointId, Expected> out = new TreeMap<>();
        PointId offset = null;
        do {
            ScrollResult page = c.scroll(new ScrollRequest(offset, 128, null, WithPayload.ALL, true));
            for (Record r : page.points()) {
                int batch = r.payloadOrNull().path("b").asInt(-1);
                if (r.payloadOrNull().path("id").asLong(-1) != ((PointId.Num) r.id()).unsigned()) {
                    throw new AssertionError("payload of " + r.id() + " belongs to another point: "
                            + r.payloadOrNull());
                }
                out.put(r.id(), new Expected(r.vectorOrNull(), batch));
            }
            offset = page.nextPageOffsetOrNull();
        } while (offset != null);
        return out;
    }
}
