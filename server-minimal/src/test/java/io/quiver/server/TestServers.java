package io.quiver.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
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
}
