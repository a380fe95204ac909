package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A test client for the REST API over a real socket: sends one request, checks the response against Qdrant's envelope
 * (success: {@code result}, {@code status:"ok"}, {@code time}; error: {@code status.error}, {@code time}) and on any
 * failed expectation prints the request and the whole response. Not threadsafe; one per test.
 */
final class RestClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One response: status, raw body, parsed JSON (or null), and the request that produced it. */
    record Reply(int status, String body, JsonNode json, String request) {
        JsonNode result() {
            return json.get("result");
        }

        String error() {
            return json.get("status").get("error").asText();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private String apiKey;

    RestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    void apiKey(String key) {
        this.apiKey = key;
    }

    Reply send(String method, String path, String body) {
        return send(method, path, "application/json", body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body), body == null ? "" : " " + abbreviate(body));
    }

    /** Sends raw bytes with the given {@code Content-Type} (a multipart upload). */
    Reply sendBytes(String method, String path, String contentType, byte[] body) {
        return send(method, path, contentType, HttpRequest.BodyPublishers.ofByteArray(body),
                " <" + body.length + " bytes of " + contentType + ">");
    }

    private Reply send(String method, String path, String contentType, HttpRequest.BodyPublisher publisher,
            String bodyDescription) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, publisher)
                .header("Content-Type", contentType);
        if (apiKey != null) {
            builder.header("api-key", apiKey);
        }
        String described = method + " " + path + bodyDescription;
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String responseType = response.headers().firstValue("Content-Type").orElse("");
            if (responseType.startsWith("application/json")) {
                json = JSON.readTree(response.body());
            }
            return new Reply(response.statusCode(), response.body(), json, described);
        } catch (IOException e) {
            throw new AssertionError("request failed: " + described, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + described, e);
        }
    }

    /** Sends and expects success in the envelope; returns {@code result}. */
    JsonNode ok(String method, String path, String body) {
        Reply reply = send(method, path, body);
        if (reply.status() != 200 || reply.json() == null) {
            fail("expected 200 with a JSON envelope for " + reply.request() + "\n got " + reply.status() + ": "
                    + reply.body());
        }
        assertEquals("ok", reply.json().path("status").asText(), () -> reply.request() + " -> " + reply.body());
        assertTrue(reply.json().has("time") && reply.json().get("time").isNumber(), () -> reply.body());
        assertTrue(reply.json().has("result"), () -> reply.request() + " -> " + reply.body());
        return reply.result();
    }

    /** Sends and expects an error envelope with the given status; returns the error text. */
    String error(int status, String method, String path, String body) {
        Reply reply = send(method, path, body);
        if (reply.status() != status || reply.json() == null) {
            fail("expected " + status + " with an error envelope for " + reply.request() + "\n got "
                    + reply.status() + ": " + reply.body());
        }
        JsonNode error = reply.json().path("status").path("error");
        assertTrue(error.isTextual() && !error.asText().isEmpty(), () -> reply.request() + " -> " + reply.body());
        assertTrue(reply.json().has("time"), () -> reply.body());
        assertTrue(!reply.json().has("result") || reply.json().get("result").isNull(), () -> reply.body());
        return error.asText();
    }

    /**
     * Polls {@code GET path} every 100 ms until its {@code result} satisfies {@code done} (returned), failing with the
     * last answer after {@code patience}.
     */
    JsonNode eventually(String path, java.util.function.Predicate<JsonNode> done, String what, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Reply reply = send("GET", path, null);
            if (reply.status() == 200 && reply.json() != null) {
                last = reply.result();
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "; last " + path + " = " + last);
        return null;
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…(" + body.length() + " chars)" : body;
    }
}
