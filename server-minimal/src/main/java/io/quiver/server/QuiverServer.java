package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front of one Quiver node: binds {@code service.host:service.http_port} and serves Qdrant's REST API, one
 * virtual thread per request. Owns the listening socket and the request executor; {@link #close()} stops accepting,
 * lets requests in flight finish, then releases both. Threadsafe: start and close from any one thread.
 */
public final class QuiverServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuiverServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QuiverConfig config;
    private final BuildInfo build;
    private final HttpServer http;
    private final ExecutorService requests;
    private volatile boolean ready;
    private volatile boolean closed;

    private QuiverServer(QuiverConfig config, BuildInfo build, HttpServer http, ExecutorService requests) {
        this.config = config;
        this.build = build;
        this.http = http;
        this.requests = requests;
    }

    /** Creates the storage and snapshot directories, binds the port and starts serving. */
    public static QuiverServer start(QuiverConfig config) throws IOException {
        Files.createDirectories(config.storagePath());
        Files.createDirectories(config.snapshotsPath());
        HttpServer http = HttpServer.create(new InetSocketAddress(config.host(), config.httpPort()), 1024);
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(requests);
        QuiverServer server = new QuiverServer(config, BuildInfo.load(), http, requests);
        server.routes();
        http.start();
        server.ready = true;
        LOG.info("Quiver {} (Qdrant API {}) serving on http://{}:{}/, storage in {}",
                server.build.quiverVersion(), server.build.apiVersion(), config.host(), server.port(),
                config.storagePath().toAbsolutePath());
        return server;
    }

    /** The bound port (useful when {@code http_port} was 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public QuiverConfig config() {
        return config;
    }

    private void routes() {
        http.createContext("/", this::root);
        http.createContext("/healthz", exchange -> plain(exchange, 200, "healthz check passed"));
        http.createContext("/livez", exchange -> plain(exchange, 200, "healthz check passed"));
        http.createContext("/readyz", exchange -> {
            if (ready) {
                plain(exchange, 200, "all shards are ready");
            } else {
                plain(exchange, 503, "some shards are not ready");
            }
        });
    }

    private void root(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            errorEnvelope(exchange, 404, "Not found: " + exchange.getRequestURI().getPath());
            return;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("title", "quiver - vector search engine")
                .put("version", build.apiVersion())
                .put("commit", build.commit())
                .put("quiver_version", build.quiverVersion());
        send(exchange, 200, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void errorEnvelope(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("status").put("error", message);
        body.put("time", 0.0);
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void plain(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** Stops accepting, waits briefly for requests in flight, then releases the executor. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        http.stop(2);
        requests.shutdown();
        try {
            if (!requests.awaitTermination(5, TimeUnit.SECONDS)) {
                requests.shutdownNow();
            }
        } catch (InterruptedException e) {
            requests.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("Quiver server stopped");
    }
}
