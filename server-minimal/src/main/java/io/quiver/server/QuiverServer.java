package io.quiver.server;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import io.quiver.cluster.ClusterCollectionCatalog;
import io.quiver.cluster.ClusterNode;
import io.quiver.cluster.CollectionCatalog;
import io.quiver.cluster.LocalCollectionCatalog;
import io.quiver.cluster.PeerIdFile;
import io.quiver.engine.Quiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One Quiver node behind HTTP: opens the engine on {@code storage.storage_path} (standalone) or joins the cluster's
 * consensus and opens this node's replicas (cluster mode), binds {@code service.host:service.http_port} and serves
 * Qdrant's REST API, one virtual thread per request. Owns the collection catalog, the consensus node, the listening
 * socket and the request executor; {@link #close()} stops accepting, lets requests in flight finish, then closes the
 * catalog (which flushes) and leaves consensus. Threadsafe: start and close from any one thread.
 */
public final class QuiverServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuiverServer.class);

    private final QuiverConfig config;
    private final HttpServer http;
    private final ExecutorService requests;
    private final CollectionCatalog catalog;
    private final ClusterNode clusterNode;
    private final ServerMetrics metrics;
    private volatile boolean ready;
    private volatile boolean closed;

    private QuiverServer(QuiverConfig config, HttpServer http, ExecutorService requests, CollectionCatalog catalog,
                         ClusterNode clusterNode, ServerMetrics metrics) {
        this.config = config;
        this.http = http;
        this.requests = requests;
        this.catalog = catalog;
        this.clusterNode = clusterNode;
        this.metrics = metrics;
    }

    /**
     * Opens the storage (recovering it), starts consensus when {@code cluster.enabled}, binds the port and starts
     * serving.
     */
    public static QuiverServer start(QuiverConfig config) throws IOException {
        config.warnings().forEach(LOG::warn);
        Files.createDirectories(config.storagePath());
        Files.createDirectories(config.snapshotsPath());
        ObjectMapper json = jsonMapper();
        BuildInfo build = BuildInfo.load();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            List<Route> routes = new ArrayList<>();
            ClusterNode node = null;
            CollectionCatalog catalog;
            long peerId;
            if (config.clusterEnabled()) {
                node = ClusterNode.start(config.clusterNodeOptions());
                opened.add(node);
                peerId = node.peerId();
                Quiver replicas = Quiver.open(config.storagePath().resolve("replicas"));
                opened.add(replicas);
                ClusterCollectionCatalog clustered = new ClusterCollectionCatalog(node, replicas, peerId);
                catalog = clustered;
                routes.addAll(new ClusterRoutes(node, clustered).routes());
            } else {
                peerId = PeerIdFile.loadOrCreate(config.storagePath());
                catalog = new LocalCollectionCatalog(Quiver.open(config.storagePath()), peerId);
                routes.addAll(new StandaloneClusterRoutes(json).routes());
            }
            opened.add(catalog);
            HttpServer http;
            try {
                http = HttpServer.create(new InetSocketAddress(config.host(), config.httpPort()), 1024);
            } catch (IOException e) {
                throw new IOException("cannot bind " + config.host() + ":" + config.httpPort() + ": " + e.getMessage(), e);
            }
            ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
            http.setExecutor(requests);
            ServerMetrics metrics = new ServerMetrics();
            QuiverServer server = new QuiverServer(config, http, requests, catalog, node, metrics);

            // in a cluster the Listener rule is per replica (its own replica acks at WAL, ReplicaWrites); the
            // client's wait still holds for the Active replicas
            CollectionLookup collections = new CollectionLookup(catalog,
                    config.nodeType().equals("Listener") && node == null);
            routes.addAll(new ServiceRoutes(build, collections, metrics, () -> server.ready && catalog.ready(),
                    config.metricsPrefix(), peerId, json).routes());
            routes.addAll(new CollectionRoutes(collections, config.collectionDefaults(), json).routes());
            routes.addAll(new AliasRoutes(collections, json).routes());
            routes.addAll(new PointRoutes(collections, json).routes());
            routes.addAll(new SearchRoutes(collections, json).routes());
            routes.addAll(new GroupRoutes(collections, json).routes());
            routes.addAll(new FacetRoutes(collections, json).routes());
            routes.addAll(new DistanceMatrixRoutes(collections).routes());
            SnapshotRoutes snapshots = new SnapshotRoutes(collections, config.snapshotsPath(), json);
            snapshots.deleteLeftoverUploads();
            routes.addAll(snapshots.routes());
            routes.addAll(FullSnapshotRoutes.open(catalog, config.snapshotsPath(), json).routes());
            http.createContext("/", new Dispatcher(routes, new ApiKeyGuard(config.apiKey(), config.readOnlyApiKey()),
                    metrics, new ErrorMapper(), json, config.maxRequestBytes(), config.enableCors()));
            http.start();
            server.ready = true;
            LOG.info("Quiver {} (Qdrant API {}) serving on http://{}:{}/, storage in {}{}",
                    build.quiverVersion(), build.apiVersion(), config.host(), server.port(),
                    config.storagePath().toAbsolutePath(),
                    node == null ? "" : ", cluster peer " + peerId + " on p2p " + node.endpoint());
            return server;
        } catch (IOException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /**
     * Jackson as the REST API needs it, reading as serde_json does: NaN and other non-standard tokens rejected
     * (Jackson's default), anything after the body's one JSON value but whitespace rejected
     * ({@code FAIL_ON_TRAILING_TOKENS}), nesting bounded so a hostile body cannot exhaust the stack; repeated keys in
     * an object are kept as they are (the last wins), since Qdrant accepts them in payloads. Writing: non-finite
     * numbers become {@code null} ({@link NonFiniteAsNullGenerator}).
     */
    static ObjectMapper jsonMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
                .addDecorator((f, generator) -> new NonFiniteAsNullGenerator(generator))
                .build();
        return JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    /** The bound port (useful when {@code http_port} was 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public QuiverConfig config() {
        return config;
    }

    /** The collections this node serves. */
    public CollectionCatalog catalog() {
        return catalog;
    }

    /** This node's consensus member, or null when the cluster is disabled. */
    public ClusterNode clusterNode() {
        return clusterNode;
    }

    /** Requests served for a route template and method (tests and telemetry). */
    public long requestCount(String method, String template) {
        return metrics.count(method, template);
    }

    /** Stops accepting, lets requests in flight finish, then closes the engine. Idempotent. */
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
            if (!requests.awaitTermination(10, TimeUnit.SECONDS)) {
                requests.shutdownNow();
            }
        } catch (InterruptedException e) {
            requests.shutdownNow();
            Thread.currentThread().interrupt();
        }
        catalog.close();
        if (clusterNode != null) {
            clusterNode.close();
        }
        LOG.info("Quiver server stopped");
    }
}
