package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.ScrollResult;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.UpdateResult;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.nio.file.Path;
import java.util.List;

/**
 * A collection whose shards are all on this node (standalone mode): every call goes straight to the engine's
 * {@link Collection}. {@code GET /collections/{c}/cluster} reports every shard local and Active. Threadsafe.
 */
public final class LocalCollectionService implements CollectionService {
    private final Collection collection;
    private final long peerId;

    private final java.util.concurrent.atomic.LongAdder searches;

    public LocalCollectionService(Collection collection, long peerId) {
        this(collection, peerId, new java.util.concurrent.atomic.LongAdder());
    }

    /** A service that counts the searches it runs into {@code searches} (the node's local search count). */
    LocalCollectionService(Collection collection, long peerId, java.util.concurrent.atomic.LongAdder searches) {
        this.collection = collection;
        this.peerId = peerId;
        this.searches = searches;
    }

    /** The engine collection behind this service. */
    public Collection engineCollection() {
        return collection;
    }

    @Override
    public String name() {
        return collection.name();
    }

    @Override
    public CollectionConfig config() {
        return collection.config();
    }

    @Override
    public UpdateResult upsert(List<Point> points, boolean wait) {
        return collection.upsert(points, wait);
    }

    @Override
    public UpdateResult delete(PointsSelector selector, boolean wait) {
        return collection.delete(selector, wait);
    }

    @Override
    public UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait) {
        return collection.setPayload(selector, payload, keyOrNull, wait);
    }

    @Override
    public UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait) {
        return collection.overwritePayload(selector, payload, wait);
    }

    @Override
    public UpdateResult deletePayloadKeys(PointsSelector selector, List<String> keys, boolean wait) {
        return collection.deletePayloadKeys(selector, keys, wait);
    }

    @Override
    public UpdateResult clearPayload(PointsSelector selector, boolean wait) {
        return collection.clearPayload(selector, wait);
    }

    @Override
    public UpdateResult updateVectors(List<PointVectors> points, boolean wait) {
        return collection.updateVectors(points, wait);
    }

    @Override
    public UpdateResult deleteVectors(PointsSelector selector, List<String> vectorNames, boolean wait) {
        return collection.deleteVectors(selector, vectorNames, wait);
    }

    @Override
    public UpdateResult createPayloadIndex(String field, JsonNode fieldSchema, boolean wait) {
        return collection.createPayloadIndex(field, fieldSchema, wait);
    }

    @Override
    public UpdateResult deletePayloadIndex(String field, boolean wait) {
        return collection.deletePayloadIndex(field, wait);
    }

    @Override
    public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        return collection.retrieve(ids, withPayload, withVector);
    }

    @Override
    public ScrollResult scroll(ScrollRequest request) {
        return collection.scroll(request);
    }

    @Override
    public long count(Filter filterOrNull) {
        return collection.count(filterOrNull);
    }

    /** Drawn from the shards' slots when it can be (see {@link io.quiver.engine.RandomSample}); one node, one answer. */
    @Override
    public List<Record> sample(Filter filterOrNull, int limit, WithPayload withPayload, boolean withVector,
            ReadConsistency consistency) {
        return io.quiver.engine.RandomSample.sample(collection, filterOrNull, limit, withPayload, withVector,
                java.util.concurrent.ThreadLocalRandom.current());
    }

    /** Read through the shards' range indexes (see {@link io.quiver.engine.OrderedScroll}); one node, one answer. */
    @Override
    public List<io.quiver.engine.OrderedScroll.OrderedRecord> scrollOrdered(io.quiver.engine.OrderBy orderBy,
            Filter filterOrNull, int limit, WithPayload withPayload, boolean withVector, ReadConsistency consistency) {
        return io.quiver.engine.OrderedScroll.scroll(collection, orderBy, filterOrNull, limit, withPayload,
                withVector);
    }

    @Override
    public List<ScoredPoint> search(SearchRequest request) {
        searches.increment();
        return collection.search(request);
    }

    @Override
    public ObjectNode infoJson() {
        return collection.info().toJson();
    }

    @Override
    public long pointsCount() {
        return collection.pointsCount();
    }

    @Override
    public long walFsyncCount() {
        return collection.walFsyncCount();
    }

    @Override
    public ObjectNode clusterInfoJson() {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("peer_id", peerId);
        int shards = collection.config().shardNumber();
        result.put("shard_count", shards);
        var local = result.putArray("local_shards");
        for (int shard = 0; shard < shards; shard++) {
            local.addObject().put("shard_id", shard).put("points_count", collection.shardPointsCount(shard))
                    .put("state", ReplicaState.Active.name());
        }
        result.putArray("remote_shards");
        result.putArray("shard_transfers");
        return result;
    }

    @Override
    public ObjectNode payloadSchema() {
        return collection.info().payloadSchema();
    }

    @Override
    public SnapshotDescription createSnapshot(Path snapshotsDir) {
        return collection.createSnapshot(snapshotsDir);
    }

    @Override
    public List<SnapshotDescription> listSnapshots(Path snapshotsDir) {
        return collection.listSnapshots(snapshotsDir);
    }

    @Override
    public boolean deleteSnapshot(Path snapshotsDir, String snapshotName) {
        return collection.deleteSnapshot(snapshotsDir, snapshotName);
    }

    @Override
    public Path snapshotFile(Path snapshotsDir, String snapshotName) {
        return collection.snapshotFile(snapshotsDir, snapshotName);
    }

    @Override
    public SnapshotDescription createShardSnapshot(Path snapshotsDir, int shardId) {
        return collection.createShardSnapshot(snapshotsDir, shardId, true);
    }

    @Override
    public List<SnapshotDescription> listShardSnapshots(Path snapshotsDir, int shardId) {
        return collection.listShardSnapshots(snapshotsDir, shardId);
    }

    @Override
    public boolean deleteShardSnapshot(Path snapshotsDir, int shardId, String snapshotName) {
        return collection.deleteShardSnapshot(snapshotsDir, shardId, snapshotName);
    }

    @Override
    public Path shardSnapshotFile(Path snapshotsDir, int shardId, String snapshotName) {
        return collection.shardSnapshotFile(snapshotsDir, shardId, snapshotName);
    }

    /** Standalone every shard has one copy: {@code priority} has nothing to choose between. */
    @Override
    public void recoverShardSnapshot(int shardId, java.net.URI location, String expectedSha256OrNull,
            SnapshotPriority priority, Path snapshotsDir) {
        collection.recoverShardSnapshot(shardId, location, expectedSha256OrNull, snapshotsDir);
    }
}
