package io.quiver.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Quiver server in its own JVM, started like {@code ./quiver serve} (same main class, the parent pom's JVM flags,
 * QUIVER__ environment variables), with its output in a log file. Owned by one test; {@link #close()} kills it.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server on a free port of 127.0.0.1 with the given environment and arguments. */
    static ServerProcess start(Path log, Map<String, String> env, List<String> args) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("quiver.jvm.flags").trim().split("\\s+")));
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), QuiverServerMain.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("QUIVER__SERVICE__HTTP_PORT", Integer.toString(port));
        builder.environment().putAll(env);
        return new ServerProcess(builder.start(), port, log);
    }

    /**
     * Starts node {@code index} of a cluster of server processes the way an operator does ({@code --uri} on every
     * node, {@code --bootstrap} through the node on {@code bootstrapP2p} unless it is null): storage, snapshots and log
     * under {@code dir} ({@code node<i>}, {@code snap<i>}, {@code node<i>.log}), p2p on {@code p2p}, {@code extraEnv}
     * added. Returns at once; {@link #awaitReady} waits for it.
     */
    static ServerProcess startClusterNode(Path dir, int index, int p2p, Integer bootstrapP2p,
            Map<String, String> extraEnv) throws IOException {
        List<String> args = new ArrayList<>(List.of("--uri", "http://127.0.0.1:" + p2p));
        if (bootstrapP2p != null) {
            args.addAll(List.of("--bootstrap", "http://127.0.0.1:" + bootstrapP2p));
        }
        Map<String, String> env = new HashMap<>(Map.of(
                "QUIVER__CLUSTER__ENABLED", "true",
                "QUIVER__CLUSTER__P2P__PORT", Integer.toString(p2p),
                "QUIVER__STORAGE__STORAGE_PATH", dir.resolve("node" + index).toString(),
                "QUIVER__STORAGE__SNAPSHOTS_PATH", dir.resolve("snap" + index).toString()));
        env.putAll(extraEnv);
        return start(dir.resolve("node" + index + ".log"), env, args);
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    Process process() {
        return process;
    }

    /** Waits until {@code /readyz} answers 200; fails with the log when it does not within the timeout. */
    ServerProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server not ready within " + timeout + ":\n" + log());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
