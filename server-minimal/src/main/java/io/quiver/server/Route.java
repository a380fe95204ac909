package io.quiver.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint: an HTTP method, a path template such as {@code /collections/{c}/points/{id}}, who may call it when API
 * keys are set, and its handler. Immutable; the template is split once, matching allocates only a hit's parameters.
 */
public final class Route {

    /** Who may call a route when API keys are configured. */
    public enum Access {
        /** No key needed (Qdrant's whitelist: {@code /}, the probes). */
        OPEN,
        /** The read-only key suffices. */
        READ,
        /** Needs the full key. */
        WRITE
    }

    /** A route's work; runs on the request's virtual thread. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    private final String method;
    private final String template;
    private final String[] parts;
    private final Access access;
    private final Handler handler;

    public Route(String method, String template, Access access, Handler handler) {
        this.method = method;
        this.template = template;
        this.parts = segments(template);
        this.access = access;
        this.handler = handler;
    }

    public String method() {
        return method;
    }

    /** The template, used as the endpoint label of metrics. */
    public String template() {
        return template;
    }

    public Access access() {
        return access;
    }

    public Handler handler() {
        return handler;
    }

    /** Path parameters when the split request path fits the template, else null. */
    Map<String, String> match(String[] pathSegments) {
        if (parts.length != pathSegments.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("{")) {
                if (pathSegments[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>(4);
                }
                params.put(part.substring(1, part.length() - 1), pathSegments[i]);
            } else if (!part.equals(pathSegments[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    /** Splits a raw path into its decoded, non-empty segments. */
    static String[] segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out.toArray(String[]::new);
    }
}
