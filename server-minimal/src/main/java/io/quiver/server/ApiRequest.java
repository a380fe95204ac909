package io.quiver.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP request as the routes see it: method, path parameters, query parameters and the body, read at most once and
 * never beyond {@code service.max_request_size_mb}. Owned by the virtual thread serving the request; not threadsafe.
 */
public final class ApiRequest {
    private final HttpExchange exchange;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;
    private final long maxBodyBytes;
    private final ObjectMapper json;
    private byte[] body;
    private boolean bodyConsumed;
    private boolean streamed;

    ApiRequest(HttpExchange exchange, Map<String, String> pathParams, long maxBodyBytes, ObjectMapper json) {
        this.exchange = exchange;
        this.pathParams = pathParams;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        this.maxBodyBytes = maxBodyBytes;
        this.json = json;
    }

    public String method() {
        return exchange.getRequestMethod();
    }

    public String path() {
        return exchange.getRequestURI().getPath();
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** A path parameter by its template name, e.g. {@code c} of {@code /collections/{c}}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** A query parameter, or null. */
    public String query(String name) {
        return query.get(name);
    }

    /** A boolean query parameter ({@code true}/{@code false}); anything else is a 400, as Qdrant's parser does. */
    public boolean queryFlag(String name, boolean absent) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(
                    "Format error in query parameters: " + name + ": provided string was not `true` or `false`");
        };
    }

    /** An integer query parameter, at least {@code min}, or {@code absent} when missing. */
    public Integer queryInt(String name, Integer absent, int min) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Format error in query parameters: " + name + ": invalid digit found in string");
        }
        if (parsed < min) {
            throw new ApiException(422, "Validation error in query parameters: [" + name + ": value " + parsed
                    + " invalid, must be " + min + " or larger]");
        }
        return parsed;
    }

    /**
     * An unsigned number of seconds ({@code timeout}), or {@code absent} when missing; anything that is not an
     * unsigned 64-bit integer is a 400, as Qdrant's query parser answers.
     */
    Long querySeconds(String name, Long absent) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        if (!value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest(
                    "Format error in query parameters: " + name + ": invalid digit found in string");
        }
        try {
            long seconds = Long.parseUnsignedLong(value);
            return seconds < 0 ? Long.MAX_VALUE : seconds; // above 2^63 - 1 s: as good as forever
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "Format error in query parameters: " + name + ": number too large to fit in target type");
        }
    }

    /**
     * The {@code timeout} of collection and cluster meta operations (Qdrant's {@code WaitTimeout}): seconds, at least
     * 1; 0 is a 422 validation error, text a 400.
     */
    Long metaTimeout(Long absent) {
        Long seconds = querySeconds("timeout", absent);
        if (seconds != null && seconds == 0) {
            throw new ApiException(422, "Validation error in query parameters: [timeout: value 0 invalid, must be 1 or "
                    + "larger]");
        }
        return seconds;
    }

    /** {@code wait}, {@code ordering} and {@code timeout} of a point or payload-index write. */
    WriteParams writeParams() {
        return WriteParams.of(this);
    }

    /** {@code consistency} and {@code timeout} of a read. */
    ReadParams readParams() {
        return ReadParams.of(this);
    }

    /** The raw body, read once; a body over the configured limit is a 400, as in Qdrant. */
    public byte[] bodyBytes() {
        if (streamed) {
            throw new IllegalStateException("the request body was streamed");
        }
        if (body == null) {
            body = readLimited();
            bodyConsumed = true;
        }
        return body;
    }

    /**
     * The body as a stream, for a route that reads it itself and is not bounded by {@code max_request_size_mb} (a
     * snapshot upload, spooled to disk). The route calls {@link #bodyReadToEnd()} once it has read it all; the body
     * cannot then be read again.
     */
    InputStream bodyStream() {
        if (body != null || streamed) {
            throw new IllegalStateException("the request body was already read");
        }
        streamed = true;
        return exchange.getRequestBody();
    }

    /** Tells that the stream of {@link #bodyStream()} was read to its end, so the connection may be reused. */
    void bodyReadToEnd() {
        bodyConsumed = true;
    }

    /** Whether the whole body was read; when not, the connection must not be reused (Dispatcher closes it). */
    boolean bodyConsumed() {
        return bodyConsumed;
    }

    /** Whether the request announces a body (a non-zero Content-Length, or chunked transfer). */
    static boolean hasBody(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            return !length.trim().equals("0");
        }
        return exchange.getRequestHeaders().containsKey("Transfer-Encoding");
    }

    /**
     * The body parsed as JSON; an empty body is JSON null. Malformed JSON is a 400 "Format error in JSON body"; a body
     * sent with an explicit content type that is not JSON is a 400 "Content type error", as Qdrant's JSON extractor
     * answers ({@link #isJsonContentType}).
     */
    public JsonNode json() {
        String contentType = header("Content-Type");
        if (!isJsonContentType(contentType)) {
            throw ApiException.badRequest("Content type error: expected application/json, got " + contentType.trim());
        }
        byte[] bytes = bodyBytes();
        if (bytes.length == 0) {
            return NullNode.getInstance();
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null) {
                return NullNode.getInstance();
            }
            // serde_json refuses a lone surrogate escape; Jackson reads it, and it could reach stored text
            if (!io.quiver.engine.JsonText.isWellFormed(node)) {
                throw ApiException.badRequest("Format error in JSON body: a string holds an unpaired UTF-16 surrogate "
                        + "(a lone \\ud800-\\udfff escape)");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("Format error in JSON body: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + " column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw ApiException.badRequest("Format error in JSON body: " + e.getMessage());
        }
    }

    /**
     * Whether a body of this {@code Content-Type} may be read as JSON, as actix-web decides: no content type at all, or
     * a media type whose subtype is {@code json} or ends in {@code +json}, parameters ({@code ; charset=utf-8}) and
     * case aside.
     */
    static boolean isJsonContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(java.util.Locale.ROOT);
        int slash = mediaType.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String subtype = mediaType.substring(slash + 1);
        return subtype.equals("json") || subtype.endsWith("+json");
    }

    /** The body as a JSON object; JSON that is not an object is a 400. */
    public JsonNode jsonObject() {
        JsonNode node = json();
        if (!node.isObject()) {
            throw ApiException.badRequest("Format error in JSON body: expected a JSON object, got "
                    + (node.isNull() ? "an empty body" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return node;
    }

    private byte[] readLimited() {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBodyBytes) {
                    throw tooLarge();
                }
            } catch (NumberFormatException ignored) {
                // let the streamed count decide
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (bytes.length > maxBodyBytes) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("Format error in JSON body: cannot read the request body: " + e.getMessage());
        }
    }

    private ApiException tooLarge() {
        return ApiException.badRequest("Format error in JSON body: JSON payload (" + contentLength()
                + " bytes) is larger than allowed (limit: " + maxBodyBytes + " bytes).");
    }

    private String contentLength() {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        return declared == null ? "more than " + maxBodyBytes : declared.trim();
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(key, value);
        }
        return out;
    }
}
