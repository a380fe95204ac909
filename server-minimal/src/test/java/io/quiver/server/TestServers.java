package io.quiver.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts Quiver servers for REST tests over a real socket: 127.0.0.1, an ephemeral port, storage and snapshots under
 * the test's directory. Stateless; the caller closes the server.
 */
final class TestServers {

    private TestServers() {
    }

    /**
     * A started server keeping its storage in {@code dir/storage} and its snapshots in {@code dir/snapshots} (the same
     * directories again after a restart); {@code env} adds {@code QUIVER__…} settings as name, value pairs.
     */
    static QuiverServer start(Path dir, String... env) throws IOException {
        if (env.length % 2 != 0) {
            throw new IllegalArgumentException("settings come as name, value pairs");
        }
        Map<String, String> vars = new HashMap<>();
        vars.put("QUIVER__SERVICE__HOST", "127.0.0.1");
        vars.put("QUIVER__SERVICE__HTTP_PORT", "0");
        vars.put("QUIVER__STORAGE__STORAGE_PATH", dir.resolve("storage").toString());
        vars.put("QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snapshots").toString());
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        return QuiverServer.start(QuiverConfig.load(null, vars, Map.of()));
    }

    /**
     * A started in-JVM cluster node keeping its storage under {@code dir} (as {@link #start}), its p2p port
     * {@code p2p}, joining the cluster through the node on {@code bootstrapP2p} (null: the first node).
     */
    static QuiverServer startClusterNode(Path dir, int p2p, Integer bootstrapP2p) throws IOException {
        List<String> env = new ArrayList<>(List.of("QUIVER__CLUSTER__ENABLED", "true",
                "QUIVER__CLUSTER__P2P__PORT", Integer.toString(p2p),
                "QUIVER__CLUSTER__P2P__URI", "http://127.0.0.1:" + p2p));
        if (bootstrapP2p != null) {
            env.addAll(List.of("QUIVER__CLUSTER__P2P__BOOTSTRAP", "http://127.0.0.1:" + bootstrapP2p));
        }
        return start(dir, env.toArray(String[]::new));
    }

    /**
     * Two in-JVM cluster nodes on 127.0.0.1 (storage under {@code dir/n0} and {@code dir/n1}), the second joined
     * through the first, each seeing both peers and a leader once {@link #start} returns; a client to each. Closes
     * both. Used by one test thread.
     */
    record TwoNodes(QuiverServer node0, QuiverServer node1, List<RestClient> clients) implements AutoCloseable {
        static TwoNodes start(Path dir) throws IOException, InterruptedException {
            int p2p0 = ServerProcess.freePort();
            int p2p1 = ServerProcess.freePort();
            QuiverServer node0 = startClusterNode(dir.resolve("n0"), p2p0, null);
            QuiverServer node1 = null;
            try {
                node1 = startClusterNode(dir.resolve("n1"), p2p1, p2p0);
                TwoNodes nodes = new TwoNodes(node0, node1,
                        List.of(new RestClient(node0.port()), new RestClient(node1.port())));
                awaitCluster(nodes.clients(), 2);
                return nodes;
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                if (node1 != null) {
                    node1.close();
                }
                node0.close();
                throw e;
            }
        }

        /**
         * Waits (up to 30 s each) until both nodes have collection {@code name} and see every one of its shards with
         * an Active replica, wherever placement put them.
         */
        void awaitCollection(String name) throws InterruptedException {
            for (RestClient client : clients) {
                client.eventually("/collections/" + name + "/exists", e -> e.get("exists").asBoolean(),
                        "the collection on both nodes", Duration.ofSeconds(30));
                client.eventually("/collections/" + name + "/cluster", TwoNodes::everyShardActive,
                        "every shard active, seen from each node", Duration.ofSeconds(30));
            }
        }

        private static boolean everyShardActive(com.fasterxml.jackson.databind.JsonNode cluster) {
            java.util.Set<Integer> active = new java.util.HashSet<>();
            for (String kind : List.of("local_shards", "remote_shards")) {
                for (com.fasterxml.jackson.databind.JsonNode shard : cluster.get(kind)) {
                    if (shard.get("state").asText().equals("Active")) {
                        active.add(shard.get("shard_id").asInt());
                    }
                }
            }
            return active.size() == cluster.get("shard_count").asInt();
        }

        @Override
        public void close() {
            try {
                node1.close();
            } finally {
                node0.close();
            }
        }
    }

    /** Waits (up to 60 s) until the node of every client sees {@code peers} peers and a leader. */
    static void awaitCluster(List<RestClient> clients, int peers) throws InterruptedException {
        for (RestClient client : clients) {
            client.eventually("/cluster", s -> s.path("peers").size() == peers
                    && !s.path("raft_info").path("leader").isNull(), peers + " peers and a leader", Duration.ofSeconds(60));
        }
    }
}
