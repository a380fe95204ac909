package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Collection;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Record;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.UpdateStatus;
import io.quiver.engine.WithPayload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One write to a collection in its wire form ({@code {"op":..,...}}): upsert, delete, the four payload operations,
 * the update and delete of vectors, and the payload-index definitions. It knows how to split itself by shard and how to apply itself to one replica
 * (an engine collection). Immutable (the JSON is never mutated after construction).
 */
record ShardOperation(ObjectNode json) {

    static ShardOperation upsert(List<Point> points) {
        ObjectNode n = DataCodec.JSON.objectNode().put("op", "upsert");
        n.set("points", DataCodec.pointsJson(points));
        return new ShardOperation(n);
    }

    static ShardOperation selected(String op, PointsSelector selector) {
        ObjectNode n = DataCodec.JSON.objectNode().put("op", op);
        n.set("selector", DataCodec.selectorJson(selector));
        return new ShardOperation(n);
    }

    static ShardOperation delete(PointsSelector selector) {
        return selected("delete", selector);
    }

    static ShardOperation setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull) {
        ShardOperation op = selected("set_payload", selector);
        op.json.set("payload", payload);
        if (keyOrNull != null) {
            op.json.put("key", keyOrNull);
        }
        return op;
    }

    static ShardOperation overwritePayload(PointsSelector selector, ObjectNode payload) {
        ShardOperation op = selected("overwrite_payload", selector);
        op.json.set("payload", payload);
        return op;
    }

    static ShardOperation deletePayloadKeys(PointsSelector selector, List<String> keys) {
        ShardOperation op = selected("delete_payload_keys", selector);
        ArrayNode a = op.json.putArray("keys");
        keys.forEach(a::add);
        return op;
    }

    static ShardOperation clearPayload(PointsSelector selector) {
        return selected("clear_payload", selector);
    }

    static ShardOperation updateVectors(List<PointVectors> points) {
        ObjectNode n = DataCodec.JSON.objectNode().put("op", "update_vectors");
        n.set("points", DataCodec.pointVectorsJson(points));
        return new ShardOperation(n);
    }

    static ShardOperation deleteVectors(PointsSelector selector, List<String> vectorNames) {
        ShardOperation op = selected("delete_vectors", selector);
        ArrayNode a = op.json.putArray("vectors");
        vectorNames.forEach(a::add);
        return op;
    }

    static ShardOperation createIndex(String field, JsonNode schema) {
        ObjectNode n = DataCodec.JSON.objectNode().put("op", "create_index").put("field", field);
        n.set("schema", schema);
        return new ShardOperation(n);
    }

    static ShardOperation deleteIndex(String field) {
        return new ShardOperation(DataCodec.JSON.objectNode().put("op", "delete_index").put("field", field));
    }

    String op() {
        return json.get("op").asText();
    }

    /**
     * The per-shard parts of this operation: upserts, updates of vectors and id selections go only to the shards of
     * their ids (in ascending shard order); filters and index definitions go to every shard.
     */
    Map<Integer, ShardOperation> splitByShard(int shardCount) {
        Map<Integer, ShardOperation> parts = new LinkedHashMap<>();
        if (op().equals("upsert")) {
            Map<Integer, List<Point>> byShard = new java.util.TreeMap<>();
            for (Point p : DataCodec.points(json.get("points"))) {
                byShard.computeIfAbsent(ShardRouter.shardOf(p.id(), shardCount), s -> new ArrayList<>()).add(p);
            }
            byShard.forEach((shard, points) -> parts.put(shard, upsert(points)));
            return parts;
        }
        if (op().equals("update_vectors")) {
            Map<Integer, List<PointVectors>> byShard = new java.util.TreeMap<>();
            for (PointVectors p : DataCodec.pointVectors(json.get("points"))) {
                byShard.computeIfAbsent(ShardRouter.shardOf(p.id(), shardCount), s -> new ArrayList<>()).add(p);
            }
            byShard.forEach((shard, points) -> parts.put(shard, updateVectors(points)));
            return parts;
        }
        JsonNode selector = json.get("selector");
        if (selector != null && selector.has("ids")) {
            Map<Integer, ArrayNode> byShard = new java.util.TreeMap<>();
            for (PointId id : DataCodec.ids(selector.get("ids"))) {
                byShard.computeIfAbsent(ShardRouter.shardOf(id, shardCount), s -> DataCodec.JSON.arrayNode()).add(id.toJson());
            }
            byShard.forEach((shard, ids) -> {
                ObjectNode copy = json.deepCopy();
                copy.putObject("selector").set("ids", ids);
                parts.put(shard, new ShardOperation(copy));
            });
            return parts;
        }
        for (int shard = 0; shard < shardCount; shard++) {
            parts.put(shard, this);
        }
        return parts;
    }

    /**
     * Applies this operation to one replica. With {@code onlyExistingIds} (a replica following its shard's ordering
     * replica, possibly still being filled by a transfer), ids it does not hold are left out instead of failing:
     * the ordering replica has already checked them, and a transfer brings the missing points later.
     */
    UpdateResult apply(Collection replica, boolean wait, boolean onlyExistingIds) {
        return switch (op()) {
            case "upsert" -> replica.upsert(DataCodec.points(json.get("points")), wait);
            case "delete" -> replica.delete(DataCodec.selector(json.get("selector")), wait);
            case "set_payload" -> {
                PointsSelector s = selector(replica, onlyExistingIds);
                yield s == null ? done(wait) : replica.setPayload(s, (ObjectNode) json.get("payload"),
                        json.has("key") ? json.get("key").asText() : null, wait);
            }
            case "overwrite_payload" -> {
                PointsSelector s = selector(replica, onlyExistingIds);
                yield s == null ? done(wait) : replica.overwritePayload(s, (ObjectNode) json.get("payload"), wait);
            }
            case "delete_payload_keys" -> {
                PointsSelector s = selector(replica, onlyExistingIds);
                List<String> keys = new ArrayList<>();
                json.get("keys").forEach(k -> keys.add(k.asText()));
                yield s == null ? done(wait) : replica.deletePayloadKeys(s, keys, wait);
            }
            case "clear_payload" -> {
                PointsSelector s = selector(replica, onlyExistingIds);
                yield s == null ? done(wait) : replica.clearPayload(s, wait);
            }
            case "update_vectors" -> {
                List<PointVectors> points = DataCodec.pointVectors(json.get("points"));
                if (onlyExistingIds) {
                    points = existing(replica, points);
                }
                yield points.isEmpty() ? done(wait) : replica.updateVectors(points, wait);
            }
            case "delete_vectors" -> {
                List<String> names = new ArrayList<>();
                json.get("vectors").forEach(n -> names.add(n.asText()));
                // ids the replica does not hold are ignored, as by every replica
                yield replica.deleteVectors(DataCodec.selector(json.get("selector")), names, wait);
            }
            case "create_index" -> replica.createPayloadIndex(json.get("field").asText(), json.get("schema"), wait);
            case "delete_index" -> replica.deletePayloadIndex(json.get("field").asText(), wait);
            default -> throw new ClusterException(ClusterException.Kind.INTERNAL, "unknown shard operation " + op());
        };
    }

    private PointsSelector selector(Collection replica, boolean onlyExistingIds) {
        PointsSelector selector = DataCodec.selector(json.get("selector"));
        if (!onlyExistingIds || !(selector instanceof PointsSelector.Ids ids)) {
            return selector;
        }
        Set<PointId> present = new HashSet<>();
        for (Record r : replica.retrieve(ids.ids(), WithPayload.NONE, false)) {
            present.add(r.id());
        }
        List<PointId> kept = ids.ids().stream().filter(present::contains).toList();
        return kept.isEmpty() ? null : PointsSelector.ids(kept);
    }

    /** The points of an update of vectors that {@code replica} holds (see {@link #apply}'s onlyExistingIds). */
    private static List<PointVectors> existing(Collection replica, List<PointVectors> points) {
        Set<PointId> present = new HashSet<>();
        for (Record r : replica.retrieve(points.stream().map(PointVectors::id).toList(), WithPayload.NONE, false)) {
            present.add(r.id());
        }
        return points.stream().filter(p -> present.contains(p.id())).toList();
    }

    private static UpdateResult done(boolean wait) {
        return new UpdateResult(0, wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /**
     * Whether this operation can only fail on a replica through a fault of that replica (so the ordering replica may
     * forward it before applying it itself): deletes, and upserts whose vectors the service has validated.
     */
    boolean cannotFailOnValidInput() {
        return op().equals("upsert") || op().equals("delete");
    }

    /** Whether a failure of this operation on the ordering replica is the client's (not the replica's) fault. */
    static boolean isClientError(RuntimeException e) {
        return e instanceof io.quiver.engine.BadRequestException || e instanceof NotFoundException
                || e instanceof io.quiver.engine.ValidationException;
    }
}
