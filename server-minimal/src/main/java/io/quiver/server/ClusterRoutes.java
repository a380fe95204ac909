package io.quiver.server;

import com.fasterxml.jackson.databind.node.BooleanNode;
import io.quiver.cluster.ClusterCollectionCatalog;
import io.quiver.cluster.ClusterNode;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * The cluster endpoints of a node running with {@code cluster.enabled: true}: {@code GET /cluster},
 * {@code POST /cluster/recover} (install the leader's consensus snapshot on this follower; a no-op on the leader) and
 * {@code DELETE /cluster/peer/{peer}}, and the shard operations of {@code POST /collections/{c}/cluster}. Stateless apart from the node it fronts; threadsafe.
 */
final class ClusterRoutes {
    private static final int DEFAULT_TIMEOUT_SECONDS = 30;

    private final ClusterNode node;
    private final ClusterCollectionCatalog catalog;

    ClusterRoutes(ClusterNode node, ClusterCollectionCatalog catalog) {
        this.node = node;
        this.catalog = catalog;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/cluster", READ, r -> ApiResponse.ok(node.statusJson())),
                new Route("POST", "/cluster/recover", WRITE, this::recover),
                new Route("DELETE", "/cluster/peer/{peer}", WRITE, this::removePeer),
                new Route("POST", "/collections/{c}/cluster", WRITE, this::collectionOperation));
    }

    /** {@code move_shard}, {@code replicate_shard}, {@code drop_replica}, {@code abort_transfer}. */
    private ApiResponse collectionOperation(ApiRequest request) {
        request.metaTimeout((long) DEFAULT_TIMEOUT_SECONDS);
        return ApiResponse.ok(BooleanNode.valueOf(catalog.clusterOperation(request.pathParam("c"), request.jsonObject())));
    }

    private ApiResponse recover(ApiRequest request) throws Exception {
        long timeout = request.metaTimeout((long) DEFAULT_TIMEOUT_SECONDS);
        return ApiResponse.ok(BooleanNode.valueOf(node.recover().get(timeout, TimeUnit.SECONDS)));
    }

    private ApiResponse removePeer(ApiRequest request) throws Exception {
        String raw = request.pathParam("peer");
        long peer;
        try {
            // a u64 in Qdrant, a non-negative long here: a larger one is refused, never wrapped into another id
            if (raw.isEmpty() || !raw.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new NumberFormatException(raw);
            }
            peer = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Format error in path parameters: peer_id: `" + raw + "` is not a peer id "
                    + "(an integer in 0.." + Long.MAX_VALUE + ")");
        }
        boolean force = request.queryFlag("force", false);
        long timeout = request.metaTimeout((long) DEFAULT_TIMEOUT_SECONDS);
        node.removePeer(peer, force).get(timeout, TimeUnit.SECONDS);
        return ApiResponse.ok(BooleanNode.TRUE);
    }
}
