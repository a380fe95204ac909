package io.quiver.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.Distance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child JVM of {@link VectorOperationsTest}: writes points, checkpoints, then updates and deletes vectors (and
 * upserts a point without a vector) with {@code wait=true}, so those changes exist only in the WALs; prints READY and
 * waits to be killed. Its one argument is the storage directory.
 */
public final class VectorOperationsChild {
    private VectorOperationsChild() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Quiver q = Quiver.open(Path.of(args[0]), EngineOptions.defaults().withFlushInterval(Duration.ofHours(1)));
        Collection c = q.createCollection("v", CollectionConfig.of(4, Distance.DOT).withShardNumber(2));
        List<Point> points = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            points.add(new Point(PointId.of(i), new float[] {i, 0, 0, 0}, (ObjectNode) json.readTree("{\"n\":" + i + "}")));
        }
        c.upsert(points, true);
        c.flush(); // everything below is only in the WALs
        c.updateVectors(List.of(new PointVectors(PointId.of(1), new float[] {0, 0, 0, 7}),
                new PointVectors(PointId.of(2), new float[] {0, 0, 8, 0})), true);
        c.deleteVectors(PointsSelector.ids(PointId.of(3), PointId.of(4)), List.of(""), true);
        c.deleteVectors(PointsSelector.filter(FilterParser.parse(json.readTree(
                "{\"must\":[{\"key\":\"n\",\"match\":{\"value\":5}}]}"))), List.of(""), true);
        c.upsert(List.of(new Point(PointId.of(6), null, (ObjectNode) json.readTree("{\"n\":66}"))), true);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
