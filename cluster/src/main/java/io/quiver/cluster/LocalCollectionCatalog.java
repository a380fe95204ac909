package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.AliasAction;
import io.quiver.engine.Aliases;
import io.quiver.engine.CollectionConfig;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.Quiver;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The catalog of a standalone node: the local {@link Quiver}, every shard local. Threadsafe. */
public final class LocalCollectionCatalog implements CollectionCatalog {
    private final Quiver quiver;
    private final long peerId;
    private final java.util.concurrent.atomic.LongAdder searches = new java.util.concurrent.atomic.LongAdder();

    public LocalCollectionCatalog(Quiver quiver, long peerId) {
        this.quiver = quiver;
        this.peerId = peerId;
    }

    @Override
    public void create(String name, CollectionConfig config) {
        quiver.createCollection(name, config);
    }

    @Override
    public void update(String name, JsonNode patch) {
        quiver.findCollection(name).orElseThrow(() -> NotFoundException.collection(name)).updateConfig(patch);
    }

    @Override
    public boolean delete(String name) {
        return quiver.deleteCollection(name);
    }

    @Override
    public List<String> names() {
        return quiver.collectionNames();
    }

    @Override
    public Optional<CollectionService> find(String name) {
        return quiver.findCollection(name).map(c -> new LocalCollectionService(c, peerId, searches));
    }

    @Override
    public void updateAliases(List<AliasAction> actions) {
        quiver.updateAliases(actions);
    }

    @Override
    public Aliases aliases() {
        return quiver.aliases();
    }

    /** Standalone, every shard is local: {@code priority} has nothing to choose between and is ignored. */
    @Override
    public void recoverSnapshot(String name, URI location, String expectedSha256OrNull, SnapshotPriority priority,
            Path snapshotsDir) {
        quiver.recoverSnapshot(name, location, expectedSha256OrNull, snapshotsDir);
    }

    @Override
    public long localSearchCount() {
        return searches.sum();
    }

    @Override
    public void close() {
        quiver.close();
    }
}
