package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.Collection;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.snapshot.SnapshotArchive;
import io.quiver.engine.snapshot.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Shard transfer by snapshot (Qdrant's {@code method: "snapshot"}). On the ordering replica, under the shard's lock:
 * the transfer is started through consensus, the target emptied, and a snapshot of the shard (segments, no WAL)
 * captured, from which point the shard's writes meant for the target are queued here instead of sent. The archive is
 * then written and shipped to the target in chunks over the data plane, the target replaces its replica by it, the
 * queue is replayed to the target in order (its tail under the lock), and the transfer finishes. The archive holds
 * exactly the writes ordered before the capture and the queue exactly those after, so none is lost or applied twice.
 * Threadsafe: each transfer runs on one data-plane task; queues are filled by writers under the shard's lock.
 */
final class SnapshotShardTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotShardTransfer.class);
    static final String METHOD = "snapshot";
    static final int CHUNK_BYTES = 1 << 20;
    /** Writes queued for one target beyond this abort the transfer (the target is recovered later). */
    static final int MAX_QUEUED = 200_000;

    /** Writes ordered for a snapshot-transfer target since its capture; appended under the shard's lock. */
    static final class Queue {
        private final List<ShardOperation> operations = new ArrayList<>();
        private boolean overflowed;

        synchronized void add(ShardOperation operation) {
            if (operations.size() >= MAX_QUEUED) {
                overflowed = true;
                return;
            }
            operations.add(operation);
        }

        synchronized List<ShardOperation> drain() {
            if (overflowed) {
                throw new ClusterException(Kind.UNAVAILABLE, "more than " + MAX_QUEUED
                        + " writes queued during a snapshot transfer");
            }
            List<ShardOperation> out = new ArrayList<>(operations);
            operations.clear();
            return out;
        }
    }

    private final DataPlane dataPlane;
    private final long self;
    private final Path workDir;
    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();

    SnapshotShardTransfer(DataPlane dataPlane, Path workDir) {
        this.dataPlane = dataPlane;
        this.self = dataPlane.node().peerId();
        this.workDir = workDir;
    }

    private static String key(String collection, int shard, long to) {
        return LocalReplicas.name(collection, shard) + "->" + to;
    }

    /** The queue of a target that receives its writes by a running snapshot transfer, or null. */
    Queue queueFor(String collection, int shard, long peer) {
        return queues.get(key(collection, shard, peer));
    }

    /**
     * Source side, called under the shard's lock once the transfer is in the metadata and the target is empty:
     * captures the snapshot (the lock keeps writes out until then) and starts queueing the target's writes.
     * Returns the archive being written; the caller ships it outside the lock.
     */
    CompletableFuture<Path> captureUnderLock(String collection, int shard, long to) {
        Collection replica = dataPlane.localReplica(collection, shard);
        CollectionConfig config = CollectionConfig.fromJson(dataPlane.collection(collection).config());
        CompletableFuture<Void> captured = new CompletableFuture<>();
        CompletableFuture<Path> written = new CompletableFuture<>();
        Thread.ofVirtual().name("snapshot-transfer-" + key(collection, shard, to)).start(() -> {
            Path archive = null;
            try {
                Files.createDirectories(workDir);
                archive = Files.createTempFile(workDir, "out-" + LocalReplicas.name(collection, shard) + "-", ".snapshot");
                try (OutputStream out = Files.newOutputStream(archive, StandardOpenOption.TRUNCATE_EXISTING);
                     SnapshotArchive.Writer w = new SnapshotArchive.Writer(out, collection)) {
                    w.writeConfig(replica.snapshotConfigJson(config));
                    replica.writeShardSnapshot(w, 0, shard, false, () -> {
                        queues.put(key(collection, shard, to), new Queue());
                        captured.complete(null);
                    });
                    w.finish();
                }
                written.complete(archive);
            } catch (Throwable e) {
                captured.completeExceptionally(e);
                written.completeExceptionally(e);
                deleteQuietly(archive);
            }
        });
        try {
            captured.get(DataPlane.LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(Kind.UNAVAILABLE, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new ClusterException(Kind.INTERNAL, "cannot capture a snapshot of shard " + shard + ": "
                    + (e.getCause() == null ? e : e.getCause()));
        }
        return written;
    }

    /**
     * Source side, outside the lock: ships the archive, has the target recover it, replays the queued writes and
     * finishes the transfer (the queue's tail and the finish under the shard's lock).
     */
    void complete(String collection, int shard, long from, long to, boolean recovery, CompletableFuture<Path> written) {
        Path archive = null;
        try {
            archive = written.get(10, TimeUnit.MINUTES);
            String sha256 = SnapshotStore.sha256Hex(archive);
            long size = Files.size(archive);
            byte[] buffer = new byte[CHUNK_BYTES];
            try (InputStream in = Files.newInputStream(archive)) {
                long sent = 0;
                int seq = 0;
                do {
                    int n = in.readNBytes(buffer, 0, buffer.length);
                    ObjectNode msg = DataPlane.message(collection, shard).put("from", from).put("seq", seq++)
                            .put("data", java.util.Arrays.copyOf(buffer, n));
                    dataPlane.call(to, "snapshot-chunk", msg, DataPlane.RPC_TIMEOUT);
                    sent += n;
                } while (sent < size);
            }
            // "from" is the transfer's recorded source (the target looks the transfer up by it), not this orderer
            ObjectNode recover = DataPlane.message(collection, shard).put("from", from).put("sha256", sha256);
            dataPlane.call(to, "snapshot-recover", recover, java.time.Duration.ofMinutes(5));
            Queue queue = queues.get(key(collection, shard, to));
            for (ShardOperation op : queue.drain()) {
                replay(collection, shard, to, op);
            }
            dataPlane.underShardLock(collection, shard, () -> {
                if (!dataPlane.transfers().stillRunning(collection, shard, from, to)) {
                    throw new ClusterException(Kind.UNAVAILABLE, "the transfer was aborted");
                }
                for (ShardOperation op : queue.drain()) {
                    replay(collection, shard, to, op);
                }
                queues.remove(key(collection, shard, to));
                dataPlane.propose(new MetadataOperation.FinishTransfer(collection, shard, from, to));
                return null;
            });
            LOG.info("peer {}: snapshot transfer of shard {} of `{}` to {} done ({} bytes)", self, shard, collection,
                    to, size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(collection, shard, from, to, recovery, e);
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            fail(collection, shard, from, to, recovery, e);
        } finally {
            queues.remove(key(collection, shard, to));
            deleteQuietly(archive);
        }
    }

    private void replay(String collection, int shard, long to, ShardOperation op) {
        ObjectNode msg = DataPlane.message(collection, shard).put("wait", false).put("from", self);
        msg.set("op", op.json());
        dataPlane.call(to, "apply", msg, DataPlane.RPC_TIMEOUT);
    }

    private void fail(String collection, int shard, long from, long to, boolean recovery, Throwable e) {
        LOG.warn("peer {}: snapshot transfer of shard {} of `{}` to {} failed: {}", self, shard, collection, to,
                e.toString());
        queues.remove(key(collection, shard, to));
        try {
            dataPlane.transfers().abort(collection, shard, from, to, recovery);
        } catch (RuntimeException again) {
            LOG.warn("peer {}: cannot abort the transfer: {}", self, again.getMessage());
        }
    }

    // ---------------------------------------------------------------- target side

    private Path incoming(String collection, int shard, long from) {
        return workDir.resolve("in-" + LocalReplicas.name(collection, shard) + "-" + from + ".snapshot");
    }

    /** Target side: appends one chunk (the first one starts the file afresh). */
    void receiveChunk(String collection, int shard, long from, JsonNode body) throws IOException {
        requireTransfer(collection, shard, from);
        Path file = incoming(collection, shard, from);
        Files.createDirectories(workDir);
        boolean first = body.get("seq").asInt() == 0;
        Files.write(file, body.get("data").binaryValue(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                first ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
    }

    /** Target side: replaces the local replica by the received archive (checked against its SHA-256). */
    void recover(String collection, int shard, long from, String sha256) {
        requireTransfer(collection, shard, from);
        Path file = incoming(collection, shard, from);
        try {
            dataPlane.localReplica(collection, shard).recoverShardSnapshot(0, file.toUri(), sha256, workDir, -1);
            dataPlane.replicas().recovered(collection, shard);
        } finally {
            deleteQuietly(file);
        }
    }

    private void requireTransfer(String collection, int shard, long from) {
        for (int attempt = 0; attempt < 2; attempt++) {
            CollectionMetadata c = dataPlane.node().metadata().collection(collection);
            if (c != null && c.transfers().stream().anyMatch(t -> t.matches(shard, from, self))) {
                return;
            }
            if (attempt == 0) {
                dataPlane.catchUp(); // this node may lag the source by a heartbeat
            }
        }
        throw new ClusterException(Kind.BAD_REQUEST, "no transfer of shard " + shard + " of `" + collection
                + "` from peer " + from + " to peer " + self);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", file, e);
            }
        }
    }
}
