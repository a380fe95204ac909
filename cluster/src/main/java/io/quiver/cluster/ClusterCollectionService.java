package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.OrderBy;
import io.quiver.engine.OrderedScroll;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.RandomSample;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A collection spread over the cluster, seen from one node: writes go to the ordering replica of each shard they
 * touch (which replicates them), reads fan out to one Active replica per shard in parallel and are merged (search:
 * top-k by the collection's distance, or by score for example queries; scroll: by id; count: sum; retrieve: request
 * order). The shard map is read from the node's current metadata at each call. Threadsafe.
 */
public final class ClusterCollectionService implements CollectionService {
    private final String name;
    private final DataPlane dataPlane;

    ClusterCollectionService(String name, DataPlane dataPlane) {
        this.name = name;
        this.dataPlane = dataPlane;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CollectionConfig config() {
        return CollectionConfig.fromJson(dataPlane.collection(name).config());
    }

    private int shardCount() {
        return dataPlane.collection(name).shards().shardCount();
    }

    private List<Integer> allShards() {
        return new ArrayList<>(dataPlane.collection(name).shards().shardIds());
    }

    // ---------------------------------------------------------------- writes

    @Override
    public UpdateResult upsert(List<Point> points, boolean wait) {
        CollectionConfig config = config();
        for (Point p : points) {
            if (p == null || p.id() == null) {
                throw new io.quiver.engine.BadRequestException("point id is missing");
            }
            if (p.vector() != null) { // null: a point without a vector, as the engine stores it
                checkVector(p.vector(), config);
            }
        }
        return dataPlane.write(name, ShardOperation.upsert(points), wait);
    }

    /** The engine's checks and messages, done before routing so a replica never rejects a forwarded write. */
    private static void checkVector(float[] vector, CollectionConfig config) {
        if (vector == null) {
            throw new io.quiver.engine.BadRequestException("Vector is missing");
        }
        if (vector.length != config.vectors().size()) {
            throw new io.quiver.engine.BadRequestException("Vector dimension error: expected dim: "
                    + config.vectors().size() + ", got " + vector.length);
        }
        for (float f : vector) {
            if (!Float.isFinite(f)) {
                throw new io.quiver.engine.BadRequestException("Vector contains a non-finite value (NaN or infinity)");
            }
        }
    }

    /**
     * Checked whole before routing: the vectors here, and, when the points span several shards, that every point
     * exists (a read of their ids), so a 404 leaves every shard untouched; each shard's ordering replica checks its
     * own part again as it applies it.
     */
    @Override
    public UpdateResult updateVectors(List<PointVectors> points, boolean wait) {
        if (points.isEmpty()) {
            throw new io.quiver.engine.ValidationException(List.of("points: must specify points to update"));
        }
        CollectionConfig config = config();
        int shards = shardCount();
        Set<PointId> ids = new LinkedHashSet<>();
        Set<Integer> touched = new HashSet<>();
        for (PointVectors p : points) {
            if (p == null || p.id() == null) {
                throw new io.quiver.engine.BadRequestException("point id is missing");
            }
            checkVector(p.vector(), config);
            ids.add(p.id());
            touched.add(ShardRouter.shardOf(p.id(), shards));
        }
        if (touched.size() > 1) {
            Set<PointId> found = new HashSet<>();
            retrieve(new ArrayList<>(ids), WithPayload.NONE, false).forEach(r -> found.add(r.id()));
            for (PointId id : ids) {
                if (!found.contains(id)) {
                    throw io.quiver.engine.NotFoundException.point(id);
                }
            }
        }
        return dataPlane.write(name, ShardOperation.updateVectors(points), wait);
    }

    @Override
    public UpdateResult deleteVectors(PointsSelector selector, List<String> vectorNames, boolean wait) {
        if (vectorNames.isEmpty()) {
            throw new io.quiver.engine.ValidationException(List.of("vector: must specify vector names to delete"));
        }
        CollectionConfig config = config();
        vectorNames.forEach(config::requireVectorName);
        return dataPlane.write(name, ShardOperation.deleteVectors(selector, vectorNames), wait);
    }

    @Override
    public UpdateResult delete(PointsSelector selector, boolean wait) {
        return dataPlane.write(name, ShardOperation.delete(selector), wait);
    }

    @Override
    public UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait) {
        return dataPlane.write(name, ShardOperation.setPayload(selector, payload, keyOrNull), wait);
    }

