package io.quiver.engine.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Quiver;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.util.List;

/** The embedded-use example shown in README.md and engine/README.md; EmbeddedExampleTest runs it in a fresh JVM. */
public final class EmbeddedExample {
    private EmbeddedExample() {}

    public static void main(String[] args) throws Exception {
        Path storage = Path.of(args.length > 0 ? args[0] : "./storage");
        ObjectMapper json = new ObjectMapper();
        try (Quiver quiver = Quiver.open(storage)) {
            Collection cities = quiver.findCollection("cities")
                    .orElseGet(() -> quiver.createCollection("cities", CollectionConfig.of(4, Distance.COSINE)));
            cities.upsert(List.of(
                    new Point(PointId.of(1), new float[] {0.05f, 0.61f, 0.76f, 0.74f},
                            (ObjectNode) json.readTree("{\"city\": \"Berlin\"}")),
                    new Point(PointId.of(2), new float[] {0.19f, 0.81f, 0.75f, 0.11f},
                            (ObjectNode) json.readTree("{\"city\": \"London\"}")),
                    new Point(PointId.of(3), new float[] {0.36f, 0.55f, 0.47f, 0.94f},
                            (ObjectNode) json.readTree("{\"city\": \"Moscow\"}"))),
                    true); // wait=true: durable (fsync'ed WAL) and applied when it returns

            List<ScoredPoint> hits = cities.search(
                    SearchRequest.topK(new float[] {0.2f, 0.1f, 0.9f, 0.7f}, 2).withPayload(WithPayload.ALL));
            for (ScoredPoint hit : hits) {
                System.out.println(hit.id() + " " + hit.payloadOrNull().get("city").asText() + " " + hit.score());
            }
            cities.delete(PointsSelector.ids(PointId.of(2)), true);
            System.out.println("points: " + cities.count(null));
        } // close() checkpoints; the next open maps the segments and replays nothing
    }
}
