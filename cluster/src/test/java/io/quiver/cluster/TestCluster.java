package io.quiver.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test fixture: real SOFAJRaft nodes on 127.0.0.1 free ports with short timeouts, in this JVM. Owned by one test;
 * closes every node it started. Not threadsafe.
 */
final class TestCluster implements AutoCloseable {
    static final int ELECTION_TIMEOUT_MS = 1000;
    static final ObjectMapper MAPPER = new ObjectMapper();

    final Path root;
    final RaftLogStorageKind logStorage;
    final List<ClusterNode> nodes = new ArrayList<>();
    final Map<ClusterNode, ClusterNodeOptions> optionsOf = new java.util.HashMap<>();

    TestCluster(Path root) {
        this(root, RaftLogStorageKind.WAL);
    }

    TestCluster(Path root, RaftLogStorageKind logStorage) {
        this.root = root;
        this.logStorage = logStorage;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static ClusterNodeOptions options(Path storage, int port, Integer bootstrapPort) {
        ClusterNodeOptions options = ClusterNodeOptions.of(storage, port)
                .withElectionTimeoutMs(ELECTION_TIMEOUT_MS)
                .withSnapshotIntervalSecs(0)
                .withJoinTimeout(Duration.ofSeconds(20))
                .withOperationTimeout(Duration.ofSeconds(10));
        return bootstrapPort == null ? options : options.withBootstrapUri("http://127.0.0.1:" + bootstrapPort);
    }

    ClusterNode start(String name, int port, Integer bootstrapPort) throws Exception {
        return start(options(root.resolve(name), port, bootstrapPort).withLogStorage(logStorage));
    }

    /**
     * Starts a node; when its port is still held by a node just closed on it (the RPC server releases it
     * asynchronously), tries again for up to 10 s.
     */
    ClusterNode start(ClusterNodeOptions options) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                ClusterNode node = ClusterNode.start(options);
                nodes.add(node);
                optionsOf.put(node, options);
                return node;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Closes a node (if still open) and starts it again on the same storage and port. */
    ClusterNode restart(ClusterNode node) throws Exception {
        node.close();
        return start(optionsOf.get(node));
    }

    /** Proposes operations with up to {@code window} in flight at once; waits for all. */
    static void proposeAll(ClusterNode node, List<MetadataOperation> operations, int window) throws Exception {
        List<java.util.concurrent.CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (MetadataOperation operation : operations) {
            inFlight.add(node.propose(operation));
            if (inFlight.size() >= window) {
                for (var future : inFlight) {
                    future.get(20, TimeUnit.SECONDS);
                }
                inFlight.clear();
            }
        }
        for (var future : inFlight) {
            future.get(20, TimeUnit.SECONDS);
        }
    }

    /** {@code count} config updates of collection {@code name} (which must exist). */
    static List<MetadataOperation> configUpdates(String name, int count) {
        List<MetadataOperation> operations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode patch = MAPPER.createObjectNode();
            patch.putObject("optimizers_config").put("indexing_threshold", i);
            operations.add(new MetadataOperation.UpdateCollectionConfig(name, patch));
        }
        return operations;
    }

    static long snapshotIndexOf(ClusterNode node) throws IOException {
        Path latest = node.raftDirectory().latestSnapshot();
        return latest == null ? 0 : Long.parseLong(latest.getFileName().toString().substring("snapshot_".length()));
    }

    /** Starts {@code count} nodes (the first bootstraps the others) and waits until all are registered. */
    List<ClusterNode> startNodes(int count) throws Exception {
        List<ClusterNode> started = new ArrayList<>();
        int firstPort = freePort();
        started.add(start("n0", firstPort, null));
        started.get(0).ready().get(20, TimeUnit.SECONDS);
        for (int i = 1; i < count; i++) {
            started.add(start("n" + i, freePort(), firstPort));
        }
        for (ClusterNode node : started) {
            node.ready().get(20, TimeUnit.SECONDS);
        }
        for (ClusterNode node : started) {
            await("all peers registered on " + node.peerId(), Duration.ofSeconds(10), () -> node.metadata().peers().size() == count);
        }
        return started;
    }

    static ClusterNode leaderOf(List<ClusterNode> candidates) {
        await("a leader", Duration.ofSeconds(10), () -> candidates.stream().filter(ClusterNode::isLeader).count() == 1);
        return candidates.stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                printThreadDump(what);
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Prints every thread's stack, virtual threads included (the repair and write paths run on them), so that a
     * timed-out wait leaves a trace of what the nodes were doing in the test's output.
     */
    private static void printThreadDump(String what) {
        try {
            Path file = Files.createTempDirectory("quiver-threads").resolve("dump.txt");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            System.out.println("thread dump after waiting in vain for " + what + ":\n"
                    + Files.readString(file));
        } catch (Exception | Error e) {
            System.out.println("no thread dump after waiting in vain for " + what + ": " + e);
        }
    }

    static ObjectNode config(int vectorSize) {
        ObjectNode config = MAPPER.createObjectNode();
        config.putObject("vectors").put("size", vectorSize).put("distance", "Cosine");
        config.put("shard_number", 1).put("replication_factor", 1);
        return config;
    }

    static MetadataOperation.CreateCollection createCollection(String name, long... peers) {
        java.util.SortedMap<Long, ReplicaState> replicas = new java.util.TreeMap<>();
        for (long peer : peers) {
            replicas.put(peer, ReplicaState.Active);
        }
        return MetadataOperation.CreateCollection.of(name, config(4), Map.of(0, replicas));
    }

    @Override
    public void close() {
        for (ClusterNode node : nodes) {
            node.close();
        }
    }
}
