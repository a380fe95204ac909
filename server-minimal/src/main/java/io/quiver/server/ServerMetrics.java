package io.quiver.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and latency histograms per (method, endpoint template, status), rendered in Prometheus' text
 * exposition format by {@link #render(StringBuilder, String)}. Only requests that matched a route keep their method
 * and template ({@link #record}); every other request shares one series per status under {@link #UNMATCHED}, so a
 * client cannot add series (Qdrant likewise records only its own endpoints). Label values are escaped as the format
 * requires. Threadsafe: any request thread records, any thread renders.
 */
final class ServerMetrics {
    /** Method and endpoint label of the requests that matched no route. */
    static final String UNMATCHED = "unmatched";
    /** Upper bounds of the latency buckets, in seconds; a last, unbounded bucket counts the rest. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record Key(String method, String endpoint, int status) {
    }

    /**
     * One series: a count per bucket (the last one above every bound) and a sum of nanoseconds. The total is the sum
     * of the buckets, so a scrape that reads each bucket once renders {@code +Inf}, {@code _count} and the total
     * counter equal.
     */
    private static final class Series {
        final LongAdder sumNanos = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        /** The bucket counts as they are now, each read once. */
        long[] snapshot() {
            long[] counts = new long[buckets.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = buckets[i].sum();
            }
            return counts;
        }
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    /** A request that matched the route {@code endpoint} (its template) for {@code method}. */
    void record(String method, String endpoint, int status, long nanos) {
        Series s = series.computeIfAbsent(new Key(method, endpoint, status), k -> new Series());
        double seconds = nanos / 1e9;
        int bucket = BUCKETS.length;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucket = i;
                break;
            }
        }
        s.sumNanos.add(nanos);
        s.buckets[bucket].increment();
    }

    /** A request that matched no route: counted by status only. */
    void recordUnmatched(int status, long nanos) {
        record(UNMATCHED, UNMATCHED, status, nanos);
    }

    /** Total requests served for an endpoint template and method, any status. */
    long count(String method, String endpoint) {
        long total = 0;
        for (Map.Entry<Key, Series> e : series.entrySet()) {
            if (e.getKey().method.equals(method) && e.getKey().endpoint.equals(endpoint)) {
                for (long c : e.getValue().snapshot()) {
                    total += c;
                }
            }
        }
        return total;
    }

    void render(StringBuilder out, String prefix) {
        StringBuilder histograms = new StringBuilder();
        out.append("# HELP ").append(prefix).append("rest_responses_total total number of responses\n");
        out.append("# TYPE ").append(prefix).append("rest_responses_total counter\n");
        series.forEach((k, s) -> {
            long[] counts = s.snapshot();
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i];
                histograms.append(prefix).append("rest_responses_duration_seconds_bucket")
                        .append(labels(k, Double.toString(BUCKETS[i]))).append(' ').append(cumulative).append('\n');
            }
            long total = cumulative + counts[BUCKETS.length];
            histograms.append(prefix).append("rest_responses_duration_seconds_bucket").append(labels(k, "+Inf"))
                    .append(' ').append(total).append('\n');
            histograms.append(prefix).append("rest_responses_duration_seconds_sum").append(labels(k, null))
                    .append(' ').append(s.sumNanos.sum() / 1e9).append('\n');
            histograms.append(prefix).append("rest_responses_duration_seconds_count").append(labels(k, null))
                    .append(' ').append(total).append('\n');
            out.append(prefix).append("rest_responses_total").append(labels(k, null)).append(' ').append(total)
                    .append('\n');
        });
        out.append("# HELP ").append(prefix).append("rest_responses_duration_seconds response latency\n");
        out.append("# TYPE ").append(prefix).append("rest_responses_duration_seconds histogram\n");
        out.append(histograms);
    }

    private static String labels(Key k, String le) {
        StringBuilder b = new StringBuilder("{method=\"");
        escape(b, k.method).append("\",endpoint=\"");
        escape(b, k.endpoint).append("\",status=\"").append(k.status).append('"');
        if (le != null) {
            b.append(",le=\"").append(le).append('"');
        }
        return b.append('}').toString();
    }

    /** A label value as the text format wants it: backslash, double quote and line feed escaped. */
    static StringBuilder escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out;
    }
}