    @Override
    public UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait) {
        return dataPlane.write(name, ShardOperation.overwritePayload(selector, payload), wait);
    }

    @Override
    public UpdateResult deletePayloadKeys(PointsSelector selector, List<String> keys, boolean wait) {
        return dataPlane.write(name, ShardOperation.deletePayloadKeys(selector, keys), wait);
    }

    @Override
    public UpdateResult clearPayload(PointsSelector selector, boolean wait) {
        return dataPlane.write(name, ShardOperation.clearPayload(selector), wait);
    }

    @Override
    public UpdateResult createPayloadIndex(String field, JsonNode fieldSchema, boolean wait) {
        return dataPlane.write(name, ShardOperation.createIndex(field, fieldSchema), wait);
    }

    @Override
    public UpdateResult deletePayloadIndex(String field, boolean wait) {
        return dataPlane.write(name, ShardOperation.deleteIndex(field), wait);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        return retrieve(ids, withPayload, withVector, ReadConsistency.ONE);
    }

    @Override
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector,
            ReadConsistency consistency) {
        int shards = shardCount();
        Map<Integer, List<PointId>> byShard = new TreeMap<>();
        for (PointId id : new LinkedHashSet<>(ids)) {
            byShard.computeIfAbsent(ShardRouter.shardOf(id, shards), s -> new ArrayList<>()).add(id);
        }
        WithPayload w = withPayload == null ? WithPayload.NONE : withPayload;
        List<List<Record>> parts = dataPlane.reads().readEach(name, new ArrayList<>(byShard.keySet()), "retrieve", shard -> {
            ObjectNode msg = DataPlane.message(name, shard).put("wv", withVector);
            msg.set("ids", DataCodec.idsJson(byShard.get(shard)));
            msg.set("wp", DataCodec.withPayloadJson(w));
            return msg;
        }, answer -> DataCodec.records(answer.get("points")), consistency,
                answers -> resolveById(answers, Record::id, consistency));
        Map<PointId, Record> found = new HashMap<>();
        parts.forEach(list -> list.forEach(r -> found.put(r.id(), r)));
        List<Record> out = new ArrayList<>();
        Set<PointId> seen = new HashSet<>();
        for (PointId id : ids) {
            Record r = found.get(id);
            if (r != null && seen.add(id)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public ScrollResult scroll(ScrollRequest request) {
        return scroll(request, ReadConsistency.ONE);
    }

    @Override
    public ScrollResult scroll(ScrollRequest request, ReadConsistency consistency) {
        List<ScrollResult> parts = dataPlane.reads().readEach(name, allShards(), "scroll", shard -> {
            ObjectNode msg = DataPlane.message(name, shard);
            msg.set("req", DataCodec.scrollJson(request));
            return msg;
        }, answer -> new ScrollResult(DataCodec.records(answer.get("points")),
                answer.has("next") ? PointId.parse(answer.get("next")) : null), consistency,
                answers -> new ScrollResult(resolveById(answers.stream().map(ScrollResult::points).toList(), Record::id,
                        consistency), answers.stream().map(ScrollResult::nextPageOffsetOrNull)
                        .filter(java.util.Objects::nonNull).min(PointId::compareTo).orElse(null)));
        return mergeScroll(parts, request.limit());
    }

    /**
     * Merges per-shard pages (each the first {@code limit} ids from the same offset): the page is the {@code limit}
     * smallest ids of the union; the next page starts at the smallest id not in it (the next merged id, or a shard's
     * own next offset, whichever is smaller).
     */
    static ScrollResult mergeScroll(List<ScrollResult> parts, int limit) {
        List<Record> merged = new ArrayList<>();
        PointId next = null;
        for (ScrollResult part : parts) {
            merged.addAll(part.points());
            PointId n = part.nextPageOffsetOrNull();
            if (n != null && (next == null || n.compareTo(next) < 0)) {
                next = n;
            }
        }
        merged.sort((a, b) -> a.id().compareTo(b.id()));
        if (merged.size() > limit) {
            PointId first = merged.get(limit).id();
            if (next == null || first.compareTo(next) < 0) {
                next = first;
            }
            merged = new ArrayList<>(merged.subList(0, limit));
        }
        return new ScrollResult(merged, next);
    }

    @Override
    public long count(Filter filterOrNull) {
        return count(filterOrNull, ReadConsistency.ONE);
    }

    /**
     * Without a filter, and for at most half the points: each shard's live count, a hypergeometric split of the limit
     * over the shards, and each shard's share drawn by one of its replicas from its slots (data-plane message
     * {@code draw}; every node must know it); then the picks, shuffled, are read as asked. Otherwise, or when a shard
     * could not draw its share, every candidate's id is read (see {@link RandomSample}).
     */
    @Override
    public List<Record> sample(Filter filterOrNull, int limit, WithPayload withPayload, boolean withVector,
            ReadConsistency consistency) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        if (filterOrNull == null && limit > 0) {
            List<Integer> shards = allShards();
            List<Long> counts = dataPlane.reads().readEach(name, shards, "count", shard -> {
                ObjectNode msg = DataPlane.message(name, shard);
                msg.set("filter", DataCodec.filterJson(null));
                return msg;
            }, answer -> answer.get("count").asLong(), consistency, answers -> answers.get(0));
            long[] live = counts.stream().mapToLong(Long::longValue).toArray();
            int[] share = limit <= java.util.Arrays.stream(live).sum() / 2 ? RandomSample.split(live, limit, random)
                    : null;
            if (share != null) {
                List<Integer> drawFrom = new ArrayList<>();
                Map<Integer, Integer> shareOf = new HashMap<>();
                for (int i = 0; i < shards.size(); i++) {
                    if (share[i] > 0) {
                        drawFrom.add(shards.get(i));
                        shareOf.put(shards.get(i), share[i]);
                    }
                }
                // one replica's random draw is as good as another's: the first answer is taken
                List<List<PointId>> drawn = dataPlane.reads().readEach(name, drawFrom, "draw", shard -> {
                    ObjectNode msg = DataPlane.message(name, shard);
                    msg.put("n", shareOf.get(shard));
                    return msg;
                }, answer -> answer.has("ids") ? DataCodec.ids(answer.get("ids")) : List.of(),
                        ReadConsistency.ONE, answers -> answers.get(0));
                List<PointId> ids = new ArrayList<>(limit);
                drawn.forEach(ids::addAll);
                if (ids.size() == limit) {
                    java.util.Collections.shuffle(ids, random);
                    return reads(consistency).retrieve(ids, withPayload, withVector);
                }
            }
        }
        return RandomSample.sample(reads(consistency), filterOrNull, limit, withPayload, withVector, random);
    }

    /**
     * Each shard's replica walks its range indexes and answers its first {@code limit} (value, id) pairs (data-plane
     * message {@code ordered}; every node must know it); the merged first {@code limit} are then read with the
     * payload and vector asked for.
     */
    @Override
    public List<OrderedScroll.OrderedRecord> scrollOrdered(OrderBy orderBy, Filter filterOrNull, int limit,
            WithPayload withPayload, boolean withVector, ReadConsistency consistency) {
        ObjectNode schema = payloadSchema();
        OrderedScroll.requireRangeIndex(schema, orderBy.key());
        List<List<OrderedScroll.OrderedId>> parts = dataPlane.reads().readEach(name, allShards(), "ordered",
                shard -> {
                    ObjectNode msg = DataPlane.message(name, shard);
                    msg.set("order_by", DataCodec.orderByJson(orderBy));
                    msg.set("filter", DataCodec.filterJson(filterOrNull));
                    msg.put("limit", limit);
                    return msg;
                }, answer -> DataCodec.orderedIds(answer.get("pairs")), consistency,
                answers -> resolveByKey(answers, pair -> pair, consistency));
        List<OrderedScroll.OrderedId> all = new ArrayList<>();
        parts.forEach(all::addAll);
        return OrderedScroll.fromPairs(reads(consistency), schema, orderBy, all, limit, withPayload, withVector);
    }

    @Override
    public long count(Filter filterOrNull, ReadConsistency consistency) {
        List<Long> parts = dataPlane.reads().readEach(name, allShards(), "count", shard -> {
            ObjectNode msg = DataPlane.message(name, shard);
            msg.set("filter", DataCodec.filterJson(filterOrNull));
            return msg;
        }, answer -> answer.get("count").asLong(), consistency, answers -> {
            List<Long> sorted = answers.stream().sorted().toList();
            return consistency.kind() == ReadConsistency.Kind.ALL ? sorted.get(0) : sorted.get((sorted.size() - 1) / 2);
        });
        return parts.stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public List<ScoredPoint> search(SearchRequest request) {
        return search(request, ReadConsistency.ONE);
    }

    @Override
    public List<ScoredPoint> search(SearchRequest request, ReadConsistency consistency) {
        if (request.limit() == 0) {
            return List.of();
        }
        SearchRequest perShard = new SearchRequest(request.vector(), request.filterOrNull(),
                request.candidates(), 0, request.withPayload(), request.withVector(),
                request.scoreThresholdOrNull(), request.hnswEfOrNull(), request.exact(), request.quantizationOrNull(),
                request.indexedOnly(), request.exampleQueryOrNull());
        List<List<ScoredPoint>> parts = dataPlane.reads().readEach(name, allShards(), "search", shard -> {
            ObjectNode msg = DataPlane.message(name, shard);
            msg.set("req", DataCodec.searchJson(perShard));
            return msg;
        }, answer -> DataCodec.scored(answer.get("hits")), consistency,
                answers -> resolveById(answers, ScoredPoint::id, consistency));
        boolean higher = request.higherIsBetter(config().vectors().distance());
        List<ScoredPoint> all = new ArrayList<>();
        parts.forEach(all::addAll);
        all.sort((a, b) -> {
            int cmp = higher ? Float.compare(b.score(), a.score()) : Float.compare(a.score(), b.score());
            return cmp != 0 ? cmp : a.id().compareTo(b.id());
        });
        int from = Math.min(request.offset(), all.size());
        int to = Math.min(all.size(), request.candidates());
        return new ArrayList<>(all.subList(from, to));
    }

    /**
     * Combines the answers of several replicas of one shard: an item (by id) is kept when {@code consistency} keeps
     * it given how many answers hold it; the first answer's copy wins; order of first appearance.
     */
    static <T> List<T> resolveById(List<List<T>> answers, java.util.function.Function<T, PointId> id,
            ReadConsistency consistency) {
        return resolveByKey(answers, id, consistency);
    }

    /** As {@link #resolveById}, items identified by {@code keyOf} (e.g. an order_by's (value, id) pairs). */
    static <T, K> List<T> resolveByKey(List<List<T>> answers, java.util.function.Function<T, K> keyOf,
            ReadConsistency consistency) {
        if (answers.size() == 1) {
            return answers.get(0);
        }
        Map<K, T> first = new java.util.LinkedHashMap<>();
        Map<K, Integer> seen = new HashMap<>();
        for (List<T> answer : answers) {
            Set<K> inThis = new HashSet<>();
            for (T item : answer) {
                K key = keyOf.apply(item);
                if (inThis.add(key)) {
                    first.putIfAbsent(key, item);
                    seen.merge(key, 1, Integer::sum);
                }
            }
        }
        List<T> out = new ArrayList<>();
        first.forEach((key, item) -> {
            if (consistency.keeps(seen.get(key), answers.size())) {
                out.add(item);
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- info

    /**
     * Qdrant's CollectionInfo: the config from the metadata; counts summed over one Active replica per shard (asked
     * over the data plane, one shard after the other); status the worst of those replicas', red when a shard has no
     * Active replica that answers (its points then missing from the counts); payload schema of the first answer.
     */
    @Override
    public ObjectNode infoJson() {
        CollectionMetadata c = dataPlane.collection(name);
        List<JsonNode> infos = new ArrayList<>();
        String status = "green";
        for (int shard : c.shards().shardIds()) {
            try {
                infos.addAll(dataPlane.reads().readEach(name, List.of(shard), "info", s -> DataPlane.message(name, s),
                        answer -> answer.get("info")));
            } catch (ClusterException e) {
                status = "red"; // a shard without a reachable Active replica: its points are not counted
            }
        }
        long points = 0;
        long indexed = 0;
        long segments = 0;
        String optimizer = null;
        for (JsonNode info : infos) {
            points += info.path("points_count").asLong();
            indexed += info.path("indexed_vectors_count").asLong();
            segments += info.path("segments_count").asLong();
            status = worse(status, info.path("status").asText("green"));
            if (info.path("optimizer_status").isObject()) {
                optimizer = info.path("optimizer_status").path("error").asText();
            }
        }
        ObjectNode n = DataCodec.JSON.objectNode();
        n.put("status", status);
        if (optimizer == null) {
            n.put("optimizer_status", "ok");
        } else {
            n.putObject("optimizer_status").put("error", optimizer);
        }
        n.put("indexed_vectors_count", indexed);
        n.put("points_count", points);
        n.put("segments_count", segments);
        n.set("config", CollectionConfig.fromJson(c.config()).toJson());
        n.set("payload_schema", infos.isEmpty() ? DataCodec.JSON.objectNode() : infos.get(0).path("payload_schema").deepCopy());
        return n;
    }

    private static String worse(String a, String b) {
        List<String> order = List.of("green", "grey", "yellow", "red");
        return order.indexOf(b) > order.indexOf(a) ? b : a;
    }

    /** Exact points count: the sum over one Active replica per shard. */
    @Override
    public long pointsCount() {
        return count(null);
    }

    @Override
    public long walFsyncCount() {
        long total = 0;
        for (int shard : allShards()) {
            total += dataPlane.replicas().find(name, shard).map(Collection::walFsyncCount).orElse(0L);
        }
        return total;
    }

    // ---------------------------------------------------------------- snapshots of this node's replicas

    @Override
    public io.quiver.engine.SnapshotDescription createSnapshot(java.nio.file.Path snapshotsDir) {
        return snapshots().createCollectionSnapshot(name, snapshotsDir);
    }

    @Override
    public List<io.quiver.engine.SnapshotDescription> listSnapshots(java.nio.file.Path snapshotsDir) {
        dataPlane.collection(name);
        return ClusterSnapshots.collectionStore(snapshotsDir, name).list();
    }

    @Override
    public boolean deleteSnapshot(java.nio.file.Path snapshotsDir, String snapshotName) {
        return ClusterSnapshots.collectionStore(snapshotsDir, name).delete(snapshotName);
    }

    @Override
    public java.nio.file.Path snapshotFile(java.nio.file.Path snapshotsDir, String snapshotName) {
        return ClusterSnapshots.collectionStore(snapshotsDir, name).file(snapshotName);
    }

    @Override
    public io.quiver.engine.SnapshotDescription createShardSnapshot(java.nio.file.Path snapshotsDir, int shardId) {
        return snapshots().createShardSnapshot(name, shardId, snapshotsDir);
    }

    @Override
    public List<io.quiver.engine.SnapshotDescription> listShardSnapshots(java.nio.file.Path snapshotsDir, int shardId) {
        requireShard(shardId);
        return ClusterSnapshots.shardStore(snapshotsDir, name, shardId).list();
    }

    @Override
    public boolean deleteShardSnapshot(java.nio.file.Path snapshotsDir, int shardId, String snapshotName) {
        requireShard(shardId);
        return ClusterSnapshots.shardStore(snapshotsDir, name, shardId).delete(snapshotName);
    }

    @Override
    public java.nio.file.Path shardSnapshotFile(java.nio.file.Path snapshotsDir, int shardId, String snapshotName) {
        requireShard(shardId);
        return ClusterSnapshots.shardStore(snapshotsDir, name, shardId).file(snapshotName);
    }

    @Override
    public void recoverShardSnapshot(int shardId, java.net.URI location, String expectedSha256OrNull,
            SnapshotPriority priority, java.nio.file.Path snapshotsDir) {
        snapshots().recoverShard(name, shardId, location, expectedSha256OrNull, priority, snapshotsDir, -1);
    }

    private void requireShard(int shardId) {
        if (!dataPlane.collection(name).shards().hasShard(shardId)) {
            throw new io.quiver.engine.NotFoundException("Shard " + shardId + " of collection `" + name
                    + "` doesn't exist!");
        }
    }

    private ClusterSnapshots snapshots() {
        return new ClusterSnapshots(dataPlane);
    }

    @Override
    public ObjectNode clusterInfoJson() {
        return dataPlane.node().collectionClusterJson(name,
                shard -> dataPlane.replicas().find(name, shard).map(Collection::pointsCount).orElse(0L));
    }
}
