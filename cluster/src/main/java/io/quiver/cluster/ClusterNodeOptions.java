package io.quiver.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to start a {@link ClusterNode}. Immutable value; threadsafe. Start from {@link #of(Path, int)} and adjust with
 * the {@code with*} methods.
 *
 * @param storageDir           the node's storage directory; Raft data goes to {@code raft/}, the id to {@code peer_id}
 * @param p2pHost              address the p2p (Raft + cluster RPC) server binds and is reached at
 * @param p2pPort              the p2p port ({@code cluster.p2p.port})
 * @param uri                  this node's URI as other peers see it ({@code --uri}); null = {@code http://host:port}
 * @param bootstrapUri         a member's p2p URI to join through ({@code --bootstrap}); null = first node
 * @param nodeType             {@code storage.node_type}
 * @param snapshotIntervalSecs periodic snapshot interval; 0 or less disables periodic snapshots
 * @param electionTimeoutMs    Raft election timeout
 * @param joinTimeout          how long start() keeps trying to join through the bootstrap peer
 * @param operationTimeout     how long a proposal / recover / peer removal may take before it fails
 * @param logStorage           where the Raft log lives (Quiver's WAL or SOFAJRaft's RocksDB); fixed per storage dir
 * @param snapshotEveryEntries also snapshot once this many entries were applied since the last snapshot (Qdrant's
 *                             {@code cluster.consensus.compact_wal_entries}); 0 or less disables it
 */
public record ClusterNodeOptions(Path storageDir, String p2pHost, int p2pPort, String uri, String bootstrapUri, NodeType nodeType,
        int snapshotIntervalSecs, int electionTimeoutMs, Duration joinTimeout, Duration operationTimeout, RaftLogStorageKind logStorage,
        int snapshotEveryEntries) {

    public ClusterNodeOptions {
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(p2pHost, "p2pHost");
        Objects.requireNonNull(nodeType, "nodeType");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(logStorage, "logStorage");
        if (p2pPort <= 0 || p2pPort > 65535) {
            throw new IllegalArgumentException("p2p port out of range: " + p2pPort);
        }
        if (electionTimeoutMs <= 0) {
            throw new IllegalArgumentException("election timeout must be positive: " + electionTimeoutMs);
        }
        if (uri == null) {
            uri = "http://" + p2pHost + ":" + p2pPort;
        }
    }

    /** Defaults: host 127.0.0.1, Normal node, first node, snapshots every hour, 1 s election timeout, WAL log. */
    public static ClusterNodeOptions of(Path storageDir, int p2pPort) {
        return new ClusterNodeOptions(storageDir, "127.0.0.1", p2pPort, null, null, NodeType.Normal, 3600, 1000,
                Duration.ofSeconds(30), Duration.ofSeconds(10), RaftLogStorageKind.WAL, 0);
    }

    public ClusterNodeOptions withP2pHost(String host) {
        return new ClusterNodeOptions(storageDir, host, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withUri(String newUri) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, newUri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withBootstrapUri(String newBootstrapUri) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, newBootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withNodeType(NodeType newNodeType) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, newNodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withSnapshotIntervalSecs(int seconds) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, seconds, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withElectionTimeoutMs(int millis) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, millis, joinTimeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withJoinTimeout(Duration timeout) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, timeout, operationTimeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withOperationTimeout(Duration timeout) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, timeout, logStorage, snapshotEveryEntries);
    }

    public ClusterNodeOptions withLogStorage(RaftLogStorageKind kind) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, kind, snapshotEveryEntries);
    }

    public ClusterNodeOptions withSnapshotEveryEntries(int entries) {
        return new ClusterNodeOptions(storageDir, p2pHost, p2pPort, uri, bootstrapUri, nodeType, snapshotIntervalSecs, electionTimeoutMs, joinTimeout, operationTimeout, logStorage, entries);
    }
}
