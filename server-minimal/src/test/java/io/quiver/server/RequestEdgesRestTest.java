package io.quiver.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests at the edges of the HTTP layer, over a real socket: odd request methods cannot break or grow
 * {@code /metrics}, each histogram of a scrape is consistent while requests run, a JSON body with an explicit non-JSON
 * content type is refused as Qdrant refuses it. Owns one server on 127.0.0.1 per test; raw requests time out after 5
 * seconds.
 */
class RequestEdgesRestTest extends RestServerTest {
    /** One sample line of the text exposition format: name, optional labels with escaped values, a number. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\[\\\\\"n]|[^\\\\\"\\n])*\",?)*})? \\S+");
    private static final Pattern SERIES = Pattern.compile(
            "rest_responses_(total|duration_seconds_bucket|duration_seconds_count)(\\{.*?)(,le=\"([^\"]+)\")?} (\\d+)");

    /** Sends {@code request} as raw bytes and returns the raw response (what arrives within 5 seconds). */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException enough) {
                // keep-alive: what arrived is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void oddMethodsAndUnknownPathsNeitherBreakNorGrowTheMetrics() throws Exception {
        for (String method : List.of("GE\"T", "GE\\T", "BREW", "X1", "X2", "X3")) {
            String response = raw(method + " /collections HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 4"), method + " -> " + response);
        }
        for (int i = 0; i < 5; i++) {
            rest.send("GET", "/no/such/path/" + i, null);
        }
        String metrics = rest.send("GET", "/metrics", null).body();
        for (String line : metrics.split("\n")) {
            assertTrue(line.startsWith("#") || SAMPLE.matcher(line).matches(), "not exposition format: " + line);
        }
        assertFalse(metrics.contains("GE"), metrics);
        assertFalse(metrics.contains("BREW") || metrics.contains("X1") || metrics.contains("/no/such"), metrics);
        assertTrue(metrics.contains("rest_responses_total{method=\"unmatched\",endpoint=\"unmatched\",status=\"404\"} 5"),
                metrics);
        assertTrue(metrics.contains("rest_responses_total{method=\"unmatched\",endpoint=\"unmatched\",status=\"405\"} 6"),
                metrics);
    }

    @Test
    void aLoneSurrogateEscapeIsA400AndStoresNothing() {
        rest.ok("PUT", "/collections/u", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/u/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0]}]}");
        // as serde_json refuses them; before, such a key stopped the shard (a payload it could not read back)
        for (String body : List.of("{\"payload\":{\"z\":1},\"points\":[1],\"key\":\"\\ud800\"}",
                "{\"payload\":{\"\\udc00\":1},\"points\":[1]}", "{\"payload\":{\"t\":\"a\\ud800b\"},\"points\":[1]}")) {
            assertTrue(rest.error(400, "POST", "/collections/u/points/payload?wait=true", body)
                    .startsWith("Format error in JSON body: "), body); // Jackson itself refuses some of them
        }
        for (String key : List.of("\\ud800", "a\\ud800", "\\udc00x")) {
            assertTrue(rest.error(400, "POST", "/collections/u/points/payload?wait=true", "{\"payload\":{\"z\":1},"
                    + "\"points\":[1],\"key\":\"" + key + "\"}").contains("unpaired UTF-16 surrogate"), key);
        }
        rest.error(400, "PUT", "/collections/u/index?wait=true", "{\"field_name\":\"\\ud800\",\"field_schema\":"
                + "\"keyword\"}");
        rest.ok("POST", "/collections/u/points/payload?wait=true",
                "{\"payload\":{\"z\":\"\\ud83d\\ude00\"},\"points\":[1],\"key\":\"a\"}");
        assertEquals("{\"a\":{\"z\":\"\uD83D\uDE00\"}}",
                rest.ok("GET", "/collections/u/points/1", null).get("payload").toString(), "a pair is stored");
    }

    @Test
    void labelValuesAreEscaped() {
        StringBuilder out = new StringBuilder();
        ServerMetrics.escape(out, "a\\b\"c\nd");
        assertEquals("a\\\\b\\\"c\\nd", out.toString());
    }

    @Test
    void appInfoNamesQdrantAsTheSpecShows() {
        assertTrue(rest.send("GET", "/metrics", null).body().contains("app_info{name=\"qdrant\",version=\""));
    }

    @Test
    void everyHistogramOfAScrapeIsConsistentWhileRequestsRun() throws Exception {
        ExecutorService load = Executors.newFixedThreadPool(4);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(load.submit(() -> {
                RestClient client = new RestClient(server.port());
                while (running.get()) {
                    client.send("GET", "/collections", null);
                }
                return null;
            }));
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int scrapes = 0;
            int seriesSeen = 0;
            while (System.nanoTime() < deadline) {
                seriesSeen += checkConsistent(rest.send("GET", "/metrics", null).body());
                scrapes++;
            }
            assertTrue(scrapes > 10 && seriesSeen > 10, "scrapes: " + scrapes + ", series checked: " + seriesSeen);
        } finally {
            running.set(false);
            load.shutdown();
            assertTrue(load.awaitTermination(30, TimeUnit.SECONDS));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
    }

    /**
     * Per series: buckets never decrease, and the total counter, {@code +Inf} and {@code _count} agree. Returns the
     * number of series checked.
     */
    private static int checkConsistent(String metrics) {
        Map<String, Long> totals = new HashMap<>();
        Map<String, Long> lastBucket = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = SERIES.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String series = m.group(2);
            long value = Long.parseLong(m.group(5));
            switch (m.group(1)) {
                case "total" -> totals.put(series, value);
                case "duration_seconds_count" -> counts.put(series, value);
                default -> {
                    Long previous = lastBucket.put(series, value);
                    assertTrue(previous == null || previous <= value, "buckets decrease: " + line + "\n" + metrics);
                    if ("+Inf".equals(m.group(4))) {
                        totals.merge(series + "+Inf", value, Long::sum);
                    }
                }
            }
        }
        counts.forEach((series, count) -> {
            assertEquals(count, totals.get(series + "+Inf"), "+Inf == _count for " + series + "\n" + metrics);
            assertEquals(count, totals.get(series), "total == _count for " + series + "\n" + metrics);
        });
        return counts.size();
    }

    @Test
    void aJsonBodyWithAnExplicitNonJsonContentTypeIs400() throws Exception {
        rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        byte[] body = "{\"limit\":1}".getBytes(StandardCharsets.UTF_8);
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "text/plain; charset=utf-8",
                "application/jsonx", "json")) {
            RestClient.Reply reply = rest.sendBytes("POST", "/collections/c/points/scroll", type, body);
            assertEquals(400, reply.status(), type + " -> " + reply.body());
            assertTrue(reply.error().startsWith("Content type error"), reply.body());
        }
        for (String type : List.of("application/json", "application/json; charset=utf-8", "Application/JSON",
                "application/vnd.api+json", "text/json")) {
            RestClient.Reply reply = rest.sendBytes("POST", "/collections/c/points/scroll", type, body);
            assertEquals(200, reply.status(), type + " -> " + reply.body());
        }
        String noType = raw("POST /collections/c/points/scroll HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n{\"limit\":1}");
        assertTrue(noType.startsWith("HTTP/1.1 200"), noType);
    }
}
