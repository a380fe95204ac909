package io.quiver.engine.shard;

import io.quiver.engine.PointId;
import java.util.List;

/**
 * One write of a shard as logged in its WAL and applied to its segments. Filters are resolved to ids by the update
 * worker before logging, so an operation is deterministic to replay. Immutable values (arrays are not modified).
 * Payloads travel as UTF-8 JSON bytes; null means the empty payload.
 */
public sealed interface Operation {
    /**
     * Point data of an upsert; the vector is already normalised for Cosine, null for a point without a vector (a
     * shard transfer copying a point whose vector was deleted).
     */
    record PointData(PointId id, float[] vector, byte[] payloadJsonOrNull) {}

    /** One point's new vector in an {@link UpdateVectors}; already checked and normalised for Cosine. */
    record PointVector(PointId id, float[] vector) {}

    record Upsert(List<PointData> points) implements Operation {
        @Override
        public Operation withIds(List<PointId> ids) {
            throw new UnsupportedOperationException("upsert selects no ids");
        }
    }

    record Delete(List<PointId> ids) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new Delete(newIds);
        }
    }

    /** Merges top-level keys of the payload into each point's payload (or into the object at {@code keyOrNull}). */
    record SetPayload(List<PointId> ids, byte[] payloadJson, String keyOrNull) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new SetPayload(newIds, payloadJson, keyOrNull);
        }
    }

    record OverwritePayload(List<PointId> ids, byte[] payloadJson) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new OverwritePayload(newIds, payloadJson);
        }
    }

    record DeletePayloadKeys(List<PointId> ids, List<String> keys) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new DeletePayloadKeys(newIds, keys);
        }
    }

    record ClearPayload(List<PointId> ids) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new ClearPayload(newIds);
        }
    }

    /**
     * Qdrant's UpdateVectors: replaces the vector of each (existing) point and keeps its payload. Each id appears once
     * (the writer keeps the last vector given for an id).
     */
    record UpdateVectors(List<PointVector> points) implements Operation {
        @Override
        public Operation withIds(List<PointId> ids) {
            throw new UnsupportedOperationException("an update of vectors selects no ids");
        }
    }

    /**
     * Qdrant's DeleteVectors of the collection's one (unnamed) vector: each point keeps its payload and stays
     * retrievable, without a vector; missing ids are ignored.
     */
    record DeleteVectors(List<PointId> ids) implements Operation {
        @Override
        public Operation withIds(List<PointId> newIds) {
            return new DeleteVectors(newIds);
        }
    }

    /**
     * Creates ({@code fieldSchemaJsonOrNull} given) or drops (null) the payload index of {@code field}. The
     * collection's payload_schema ({@code config.json}) is what decides which indexes exist, and it is in force before
     * this is logged, so applying or replaying it changes no segment: it is in the WAL so that, as in Qdrant, a field
     * index operation has its own operation id in the shard's sequence.
     */
    record PayloadIndex(String field, byte[] fieldSchemaJsonOrNull) implements Operation {
        @Override
        public Operation withIds(List<PointId> ids) {
            throw new UnsupportedOperationException("a payload index operation selects no ids");
        }
    }

    /** The same operation on other ids (after a filter was resolved). */
    Operation withIds(List<PointId> ids);
}
