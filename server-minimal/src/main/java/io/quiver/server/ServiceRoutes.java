package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.quiver.server.Route.Access.OPEN;
import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's service endpoints: {@code GET /} (bare JSON, no envelope), the plain-text probes {@code /healthz},
 * {@code /livez}, {@code /readyz}, {@code GET /telemetry} and {@code GET /metrics} (Prometheus text). Threadsafe.
 */
final class ServiceRoutes {
    private final BuildInfo build;
    private final CollectionLookup collections;
    private final ServerMetrics metrics;
    private final BooleanSupplier ready;
    private final String metricsPrefix;
    private final long peerId;
    private final long startedMillis = System.currentTimeMillis();
    private final ObjectMapper json;

    ServiceRoutes(BuildInfo build, CollectionLookup collections, ServerMetrics metrics, BooleanSupplier ready,
                  String metricsPrefix, long peerId, ObjectMapper json) {
        this.build = build;
        this.collections = collections;
        this.metrics = metrics;
        this.ready = ready;
        this.metricsPrefix = metricsPrefix == null ? "" : metricsPrefix;
        this.peerId = peerId;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/", OPEN, this::root),
                new Route("GET", "/healthz", OPEN, r -> ApiResponse.text(200, "healthz check passed")),
                new Route("GET", "/livez", OPEN, r -> ApiResponse.text(200, "healthz check passed")),
                new Route("GET", "/readyz", OPEN, r -> ready.getAsBoolean()
                        ? ApiResponse.text(200, "all shards are ready")
                        : ApiResponse.text(503, "some shards are not ready")),
                new Route("GET", "/telemetry", READ, this::telemetry),
                new Route("GET", "/metrics", READ, this::metrics));
    }

    private ApiResponse root(ApiRequest request) throws Exception {
        ObjectNode body = json.createObjectNode()
                .put("title", "qdrant - vector search engine")
                .put("version", build.apiVersion())
                .put("commit", build.commit())
                .put("quiver_version", build.quiverVersion());
        return new ApiResponse.Raw(200, "application/json", json.writeValueAsBytes(body));
    }

    private ApiResponse telemetry(ApiRequest request) {
        request.queryFlag("anonymize", false);
        request.queryInt("details_level", 0, 0);
        ObjectNode result = json.createObjectNode();
        result.put("id", Long.toUnsignedString(peerId));
        ObjectNode app = result.putObject("app");
        app.put("name", "quiver");
        app.put("version", build.apiVersion());
        app.put("quiver_version", build.quiverVersion());
        app.put("startup", java.time.Instant.ofEpochMilli(startedMillis).toString());
        ObjectNode system = app.putObject("system");
        system.put("cores", Runtime.getRuntime().availableProcessors());
        system.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        ObjectNode cols = result.putObject("collections");
        List<String> names = collections.catalog().names();
        cols.put("number_of_collections", names.size());
        cols.put("local_searches", collections.catalog().localSearchCount());
        result.putObject("cluster").put("enabled", false);
        return ApiResponse.ok(result);
    }

    private ApiResponse metrics(ApiRequest request) {
        request.queryFlag("anonymize", false);
        StringBuilder out = new StringBuilder(4096);
        String p = metricsPrefix;
        out.append("# HELP ").append(p).append("app_info information about the server\n");
        out.append("# TYPE ").append(p).append("app_info gauge\n");
        // name="qdrant", as the spec (§2) shows it: dashboards written for Qdrant select on it
        out.append(p).append("app_info{name=\"qdrant\",version=\"").append(build.apiVersion()).append("\"} 1\n");
        List<String> names = collections.catalog().names();
        gauge(out, p + "collections_total", "number of collections", names.size());
        long points = 0;
        long fsyncs = 0;
        for (String name : names) {
            var collection = collections.catalog().find(name);
            if (collection.isPresent()) {
                fsyncs += collection.get().walFsyncCount();
                try {
                    points += collection.get().pointsCount();
                } catch (RuntimeException unavailable) {
                    // a collection spread over a cluster may have a shard with no readable replica: its points are
                    // not counted, and the metrics are still served
                }
            }
        }
        gauge(out, p + "collections_vector_total", "number of points over all collections", points);
        out.append("# HELP ").append(p).append("wal_fsyncs_total fsyncs issued by the write-ahead logs\n");
        out.append("# TYPE ").append(p).append("wal_fsyncs_total counter\n");
        out.append(p).append("wal_fsyncs_total ").append(fsyncs).append('\n');
        out.append("# HELP ").append(p).append("local_searches_total searches run on this node's own stored data\n");
        out.append("# TYPE ").append(p).append("local_searches_total counter\n");
        out.append(p).append("local_searches_total ").append(collections.catalog().localSearchCount()).append('\n');
        metrics.render(out, p);
        return new ApiResponse.Raw(200, "text/plain; version=0.0.4; charset=utf-8",
                out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(' ').append(value).append('\n');
    }
}
