package io.quiver.cluster;

import java.util.Objects;

/**
 * One member of the cluster as the metadata records it: its stable 64-bit id, the URI other peers reach it by (its
 * p2p endpoint, e.g. {@code http://127.0.0.1:6335}) and its node type. Immutable value; threadsafe.
 */
public record PeerInfo(long id, String uri, NodeType nodeType) {
    public PeerInfo {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(nodeType, "nodeType");
    }
}
