package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.shard.Operation;
import io.quiver.engine.shard.PayloadJson;
import io.quiver.engine.shard.Shard;
import io.quiver.wal.Durability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The point and vector writes of a collection: each is checked whole first (a rejected write changes nothing), then
 * split by shard, submitted as one operation per shard and waited for. Each shard's part takes the collection's next
 * operation id when its update worker appends it to the WAL (see
 * {@link io.quiver.engine.shard.OperationIds}), so an operation that fails before it reaches a WAL takes none; the
 * result carries the largest id of the parts (as Qdrant answers the largest of its shards' operation numbers), and
 * each point's version is the id of the part that wrote it. Threading: threadsafe and lock-free; each shard orders its
 * writes through its own update worker.
 */
final class CollectionWriter {
    private final CollectionShards shards;
    private final Supplier<CollectionConfig> config;

    CollectionWriter(CollectionShards shards, Supplier<CollectionConfig> config) {
        this.shards = shards;
        this.config = config;
    }

    /** {@link Collection#upsert}. */
    UpdateResult upsert(List<Point> points, boolean wait) {
        CollectionConfig.VectorParams params = config.get().vectors();
        Map<Integer, Map<PointId, Operation.PointData>> perShard = new HashMap<>();
        for (Point p : points) {
            if (p == null || p.id() == null) {
                throw new BadRequestException("point id is missing");
            }
            float[] v = p.vector() == null ? null : VectorInput.prepare(p.vector(), params);
            // a later occurrence of the same id in one batch wins: the logged operation holds each id once
            perShard.computeIfAbsent(shards.shardIdOf(p.id()), k -> new LinkedHashMap<>())
                    .put(p.id(), new Operation.PointData(p.id(), v, PayloadJson.toBytes(p.payload())));
        }
        if (perShard.isEmpty()) {
            perShard.put(0, Map.of());
        }
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        Durability d = wait ? Durability.DURABLE : Durability.WRITTEN;
        perShard.forEach((shard, byId) -> futures.add(shards.get(shard).submit(
                new Operation.Upsert(List.copyOf(byId.values())), null, false, d)));
        return finish(futures, wait);
    }

    /** {@link Collection#updateVectors}. */
    UpdateResult updateVectors(List<PointVectors> points, boolean wait) {
        if (points.isEmpty()) {
            throw new ValidationException(List.of("points: must specify points to update"));
        }
        CollectionConfig.VectorParams params = config.get().vectors();
        Map<Integer, Map<PointId, Operation.PointVector>> perShard = new java.util.TreeMap<>();
        for (PointVectors p : points) {
            if (p == null || p.id() == null) {
                throw new BadRequestException("point id is missing");
            }
            float[] v = VectorInput.prepare(p.vector(), params);
            // a later vector for the same id wins (Qdrant merges a point's updates within one request)
            perShard.computeIfAbsent(shards.shardIdOf(p.id()), k -> new LinkedHashMap<>())
                    .put(p.id(), new Operation.PointVector(p.id(), v));
        }
        if (perShard.size() > 1) {
            perShard.values().forEach(byId -> requireExisting(byId.keySet()));
        }
        Durability d = wait ? Durability.DURABLE : Durability.WRITTEN;
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        perShard.forEach((shard, byId) -> futures.add(shards.get(shard).submit(
                new Operation.UpdateVectors(List.copyOf(byId.values())), null, true, d)));
        return finish(futures, wait);
    }

    /** {@link Collection#deleteVectors}. */
    UpdateResult deleteVectors(PointsSelector selector, List<String> vectorNames, boolean wait) {
        if (vectorNames == null || vectorNames.isEmpty()) {
            throw new ValidationException(List.of("vector: must specify vector names to delete"));
        }
        CollectionConfig c = config.get();
        vectorNames.forEach(c::requireVectorName);
        return submitSelected(selector, ids -> new Operation.DeleteVectors(ids), false, wait);
    }

    /** NotFound for the first id no shard holds (before a write touching several shards submits any part). */
    private void requireExisting(java.util.Collection<PointId> ids) {
        for (PointId id : ids) {
            if (shards.of(id).retrieve(id, WithPayload.NONE, false) == null) {
                throw NotFoundException.point(id);
            }
        }
    }

    /** {@link Collection#delete}. */
    UpdateResult delete(PointsSelector selector, boolean wait) {
        return submitSelected(selector, ids -> new Operation.Delete(ids), false, wait);
    }

    /** {@link Collection#setPayload}. */
    UpdateResult setPayload(PointsSelector selector, ObjectNode payload, String keyOrNull, boolean wait) {
        byte[] json = requirePayload(payload);
        if (keyOrNull != null) {
            JsonPath.parse(keyOrNull); // BadRequest before logging: replay skips keys that do not parse
            JsonText.requireWellFormed(keyOrNull, "key"); // it becomes a field name of the stored payloads
        }
        return submitSelected(selector, ids -> new Operation.SetPayload(ids, json, keyOrNull), true, wait);
    }

    /** {@link Collection#overwritePayload}. */
    UpdateResult overwritePayload(PointsSelector selector, ObjectNode payload, boolean wait) {
        byte[] json = PayloadJson.toBytes(payload);
        return submitSelected(selector, ids -> new Operation.OverwritePayload(ids, json), true, wait);
    }

    /** {@link Collection#deletePayloadKeys}. */
    UpdateResult deletePayloadKeys(PointsSelector selector, List<String> keys, boolean wait) {
        List<String> k = List.copyOf(keys);
        k.forEach(JsonPath::parse); // BadRequest before logging, as for setPayload's key
        return submitSelected(selector, ids -> new Operation.DeletePayloadKeys(ids, k), true, wait);
    }

    /** {@link Collection#clearPayload}. */
    UpdateResult clearPayload(PointsSelector selector, boolean wait) {
        return submitSelected(selector, ids -> new Operation.ClearPayload(ids), true, wait);
    }

    private static byte[] requirePayload(ObjectNode payload) {
        if (payload == null) {
            throw new BadRequestException("payload is missing");
        }
        return PayloadJson.toBytes(payload);
    }

    private UpdateResult submitSelected(PointsSelector selector, Function<List<PointId>, Operation> make,
            boolean idsMustExist, boolean wait) {
        if (selector == null) {
            throw new BadRequestException("either points or filter must be given");
        }
        Durability d = wait ? Durability.DURABLE : Durability.WRITTEN;
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        switch (selector) {
            case PointsSelector.Ids ids -> {
                Map<Integer, List<PointId>> perShard = new LinkedHashMap<>();
                for (PointId id : ids.ids()) {
                    perShard.computeIfAbsent(shards.shardIdOf(id), k -> new ArrayList<>()).add(id);
                }
                if (idsMustExist && perShard.size() > 1) {
                    requireExisting(ids.ids()); // checked up front so no shard applies a partial operation
                }
                if (perShard.isEmpty()) {
                    perShard.put(0, List.of());
                }
                perShard.forEach((s, list) -> futures.add(
                        shards.get(s).submit(make.apply(list), null, idsMustExist, d)));
                return finish(futures, wait);
            }
            case PointsSelector.ByFilter f -> {
                if (f.filter() == null) {
                    throw new BadRequestException("filter is missing");
                }
                for (Shard s : shards.all()) {
                    futures.add(s.submit(make.apply(List.of()), f.filter(), false, d));
                }
                return finish(futures, wait);
            }
        }
    }

    private static UpdateResult finish(List<CompletableFuture<Long>> futures, boolean wait) {
        return new UpdateResult(awaitAll(futures), wait ? UpdateStatus.COMPLETED : UpdateStatus.ACKNOWLEDGED);
    }

    /** Waits for every shard's part; the largest operation id, or the first failure (after all are done). */
    static long awaitAll(List<CompletableFuture<Long>> futures) {
        long opId = 0;
        RuntimeException first = null;
        for (CompletableFuture<Long> f : futures) {
            try {
                opId = Math.max(opId, f.get());
            } catch (ExecutionException | CompletionException e) {
                if (first == null) {
                    first = unwrap(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the write", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return opId;
    }

    private static RuntimeException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof QuiverException q) {
            return q;
        }
        return new StorageException(String.valueOf(t), t);
    }
}
