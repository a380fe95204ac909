package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The single HTTP handler of the server: checks the API key, finds the route, runs it, turns its answer or its failure
 * into Qdrant's envelope with the right status, and records the request's metrics. Stateless apart from its
 * immutable route table; threadsafe (one virtual thread per request).
 */
final class Dispatcher implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final List<Route> routes;
    private final ApiKeyGuard guard;
    private final ServerMetrics metrics;
    private final ErrorMapper errors;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final boolean cors;

    Dispatcher(List<Route> routes, ApiKeyGuard guard, ServerMetrics metrics, ErrorMapper errors, ObjectMapper json,
               long maxBodyBytes, boolean cors) {
        this.cors = cors;
        this.routes = List.copyOf(routes);
        this.guard = guard;
        this.metrics = metrics;
        this.errors = errors;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String endpoint = null; // the matched route's template; null: no route, metrics keep no method or path
        int status = 500;
        try (exchange) {
            if (cors) {
                exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
                if (method.equals("OPTIONS") && exchange.getRequestHeaders().containsKey("Access-Control-Request-Method")) {
                    status = 200;
                    preflight(exchange);
                    return;
                }
            }
            String[] segments = Route.segments(exchange.getRequestURI().getRawPath());
            Route route = null;
            Map<String, String> params = null;
            boolean pathKnown = false;
            for (Route candidate : routes) {
                Map<String, String> match = candidate.match(segments);
                if (match != null) {
                    pathKnown = true;
                    if (candidate.method().equals(method) || (method.equals("HEAD") && candidate.method().equals("GET"))) {
                        route = candidate;
                        params = match;
                        break;
                    }
                }
            }
            if (route != null) {
                endpoint = route.template();
            }
            Route.Access access = route == null ? Route.Access.WRITE : route.access();
            ApiKeyGuard.Verdict verdict = guard.check(path, exchange.getRequestHeaders().getFirst("api-key"),
                    exchange.getRequestHeaders().getFirst("Authorization"), access);
            if (verdict != ApiKeyGuard.Verdict.ALLOW || route == null) {
                closeIfBodyUnread(exchange, null);
            }
            if (verdict == ApiKeyGuard.Verdict.MISSING || verdict == ApiKeyGuard.Verdict.INVALID) {
                status = 401;
                send(exchange, new ApiResponse.Raw(401, "text/plain; charset=utf-8",
                        (verdict == ApiKeyGuard.Verdict.MISSING
                                ? "Must provide an API key or an Authorization bearer token"
                                : "Invalid API key or JWT").getBytes(StandardCharsets.UTF_8)), start);
                return;
            }
            if (route == null) { // before the read-only check: an unknown route is no write, whoever asks (Qdrant)
                status = pathKnown ? 405 : 404;
                sendError(exchange, status, pathKnown
                        ? "Method " + method + " is not allowed on " + path
                        : "Not found: no such endpoint " + method + " " + path, start);
                return;
            }
            if (verdict == ApiKeyGuard.Verdict.READ_ONLY) {
                status = 403;
                sendError(exchange, 403, "Forbidden: Write access is not allowed with a read-only API key", start);
                return;
            }
            ApiResponse response;
            ApiRequest request = new ApiRequest(exchange, params, maxBodyBytes, json);
            try {
                String collection = params.get("c");
                if (collection != null) { // path parameters first, as actix extracts them before the body
                    CollectionRoutes.checkPathName(collection);
                }
                response = route.handler().handle(request);
            } catch (Exception | StackOverflowError e) {
                closeIfBodyUnread(exchange, request);
                ApiException mapped = errors.map(e);
                if (mapped.status() >= 500) {
                    LOG.error("{} {} failed", method, path, e);
                }
                status = mapped.status();
                sendError(exchange, status, mapped.getMessage(), start);
                return;
            }
            status = statusOf(response);
            send(exchange, response, start);
        } catch (IOException e) {
            LOG.debug("{} {}: client went away: {}", method, path, e.toString());
        } catch (RuntimeException e) {
            LOG.error("{} {}: could not send the response", method, path, e);
        } finally {
            if (endpoint != null) {
                metrics.record(method, endpoint, status, System.nanoTime() - start);
            } else {
                metrics.recordUnmatched(status, System.nanoTime() - start);
            }
        }
    }

    /**
     * A request whose body was not read to its end (rejected before reading, or over the size limit) leaves bytes on
     * the connection: answer with {@code Connection: close} so no client reuses it (the JDK server drops it anyway,
     * and a client that reused it would see its next request fail).
     */
    private static void closeIfBodyUnread(HttpExchange exchange, ApiRequest request) {
        if ((request == null || !request.bodyConsumed()) && ApiRequest.hasBody(exchange)) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
    }

    /** A CORS preflight, answered as Qdrant's permissive CORS layer does: any origin, method and header. */
    private static void preflight(HttpExchange exchange) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
        String requested = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
        headers.set("Access-Control-Allow-Headers", requested == null || requested.isBlank() ? "*" : requested);
        headers.set("Access-Control-Max-Age", "3600");
        exchange.sendResponseHeaders(200, -1);
    }

    private static int statusOf(ApiResponse response) {
        return switch (response) {
            case ApiResponse.Raw raw -> raw.status();
            case ApiResponse.Accepted accepted -> 202;
            default -> 200;
        };
    }


    private void sendError(HttpExchange exchange, int status, String message, long start) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.putObject("status").put("error", message);
        body.put("time", seconds(start));
        writeBytes(exchange, status, "application/json", json.writeValueAsBytes(body));
    }

    private void send(HttpExchange exchange, ApiResponse response, long start) throws IOException {
        switch (response) {
            case ApiResponse.Enveloped enveloped -> {
                ObjectNode body = json.createObjectNode();
                body.set("result", enveloped.result());
                body.put("status", "ok");
                body.put("time", seconds(start));
                writeBytes(exchange, 200, "application/json", json.writeValueAsBytes(body));
            }
            case ApiResponse.Accepted accepted -> {
                ObjectNode body = json.createObjectNode().put("status", "accepted").put("time", seconds(start));
                writeBytes(exchange, 202, "application/json", json.writeValueAsBytes(body));
            }
            case ApiResponse.Raw raw -> writeBytes(exchange, raw.status(), raw.contentType(), raw.body());
            case ApiResponse.File file -> {
                long size = Files.size(file.path());
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.getResponseHeaders().set("Content-Disposition",
                        "attachment; filename=\"" + file.path().getFileName() + "\"");
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : size);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        Files.copy(file.path(), out);
                    }
                }
            }
        }
    }

    private static void writeBytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
