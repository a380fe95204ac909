package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.OrderBy;
import io.quiver.engine.OrderedScroll;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointReads;
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

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything the HTTP layer does with one collection, whether its shards are all local (standalone: a thin adapter
 * over {@link io.quiver.engine.Collection}) or spread over the cluster's peers (routing writes to every replica of a
 * shard, fanning reads out to one readable replica per shard). Implementations are threadsafe.
 */
public interface CollectionService {
    String name();

    CollectionConfig config();

    UpdateResult upsert(List<Point> points, boolean wait);

    UpdateResult delete(PointsSelector selector, boolean wait);

    UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait);

    UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait);

    UpdateResult deletePayloadKeys(PointsSelector selector, List<String> keys, boolean wait);

    UpdateResult clearPayload(PointsSelector selector, boolean wait);

    /**
     * Qdrant's UpdateVectors: each point gets its new vector and keeps its payload; a missing point is a NotFound,
     * a wrong dimension or non-finite value a BadRequest, each checked before anything is applied.
     */
    UpdateResult updateVectors(List<PointVectors> points, boolean wait);

    /**
     * Qdrant's DeleteVectors: the selected points lose the named vectors ({@code ""}: the unnamed one) and keep their
     * payload; an unknown name is a BadRequest, checked before anything is applied.
     */
    UpdateResult deleteVectors(PointsSelector selector, List<String> vectorNames, boolean wait);

    UpdateResult createPayloadIndex(String field, JsonNode fieldSchema, boolean wait);

    UpdateResult deletePayloadIndex(String field, boolean wait);

    List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector);

    ScrollResult scroll(ScrollRequest request);

    long count(Filter filterOrNull);

    List<ScoredPoint> search(SearchRequest request);

    /** {@link #retrieve} with Qdrant's read {@code consistency} (ignored where every shard has one replica). */
    default List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector,
            ReadConsistency consistency) {
        return retrieve(ids, withPayload, withVector);
    }

    /** {@link #scroll} with Qdrant's read {@code consistency}. */
    default ScrollResult scroll(ScrollRequest request, ReadConsistency consistency) {
        return scroll(request);
    }

    /** {@link #count} with Qdrant's read {@code consistency}. */
    default long count(Filter filterOrNull, ReadConsistency consistency) {
        return count(filterOrNull);
    }

    /** {@link #search} with Qdrant's read {@code consistency}. */
    default List<ScoredPoint> search(SearchRequest request, ReadConsistency consistency) {
        return search(request);
    }

    /** Qdrant's CollectionInfo JSON ({@code GET /collections/{c}} result). */
    ObjectNode infoJson();

    /** Points stored in the collection (the node's view; exact standalone). */
    long pointsCount();

    /** fsyncs issued by the write-ahead logs of this node's replicas of the collection. */
    long walFsyncCount();

    /** {@code GET /collections/{c}/cluster} result. */
    ObjectNode clusterInfoJson();

    /**
     * This collection's point reads with Qdrant's read {@code consistency}, for the engine's whole-collection
     * operations ({@link OrderedScroll}, {@link RandomSample}); each read goes through {@link #scroll} and
     * {@link #retrieve} of this service, so it reaches every shard wherever its replicas are.
     */
    default PointReads reads(ReadConsistency consistency) {
        return new PointReads() {
            @Override
            public ScrollResult scroll(ScrollRequest request) {
                return CollectionService.this.scroll(request, consistency);
            }

            @Override
            public List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
                return CollectionService.this.retrieve(ids, withPayload, withVector, consistency);
            }
        };
    }

    /** The {@code payload_schema} of {@link #infoJson()}: the payload indexes, field → {@code {"data_type",…}}. */
    default ObjectNode payloadSchema() {
        return infoJson().get("payload_schema") instanceof ObjectNode schema ? schema
                : JsonNodeFactory.instance.objectNode();
    }

    /**
     * The points passing the filter ordered by a payload value (Qdrant's {@code order_by} of a scroll or a query; see
     * {@link OrderedScroll}): a BadRequest without a range index on the key.
     */
    default List<OrderedScroll.OrderedRecord> scrollOrdered(OrderBy orderBy, Filter filterOrNull, int limit,
            WithPayload withPayload, boolean withVector, ReadConsistency consistency) {
        return OrderedScroll.scroll(reads(consistency), payloadSchema(), orderBy, filterOrNull, limit, withPayload,
                withVector);
    }

    /**
     * Up to {@code limit} distinct points drawn at random from those passing the filter, in random order (Qdrant's
     * {@code {"sample": "random"}} query; see {@link RandomSample}).
     */
    default List<Record> sample(Filter filterOrNull, int limit, WithPayload withPayload, boolean withVector,
            ReadConsistency consistency) {
        return RandomSample.sample(reads(consistency), filterOrNull, limit, withPayload, withVector,
                ThreadLocalRandom.current());
    }

    /**
     * Takes a snapshot of this node's data of the collection into {@code snapshotsDir/<collection>/}: every shard
     * standalone; in a cluster, the shards whose replica this node holds readable (as a Qdrant peer's snapshot).
     */
    SnapshotDescription createSnapshot(Path snapshotsDir);

    /** The snapshots of this collection in {@code snapshotsDir}, oldest first. */
    List<SnapshotDescription> listSnapshots(Path snapshotsDir);

    /** Deletes one snapshot and its checksum file; false when it does not exist. */
    boolean deleteSnapshot(Path snapshotsDir, String snapshotName);

    /** The archive of one snapshot; {@code NotFoundException} when it does not exist. */
    Path snapshotFile(Path snapshotsDir, String snapshotName);

    /** Takes a snapshot of this node's data of one shard into {@code snapshotsDir/<collection>/shards/<id>/}. */
    SnapshotDescription createShardSnapshot(Path snapshotsDir, int shardId);

    /** The snapshots of one shard, oldest first. */
    List<SnapshotDescription> listShardSnapshots(Path snapshotsDir, int shardId);

    /** Deletes one shard snapshot and its checksum file; false when it does not exist. */
    boolean deleteShardSnapshot(Path snapshotsDir, int shardId, String snapshotName);

    /** The archive of one shard snapshot; {@code NotFoundException} when it does not exist. */
    Path shardSnapshotFile(Path snapshotsDir, int shardId, String snapshotName);

    /**
     * Replaces this node's data of one shard by a shard snapshot ({@code file://} or {@code http(s)://} on
     * 127.0.0.1); a checksum mismatch is a 400 and changes nothing. In a cluster, {@code priority} then decides which
     * copy the shard's replicas keep (see {@link SnapshotPriority}).
     */
    void recoverShardSnapshot(int shardId, java.net.URI location, String expectedSha256OrNull,
            SnapshotPriority priority, Path snapshotsDir);
}
