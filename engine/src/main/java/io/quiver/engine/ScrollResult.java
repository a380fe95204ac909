package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A scroll page and the id of the first point after it (null on the last page). Immutable. */
public record ScrollResult(List<Record> points, PointId nextPageOffsetOrNull) {
    public ScrollResult {
        points = List.copyOf(points);
    }

    /** {"points":[...],"next_page_offset":..}. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode a = n.putArray("points");
        points.forEach(r -> a.add(r.toJson()));
        n.set("next_page_offset", nextPageOffsetOrNull == null ? null : nextPageOffsetOrNull.toJson());
        return n;
    }
}
