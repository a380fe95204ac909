package io.quiver.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cluster benchmarks of BENCHMARKS.md (a harness, not a test): metadata operations per second through consensus,
 * leader fail-over time after SIGKILL, and catch-up time of a new node from a snapshot versus replaying a log of
 * 100 000 entries. Real SOFAJRaft nodes on 127.0.0.1, in this JVM (the killed leader in a child JVM). Arguments:
 * {@code [throughput] [latency] [failover] [catchup]} (default: all), {@code -Dbench.entries=100000}, {@code -Dbench.ops=5000}.
 */
public final class ConsensusBenchmark {
    private ConsensusBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> which = args.length == 0 ? List.of("throughput", "latency", "failover", "catchup") : Arrays.asList(args);
        Path root = Files.createTempDirectory("quiver-cluster-bench");
        try {
            if (which.contains("throughput")) {
                for (RaftLogStorageKind kind : kinds()) {
                    throughput(root.resolve("throughput-" + kind), kind);
                }
            }
            if (which.contains("latency")) {
                latency(root.resolve("latency"));
            }
            if (which.contains("failover")) {
                failover(root.resolve("failover"));
            }
            if (which.contains("catchup")) {
                for (RaftLogStorageKind kind : kinds()) {
                    catchUp(root.resolve("catchup-" + kind), kind);
                }
            }
        } finally {
            RaftDirectory.deleteTree(root);
        }
        System.exit(0);
    }

    private static List<RaftLogStorageKind> kinds() {
        String only = System.getProperty("bench.log");
        return only == null ? List.of(RaftLogStorageKind.values()) : List.of(RaftLogStorageKind.valueOf(only));
    }

    private static void throughput(Path dir, RaftLogStorageKind kind) throws Exception {
        int ops = Integer.getInteger("bench.ops", 5000);
        try (TestCluster cluster = new TestCluster(dir, kind)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            ClusterNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
            leader.propose(TestCluster.createCollection("c", leader.peerId())).get(10, TimeUnit.SECONDS);
            TestCluster.proposeAll(leader, TestCluster.configUpdates("c", 500), 64); // warm-up
            for (int window : new int[] {1, 64}) {
                for (ClusterNode proposer : List.of(leader, follower)) {
                    int count = window == 1 ? ops / 5 : ops;
                    long start = System.nanoTime();
                    TestCluster.proposeAll(proposer, TestCluster.configUpdates("c", count), window);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("throughput [%s log]: %d ops proposed on the %s, %d in flight: %.0f ops/s (%.2f ms/op)%n", kind, count,
                            proposer == leader ? "leader" : "follower (forwarded)", window, count / seconds, seconds * 1000 / count);
                }
            }
        }
    }

    /** Commit latency, one proposal at a time on the leader, 1 and 3 nodes, both log storages, two alternating rounds. */
    private static void latency(Path dir) throws Exception {
        for (int round = 1; round <= 2; round++) {
            for (int size : new int[] {1, 3}) {
                for (RaftLogStorageKind kind : kinds()) {
                    try (TestCluster cluster = new TestCluster(dir.resolve(round + "-" + size + "-" + kind), kind)) {
                        List<ClusterNode> nodes = cluster.startNodes(size);
                        ClusterNode leader = TestCluster.leaderOf(nodes);
                        leader.propose(TestCluster.createCollection("c", leader.peerId())).get(10, TimeUnit.SECONDS);
                        TestCluster.proposeAll(leader, TestCluster.configUpdates("c", 300), 1);
                        long start = System.nanoTime();
                        TestCluster.proposeAll(leader, TestCluster.configUpdates("c", 1000), 1);
                        System.out.printf("latency round %d, %d node(s), %s log: %.3f ms per committed+applied operation%n", round, size, kind,
                                (System.nanoTime() - start) / 1e6 / 1000);
                    }
                }
            }
        }
    }

    private static void failover(Path dir) throws Exception {
        List<Long> times = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            Path runDir = dir.resolve("run" + run);
            Files.createDirectories(runDir);
            times.add(FailoverTest.measureFailover(runDir));
        }
        System.out.printf("fail-over after SIGKILL of the leader (election timeout %d ms): runs %s ms%n", TestCluster.ELECTION_TIMEOUT_MS, times);
    }

    private static void catchUp(Path dir, RaftLogStorageKind kind) throws Exception {
        int entries = Integer.getInteger("bench.entries", 100_000);
        try (TestCluster cluster = new TestCluster(dir, kind)) {
            List<ClusterNode> nodes = cluster.startNodes(3);
            ClusterNode leader = TestCluster.leaderOf(nodes);
            int leaderPort = Integer.parseInt(leader.endpoint().split(":")[1]);
            for (int i = 0; i < 100; i++) {
                leader.propose(TestCluster.createCollection("c" + i, leader.peerId())).get(10, TimeUnit.SECONDS);
            }
            long start = System.nanoTime();
            List<MetadataOperation> operations = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                operations.add(TestCluster.configUpdates("c" + (i % 100), 1).get(0));
            }
            TestCluster.proposeAll(leader, operations, 128);
            System.out.printf("catch-up [" + kind + " log]: wrote %d entries in %.1f s; leader log index %d%n", entries, (System.nanoTime() - start) / 1e9,
                    leader.raftNode().getLastLogIndex());

            long replay = joinAndMeasure(cluster, leader, leaderPort, "replay");
            for (ClusterNode node : cluster.nodes) {
                if (node.raftNode() != null) {
                    node.snapshotNow().get(60, TimeUnit.SECONDS);
                }
            }
            TestCluster.proposeAll(leader, TestCluster.configUpdates("c0", 10), 10);
            for (ClusterNode node : cluster.nodes) {
                if (node.raftNode() != null) {
                    node.snapshotNow().get(60, TimeUnit.SECONDS); // the second snapshot truncates the log behind the first
                }
            }
            System.out.printf("catch-up: leader log now starts at %d, snapshot at %d%n", RaftLogInspector.firstLogIndex(leader.raftNode()),
                    TestCluster.snapshotIndexOf(leader));
            long fromSnapshot = joinAndMeasure(cluster, leader, leaderPort, "snapshot");
            System.out.printf("catch-up [" + kind + " log] of a new node, log of %d entries: replaying the log %d ms, installing the snapshot %d ms%n",
                    entries, replay, fromSnapshot);
        }
    }

    private static long joinAndMeasure(TestCluster cluster, ClusterNode leader, int leaderPort, String name) throws Exception {
        long start = System.nanoTime();
        ClusterNode joiner = cluster.start(TestCluster.options(cluster.root.resolve(name), TestCluster.freePort(), leaderPort)
                .withLogStorage(cluster.logStorage)
                .withOperationTimeout(Duration.ofSeconds(120)).withJoinTimeout(Duration.ofSeconds(60)));
        CompletableFuture<Void> ready = joiner.ready();
        ready.get(300, TimeUnit.SECONDS);
        TestCluster.await("joiner equals leader", Duration.ofSeconds(300), () -> joiner.metadata().equals(leader.metadata()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("catch-up (%s): %d ms, %d snapshot(s) loaded, %d entries applied%n", name, millis,
                joiner.stateMachine().snapshotsLoaded(), joiner.stateMachine().entriesApplied());
        return millis;
    }
}
