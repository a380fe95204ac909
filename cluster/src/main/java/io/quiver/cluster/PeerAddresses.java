package io.quiver.cluster;

import com.alipay.sofa.jraft.util.Endpoint;
import java.net.URI;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates between peer URIs, p2p endpoints and peer ids, for this node (its own endpoint and peer id) and the
 * peers of the latest applied metadata. Stateless apart from the metadata view it reads; threadsafe.
 */
final class PeerAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAddresses.class);

    private final long selfPeerId;
    private final Endpoint self;
    private final Supplier<ClusterMetadata> metadata;

    PeerAddresses(long selfPeerId, Endpoint self, Supplier<ClusterMetadata> metadata) {
        this.selfPeerId = selfPeerId;
        this.self = self;
        this.metadata = metadata;
    }

    /** The p2p endpoint of a peer URI such as {@code http://127.0.0.1:6335/}. */
    static Endpoint endpointOf(String uri) {
        URI parsed = URI.create(uri.trim());
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new IllegalArgumentException("peer URI needs a host and a port: " + uri);
        }
        return new Endpoint(parsed.getHost(), parsed.getPort());
    }

    /**
     * A peer URI as Qdrant shows it (its URI type prints an empty path as "/"): {@code http://127.0.0.1:6335/} for a
     * configured {@code http://127.0.0.1:6335}; other URIs as they are.
     */
    static String displayUri(String uri) {
        try {
            URI parsed = URI.create(uri.trim());
            if (parsed.getHost() != null && (parsed.getRawPath() == null || parsed.getRawPath().isEmpty())
                    && parsed.getRawQuery() == null && parsed.getRawFragment() == null) {
                return uri.trim() + "/";
            }
        } catch (IllegalArgumentException e) {
            // shown as configured
        }
        return uri;
    }

    static Endpoint parseEndpoint(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new Endpoint(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    Long peerIdOf(Endpoint peerEndpoint) {
        if (peerEndpoint.equals(self)) {
            return selfPeerId;
        }
        for (PeerInfo peer : metadata.get().peers().values()) {
            try {
                if (endpointOf(peer.uri()).equals(peerEndpoint)) {
                    return peer.id();
                }
            } catch (IllegalArgumentException e) {
                LOG.debug("peer {} has an unusable uri {}", peer.id(), peer.uri());
            }
        }
        return null;
    }

    String uriOf(Endpoint peerEndpoint) {
        Long id = peerIdOf(peerEndpoint);
        PeerInfo peer = id == null ? null : metadata.get().peer(id);
        return displayUri(peer != null ? peer.uri() : "http://" + peerEndpoint);
    }
}
