package io.quiver.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and latency histograms per (method, endpoint template, status), rendered in Prometheus' text
 * exposition format by {@link #render(StringBuilder, String)}. Threadsafe: any request thread records, any reads.
 */
final class ServerMetrics {
    /** Upper bounds of the latency buckets, in seconds. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record Key(String method, String endpoint, int status) {
    }

    /** One series: a count, a sum of seconds, and cumulative-on-render bucket counts. */
    private static final class Series {
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    void record(String method, String endpoint, int status, long nanos) {
        Series s = series.computeIfAbsent(new Key(method, endpoint, status), k -> new Series());
        s.count.increment();
        s.sumNanos.add(nanos);
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                s.buckets[i].increment();
                break;
            }
        }
    }

    /** Total requests served for an endpoint template and method, any status. */
    long count(String method, String endpoint) {
        long total = 0;
        for (Map.Entry<Key, Series> e : series.entrySet()) {
            if (e.getKey().method.equals(method) && e.getKey().endpoint.equals(endpoint)) {
                total += e.getValue().count.sum();
            }
        }
        return total;
    }

    void render(StringBuilder out, String prefix) {
        out.append("# HELP ").append(prefix).append("rest_responses_total total number of responses\n");
        out.append("# TYPE ").append(prefix).append("rest_responses_total counter\n");
        series.forEach((k, s) -> out.append(prefix).append("rest_responses_total").append(labels(k, null))
                .append(' ').append(s.count.sum()).append('\n'));
        out.append("# HELP ").append(prefix).append("rest_responses_duration_seconds response latency\n");
        out.append("# TYPE ").append(prefix).append("rest_responses_duration_seconds histogram\n");
        series.forEach((k, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets[i].sum();
                out.append(prefix).append("rest_responses_duration_seconds_bucket")
                        .append(labels(k, Double.toString(BUCKETS[i]))).append(' ').append(cumulative).append('\n');
            }
            out.append(prefix).append("rest_responses_duration_seconds_bucket").append(labels(k, "+Inf"))
                    .append(' ').append(s.count.sum()).append('\n');
            out.append(prefix).append("rest_responses_duration_seconds_sum").append(labels(k, null))
                    .append(' ').append(s.sumNanos.sum() / 1e9).append('\n');
            out.append(prefix).append("rest_responses_duration_seconds_count").append(labels(k, null))
                    .append(' ').append(s.count.sum()).append('\n');
        });
    }

    private static String labels(Key k, String le) {
        StringBuilder b = new StringBuilder("{method=\"").append(k.method).append("\",endpoint=\"")
                .append(k.endpoint.replace("\"", "\\\"")).append("\",status=\"").append(k.status).append('"');
        if (le != null) {
            b.append(",le=\"").append(le).append('"');
        }
        return b.append('}').toString();
    }
}
