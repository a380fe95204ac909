package io.quiver.server;

import io.quiver.cluster.CollectionCatalog;
import io.quiver.cluster.CollectionService;
import io.quiver.engine.NotFoundException;

/**
 * How routes reach collections, and the node-wide rule for writes: a standalone Listener node takes every write with
 * {@code wait=false} (in a cluster only the Listener replicas ignore {@code wait}; the Active ones keep it). Wraps
 * the node's {@link CollectionCatalog} (standalone or clustered); threadsafe.
 */
final class CollectionLookup {
    private final CollectionCatalog catalog;
    private final boolean listener;

    CollectionLookup(CollectionCatalog catalog, boolean listener) {
        this.catalog = catalog;
        this.listener = listener;
    }

    CollectionCatalog catalog() {
        return catalog;
    }

    /**
     * The collection a path or body names, through an alias of that name first (as Qdrant's {@code get_collection}
     * resolves every collection-scoped request); 404 in Qdrant's words when neither exists.
     */
    CollectionService get(String nameOrAlias) {
        return catalog.resolve(nameOrAlias).orElseThrow(() -> NotFoundException.collection(nameOrAlias));
    }

    /** Whether {@link #get} finds a collection. */
    boolean exists(String nameOrAlias) {
        return catalog.resolve(nameOrAlias).isPresent();
    }

    /** The {@code wait} an update runs with: the client's, except on a standalone Listener node, which never waits. */
    boolean effectiveWait(boolean requested) {
        return requested && !listener;
    }
}
