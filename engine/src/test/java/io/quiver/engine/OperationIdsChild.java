package io.quiver.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.filter.FilterParser;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The child JVM of {@link OperationIdsCrashTest}: opens the storage (checkpoints every 30 ms, so the WAL is truncated
 * all the time), creates a 3-shard collection if missing, prints READY, then runs random operations with wait=false
 * (upserts, deletes of missing ids, deletes by filter, payload index operations, payload edits of missing ids that
 * fail) and appends each acknowledged operation id to {@code <storage>/op-acks.log} until it is killed.
 * Args: storageDir seed. Single-threaded (its main thread writes; the engine's own threads do the rest).
 */
public final class OperationIdsChild {
    static final String COLLECTION = "ids";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OperationIdsChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random rnd = new Random(Long.parseLong(args[1]));
        Quiver q = Quiver.open(dir, EngineOptions.defaults().withFlushInterval(Duration.ofMillis(30)));
        Collection c = q.findCollection(COLLECTION).orElseGet(() -> q.createCollection(COLLECTION,
                CollectionConfig.of(4, io.quiver.hnsw.Distance.EUCLID).withShardNumber(3)));
        try (FileOutputStream acks = new FileOutputStream(dir.resolve("op-acks.log").toFile(), true)) {
            System.out.println("READY");
            System.out.flush();
            while (true) {
                long id;
                int n = rnd.nextInt(100);
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> id = c.upsert(List.of(new Point(PointId.of(n), new float[] {n, 1, 2, 3},
                            JSON.createObjectNode().put("n", n))), false).operationId();
                    case 2 -> id = c.delete(PointsSelector.ids(PointId.of(10_000 + n)), false).operationId();
                    case 3 -> id = c.delete(PointsSelector.filter(FilterParser.parse(JSON.readTree(
                            "{\"must\":[{\"key\":\"n\",\"match\":{\"value\":" + n + "}}]}"))), false).operationId();
                    default -> {
                        if (rnd.nextBoolean()) {
                            id = c.createPayloadIndex("n", JSON.getNodeFactory().textNode("integer"), false)
                                    .operationId();
                        } else {
                            try {
                                c.setPayload(PointsSelector.ids(PointId.of(20_000 + n)),
                                        JSON.createObjectNode().put("a", 1), null, false);
                                throw new IllegalStateException("point " + (20_000 + n) + " should not exist");
                            } catch (NotFoundException expected) {
                                continue; // takes no id
                            }
                        }
                    }
                }
                acks.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
                acks.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
