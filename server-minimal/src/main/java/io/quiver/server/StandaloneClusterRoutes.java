package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * The cluster endpoints of a node running with {@code cluster.enabled: false}: {@code GET /cluster} answers
 * {@code {"status":"disabled"}}, and the operations that need consensus answer 405, as Qdrant does. Stateless.
 */
final class StandaloneClusterRoutes {
    private static final String STANDALONE =
            "Cluster operations are not available: this node runs in standalone mode (cluster.enabled is false)";

    private final ObjectMapper json;

    StandaloneClusterRoutes(ObjectMapper json) {
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/cluster", READ, r -> ApiResponse.ok(json.createObjectNode().put("status", "disabled"))),
                new Route("POST", "/cluster/recover", WRITE, r -> refuse()),
                new Route("DELETE", "/cluster/peer/{peer}", WRITE, r -> refuse()),
                new Route("POST", "/collections/{c}/cluster", WRITE, r -> refuse()));
    }

    private static ApiResponse refuse() {
        throw new ApiException(405, STANDALONE);
    }
}
