package io.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import io.quiver.cluster.CollectionCatalog;
import io.quiver.cluster.CollectionService;
import io.quiver.engine.Aliases;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.StorageSnapshots;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's full storage snapshot endpoints: {@code POST /snapshots} (with {@code wait}, default true; {@code wait=false}
 * answers 202 and runs in the background), {@code GET /snapshots}, {@code GET /snapshots/{name}} (the archive) and
 * {@code DELETE /snapshots/{name}} (with {@code wait}; 404 when unknown), over the engine's {@link StorageSnapshots}
 * in {@code storage.snapshots_path}. As in Qdrant they also answer in a cluster, where each collection's snapshot holds
 * this node's data (the archive is then only recoverable by collection, {@code --storage-snapshot} being for a
 * standalone node). Listing and downloading need only the read-only key. Threadsafe.
 */
final class FullSnapshotRoutes {
    private final StorageSnapshots snapshots;
    private final StorageSnapshots.Source source;
    private final ObjectMapper json;

    /** Routes over {@code catalog}'s collections; removes what a crash left of a snapshot being taken. */
    static FullSnapshotRoutes open(CollectionCatalog catalog, Path snapshotsDir, ObjectMapper json) {
        FullSnapshotRoutes routes = new FullSnapshotRoutes(new StorageSnapshots(snapshotsDir), new CatalogSource(
                catalog), json);
        routes.snapshots.deleteLeftovers();
        return routes;
    }

    private FullSnapshotRoutes(StorageSnapshots snapshots, StorageSnapshots.Source source, ObjectMapper json) {
        this.snapshots = snapshots;
        this.source = source;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/snapshots", WRITE, this::create),
                new Route("GET", "/snapshots", READ, this::list),
                new Route("GET", "/snapshots/{name}", READ, this::download),
                new Route("DELETE", "/snapshots/{name}", WRITE, this::delete));
    }

    private ApiResponse create(ApiRequest request) {
        if (!request.queryFlag("wait", true)) {
            SnapshotRoutes.background("full storage snapshot", () -> snapshots.create(source));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(snapshots.create(source).toJson());
    }

    private ApiResponse list(ApiRequest request) {
        ArrayNode out = json.createArrayNode();
        for (SnapshotDescription d : snapshots.list()) {
            out.add(d.toJson());
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse download(ApiRequest request) {
        return new ApiResponse.File(snapshots.file(request.pathParam("name")));
    }

    private ApiResponse delete(ApiRequest request) {
        String name = request.pathParam("name");
        snapshots.file(name); // 404 before accepting, as Qdrant resolves the path first
        if (!request.queryFlag("wait", true)) {
            SnapshotRoutes.background("delete of full snapshot " + name, () -> snapshots.delete(name));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(BooleanNode.valueOf(snapshots.delete(name)));
    }

    /** A node's collections as a snapshot source: standalone the engine's, in a cluster this node's replicas. */
    private record CatalogSource(CollectionCatalog catalog) implements StorageSnapshots.Source {
        @Override
        public List<String> collectionNames() {
            return catalog.names();
        }

        @Override
        public Path snapshotInto(String collection, Path dir) {
            Optional<CollectionService> service = catalog.find(collection);
            return service.map(s -> s.snapshotFile(dir, s.createSnapshot(dir).name())).orElse(null);
        }

        @Override
        public Aliases aliases() {
            return catalog.aliases();
        }
    }
}
