package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The reads of one node across a collection's shards: each shard is read from its Active replicas (this node's
 * first), one after the other on failure, several at once for {@code read_fan_out_factor} or a read consistency
 * above one. Stateless apart from the data plane it uses; threadsafe (the shards are read in parallel on the data
 * plane's tasks).
 */
final class ReplicaReads {
    private final DataPlane dataPlane;
    private final long self;

    ReplicaReads(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
        this.self = dataPlane.node().peerId();
    }

    /**
     * Runs a read against one readable (Active) replica of each of {@code shards} (or as many as
     * {@code consistency} requires, combined by {@code resolve}), in parallel, preferring this node's replica and
     * trying the next Active replica when one fails; with the collection's {@code read_fan_out_factor} n, a
     * one-replica read asks n more replicas at once and takes the first answer. Results in shard order.
     */
    <T> List<T> readEach(String collection, List<Integer> shards, String kind, Function<Integer, ObjectNode> body,
            Function<JsonNode, T> decode) {
        return readEach(collection, shards, kind, body, decode, ReadConsistency.ONE, answers -> answers.get(0));
    }

    /** Qdrant's {@code read_fan_out_factor}: how many replicas beyond the first a one-replica read asks at once. */
    private static int readFanOutFactor(CollectionMetadata c) {
        JsonNode factor = c.config().path("params").path("read_fan_out_factor");
        return factor.canConvertToInt() ? Math.max(0, factor.intValue()) : 0;
    }

    /**
     * Asks the first {@code parallel} candidates at once and returns the first answer that arrives; a failed one is
     * replaced by the next candidate not asked yet. Slower answers are dropped when they come. Fails with the last
     * failure when every candidate failed.
     */
    private <T> T firstAnswer(List<Long> candidates, int parallel, String kind, ObjectNode body,
            Function<JsonNode, T> decode) {
        CompletionService<T> answers = new ExecutorCompletionService<>(dataPlane.tasks);
        int asked = 0;
        int pending = 0;
        for (; asked < parallel; asked++, pending++) {
            long peer = candidates.get(asked);
            answers.submit(() -> decode.apply(dataPlane.call(peer, kind, body, DataPlane.RPC_TIMEOUT)));
        }
        ClusterException last = null;
        while (pending > 0) {
            Future<T> done;
            try {
                done = answers.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
            }
            pending--;
            try {
                return DataPlane.await(done);
            } catch (ClusterException e) {
                last = e;
                if (asked < candidates.size()) {
                    long peer = candidates.get(asked++);
                    answers.submit(() -> decode.apply(dataPlane.call(peer, kind, body, DataPlane.RPC_TIMEOUT)));
                    pending++;
                }
            }
        }
        throw last;
    }

    <T> List<T> readEach(String collection, List<Integer> shards, String kind, Function<Integer, ObjectNode> body,
            Function<JsonNode, T> decode, ReadConsistency consistency, Function<List<T>, T> resolve) {
        CollectionMetadata c = dataPlane.collection(collection);
        List<Future<T>> futures = new ArrayList<>();
        for (int shard : shards) {
            futures.add(dataPlane.tasks.submit(() -> readShard(c, shard, kind, body.apply(shard), decode, consistency, resolve)));
        }
        List<T> out = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            out.add(DataPlane.await(f));
        }
        return out;
    }

    private <T> T readShard(CollectionMetadata c, int shard, String kind, ObjectNode body, Function<JsonNode, T> decode,
            ReadConsistency consistency, Function<List<T>, T> resolve) {
        List<Long> candidates = new ArrayList<>();
        SortedMap<Long, ReplicaState> shardReplicas = c.shards().replicas(shard);
        if (shardReplicas.get(self) == ReplicaState.Active) {
            candidates.add(self);
        }
        shardReplicas.forEach((peer, state) -> {
            if (peer != self && state == ReplicaState.Active) {
                candidates.add(peer);
            }
        });
        if (candidates.isEmpty()) {
            throw new ClusterException(Kind.UNAVAILABLE, "No active replica of shard " + shard + " of `" + c.name() + "`");
        }
        int required = consistency.required(candidates.size());
        if (required == 1) {
            int fanOut = Math.min(candidates.size() - 1, readFanOutFactor(c));
            if (fanOut > 0) {
                return firstAnswer(candidates, 1 + fanOut, kind, body, decode);
            }
            ClusterException last = null;
            for (long peer : candidates) {
                try {
                    return decode.apply(dataPlane.call(peer, kind, body, DataPlane.RPC_TIMEOUT));
                } catch (ClusterException e) {
                    last = e;
                }
            }
            throw last;
        }
        List<Future<T>> asked = new ArrayList<>();
        for (long peer : candidates) {
            asked.add(dataPlane.tasks.submit(() -> decode.apply(dataPlane.call(peer, kind, body, DataPlane.RPC_TIMEOUT))));
        }
        List<T> answers = new ArrayList<>();
        ClusterException last = null;
        for (Future<T> f : asked) {
            try {
                answers.add(DataPlane.await(f));
            } catch (ClusterException e) {
                last = e;
            }
        }
        if (answers.size() < required) {
            throw new ClusterException(Kind.UNAVAILABLE, "Read consistency " + required + " not reached on shard "
                    + shard + ": " + answers.size() + " replica(s) answered" + (last == null ? "" : " (" + last.getMessage() + ")"));
        }
        return resolve.apply(answers);
    }
}
