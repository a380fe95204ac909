package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/**
 * What a route answers: a result wrapped in Qdrant's envelope, a bare JSON document, plain text, a file, or Qdrant's
 * {@code 202 {"status":"accepted"}}. Immutable.
 */
public sealed interface ApiResponse {

    /** {@code {"result":…,"status":"ok","time":…}} with status 200. */
    record Enveloped(JsonNode result) implements ApiResponse {
    }

    /** {@code {"status":"accepted","time":…}} with status 202 (snapshot operations with {@code wait=false}). */
    record Accepted() implements ApiResponse {
    }

    /** A body sent as is, without the envelope (GET /, the probes, /metrics). */
    record Raw(int status, String contentType, byte[] body) implements ApiResponse {
    }

    /** A file streamed as {@code application/octet-stream} (snapshot download). */
    record File(Path path) implements ApiResponse {
    }

    static ApiResponse ok(JsonNode result) {
        return new Enveloped(result);
    }

    static ApiResponse text(int status, String text) {
        return new Raw(status, "text/plain; charset=utf-8", text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
