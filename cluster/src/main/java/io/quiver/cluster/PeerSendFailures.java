package io.quiver.cluster;

import com.alipay.sofa.jraft.util.Endpoint;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failed messages of this node to each peer (Raft replication and Quiver's RPCs), by peer URI, as Qdrant reports
 * them in {@code message_send_failures}. Threadsafe: the map is concurrent and each peer's counters are guarded by
 * their own monitor.
 */
final class PeerSendFailures {
    private final PeerAddresses addresses;
    private final Map<String, Failures> byUri = new ConcurrentHashMap<>();

    /** Failures of messages to one peer. */
    private static final class Failures {
        long count;
        String latestError;
        Instant latestErrorTime;
    }

    PeerSendFailures(PeerAddresses addresses) {
        this.addresses = addresses;
    }

    void record(Endpoint target, String error) {
        String uri = addresses.uriOf(target);
        Failures failures = byUri.computeIfAbsent(uri, u -> new Failures());
        synchronized (failures) {
            failures.count++;
            failures.latestError = error;
            failures.latestErrorTime = Instant.now();
        }
    }

    /** Adds one object per peer URI ({@code count}, {@code latest_error}, {@code latest_error_timestamp}). */
    void writeJson(ObjectNode failuresJson) {
        byUri.forEach((uri, f) -> {
            synchronized (f) {
                ObjectNode node = failuresJson.putObject(uri).put("count", f.count);
                node.put("latest_error", f.latestError);
                node.put("latest_error_timestamp", f.latestErrorTime == null ? null : f.latestErrorTime.toString());
            }
        });
    }
}
