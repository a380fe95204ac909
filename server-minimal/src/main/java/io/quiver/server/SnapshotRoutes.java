package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.SnapshotPriority;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.StorageException;
import io.quiver.engine.snapshot.SnapshotStore;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

import static io.quiver.server.Route.Access.READ;
import static io.quiver.server.Route.Access.WRITE;

/**
 * Qdrant's collection and shard snapshot endpoints: create, list, download, delete, recover (from {@code file://}
 * or an {@code http://} URL, with {@code checksum} and {@code priority}) and upload (a multipart archive, recovered
 * the same way), with {@code wait} (default true; {@code wait=false} answers 202 and runs in the background).
 * Snapshots live under {@code storage.snapshots_path/<collection>/} and {@code .../<collection>/shards/<id>/};
 * uploads are spooled to {@code storage.snapshots_path/.uploads/} while they are recovered. Threadsafe.
 */
final class SnapshotRoutes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotRoutes.class);
    private final CollectionLookup collections;
    private final Path snapshotsDir;
    private final ObjectMapper json;

    SnapshotRoutes(CollectionLookup collections, Path snapshotsDir, ObjectMapper json) {
        this.collections = collections;
        this.snapshotsDir = snapshotsDir;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/collections/{c}/snapshots", WRITE, this::create),
                new Route("GET", "/collections/{c}/snapshots", READ, this::list),
                new Route("GET", "/collections/{c}/snapshots/{name}", READ, this::download),
                new Route("DELETE", "/collections/{c}/snapshots/{name}", WRITE, this::delete),
                new Route("PUT", "/collections/{c}/snapshots/recover", WRITE, this::recover),
                new Route("POST", "/collections/{c}/snapshots/upload", WRITE, this::upload),
                new Route("POST", "/collections/{c}/shards/{shard}/snapshots", WRITE, this::createShard),
                new Route("GET", "/collections/{c}/shards/{shard}/snapshots", READ, this::listShard),
                new Route("GET", "/collections/{c}/shards/{shard}/snapshots/{name}", READ, this::downloadShard),
                new Route("DELETE", "/collections/{c}/shards/{shard}/snapshots/{name}", WRITE, this::deleteShard),
                new Route("PUT", "/collections/{c}/shards/{shard}/snapshots/recover", WRITE, this::recoverShard),
                new Route("POST", "/collections/{c}/shards/{shard}/snapshots/upload", WRITE, this::uploadShard));
    }

    private static int shardId(ApiRequest request) {
        String raw = request.pathParam("shard");
        try {
            int id = Integer.parseInt(raw);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("Wrong input: shard id must be a non-negative integer, got " + raw);
    }

    private ApiResponse createShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        int shard = shardId(request);
        if (!request.queryFlag("wait", true)) {
            background("snapshot of shard " + shard + " of " + collection.name(),
                    () -> collection.createShardSnapshot(snapshotsDir, shard));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(collection.createShardSnapshot(snapshotsDir, shard).toJson());
    }

    private ApiResponse listShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ArrayNode out = json.createArrayNode();
        for (SnapshotDescription d : collection.listShardSnapshots(snapshotsDir, shardId(request))) {
            out.add(d.toJson());
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse downloadShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        return new ApiResponse.File(collection.shardSnapshotFile(snapshotsDir, shardId(request),
                request.pathParam("name")));
    }

    private ApiResponse deleteShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        int shard = shardId(request);
        String name = request.pathParam("name");
        if (collection.listShardSnapshots(snapshotsDir, shard).stream().noneMatch(d -> d.name().equals(name))) {
            throw new NotFoundException("Snapshot " + name + " not found");
        }
        if (!request.queryFlag("wait", true)) {
            background("delete of snapshot " + name, () -> collection.deleteShardSnapshot(snapshotsDir, shard, name));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(BooleanNode.valueOf(collection.deleteShardSnapshot(snapshotsDir, shard, name)));
    }

    private ApiResponse recoverShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        int shard = shardId(request);
        Recovery r = recovery(request);
        if (!request.queryFlag("wait", true)) {
            background("recovery of shard " + shard + " of " + collection.name(), () -> collection.recoverShardSnapshot(
                    shard, r.location(), r.checksum(), r.priority(), snapshotsDir));
            return new ApiResponse.Accepted();
        }
        collection.recoverShardSnapshot(shard, r.location(), r.checksum(), r.priority(), snapshotsDir);
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    /** The body of Qdrant's {@code SnapshotRecover}: {@code location}, optional {@code checksum} and {@code priority}. */
    private record Recovery(URI location, String checksum, SnapshotPriority priority) {
    }

    private static Recovery recovery(ApiRequest request) {
        JsonNode body = request.jsonObject();
        String location = JsonFields.optText(body, "location");
        if (location == null) {
            throw ApiException.badRequest("Format error in JSON body: missing field `location`");
        }
        String checksum = JsonFields.optText(body, "checksum");
        if (checksum != null) {
            String problem = sha256Problem(checksum);
            if (problem != null) {
                throw ApiException.validation("checksum", problem);
            }
        }
        SnapshotPriority priority = SnapshotPriority.parse(JsonFields.optText(body, "priority"));
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("Wrong input: snapshot location is not a URI: " + location);
        }
        if (uri.getScheme() == null || !List.of("file", "http", "https").contains(uri.getScheme())) {
            throw ApiException.badRequest("Wrong input: snapshot location must be a file:// or http(s):// URI: "
                    + location);
        }
        return new Recovery(uri, checksum, priority);
    }

    /** Runs a {@code wait=false} operation on a virtual thread; a failure is logged, as nobody waits for it. */
    static void background(String what, Runnable work) {
        Thread.ofVirtual().name("quiver-" + what).start(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", what, e.getMessage(), e);
            }
        });
    }

    private ApiResponse create(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        if (!request.queryFlag("wait", true)) {
            background("snapshot of " + collection.name(), () -> collection.createSnapshot(snapshotsDir));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(collection.createSnapshot(snapshotsDir).toJson());
    }

    private ApiResponse list(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        ArrayNode out = json.createArrayNode();
        for (SnapshotDescription d : collection.listSnapshots(snapshotsDir)) {
            out.add(d.toJson());
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse download(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        return new ApiResponse.File(collection.snapshotFile(snapshotsDir, request.pathParam("name")));
    }

    private ApiResponse delete(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        String name = request.pathParam("name");
        boolean wait = request.queryFlag("wait", true);
        if (!collection.listSnapshots(snapshotsDir).stream().anyMatch(d -> d.name().equals(name))) {
            throw new NotFoundException("Snapshot " + name + " not found");
        }
        if (!wait) {
            background("delete of snapshot " + name, () -> collection.deleteSnapshot(snapshotsDir, name));
            return new ApiResponse.Accepted();
        }
        return ApiResponse.ok(BooleanNode.valueOf(collection.deleteSnapshot(snapshotsDir, name)));
    }

    private ApiResponse recover(ApiRequest request) {
        String name = recoveryTarget(request.pathParam("c"));
        Recovery r = recovery(request);
        if (!request.queryFlag("wait", true)) {
            background("recovery of " + name, () -> collections.catalog().recoverSnapshot(name, r.location(),
                    r.checksum(), r.priority(), snapshotsDir));
            return new ApiResponse.Accepted();
        }
        collections.catalog().recoverSnapshot(name, r.location(), r.checksum(), r.priority(), snapshotsDir);
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    /**
     * The collection a recovery into {@code nameOrAlias} writes: the alias's collection (Qdrant resolves the name
     * first), an existing collection, or a new one, whose name must follow the collection-name rules.
     */
    private String recoveryTarget(String nameOrAlias) {
        var existing = collections.catalog().resolve(nameOrAlias);
        if (existing.isPresent()) {
            return existing.get().name();
        }
        return CollectionRoutes.validName(nameOrAlias); // the recovery creates it: a new collection's name rules apply
    }

    /**
     * Qdrant's {@code validate_sha256_hash}: 64 hexadecimal digits (either case); the problem as a validation message,
     * or null when the value is a well-formed SHA-256.
     */
    static String sha256Problem(String value) {
        if (value.length() != 64) {
            return "invalid sha256 hash: expected 64 characters, got " + value.length();
        }
        if (!value.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            return "invalid sha256 hash: invalid characters, expected 0-9, a-f, A-F";
        }
        return null;
    }

    /**
     * Qdrant's {@code SnapshotUploadingParam}: {@code wait} (default true), {@code priority} and {@code checksum}
     * (validated before the body is read).
     */
    private record Upload(boolean waitRequested, SnapshotPriority priority, String checksumOrNull) {
    }

    private static Upload uploadParams(ApiRequest request) {
        boolean wait = request.queryFlag("wait", true);
        String priority = request.query("priority");
        if (priority != null && priority.isEmpty()) {
            priority = null;
        }
        if (priority != null && !List.of("replica", "snapshot", "no_sync").contains(priority)) {
            throw ApiException.badRequest("Format error in query parameters: priority: unknown variant `" + priority
                    + "`, expected one of `replica`, `snapshot`, `no_sync`");
        }
        String checksum = request.query("checksum");
        if (checksum != null && checksum.isEmpty()) {
            checksum = null;
        }
        if (checksum != null) {
            String problem = sha256Problem(checksum);
            if (problem != null) {
                throw new ApiException(422, "Validation error in query parameters: [checksum: " + problem + "]");
            }
        }
        return new Upload(wait, SnapshotPriority.parse(priority), checksum);
    }

    /**
     * {@code POST /collections/{c}/snapshots/upload}: the archive in the multipart form field {@code snapshot} is
     * spooled to {@code <snapshots>/.uploads/} (never held in memory, and not bounded by {@code max_request_size_mb},
     * as Qdrant's upload is not), its checksum checked when given, then recovered exactly as {@code recover} does from
     * a {@code file://} location; the spooled file is deleted afterwards.
     */
    private ApiResponse upload(ApiRequest request) {
        Upload params = uploadParams(request);
        String name = recoveryTarget(request.pathParam("c"));
        Path file = receive(request, params.checksumOrNull());
        return recoverUploaded(file, params.waitRequested(), "recovery of " + name + " from an uploaded snapshot",
                () -> collections.catalog().recoverSnapshot(name, file.toUri(), null, params.priority(),
                        snapshotsDir));
    }

    /** {@code POST /collections/{c}/shards/{shard}/snapshots/upload}: {@link #upload} for one shard. */
    private ApiResponse uploadShard(ApiRequest request) {
        CollectionService collection = collections.get(request.pathParam("c"));
        int shard = shardId(request);
        Upload params = uploadParams(request);
        Path file = receive(request, params.checksumOrNull());
        return recoverUploaded(file, params.waitRequested(), "recovery of shard " + shard + " of " + collection.name()
                        + " from an uploaded snapshot",
                () -> collection.recoverShardSnapshot(shard, file.toUri(), null, params.priority(), snapshotsDir));
    }

    /** Runs a recovery of a spooled upload now or in the background ({@code wait=false}: 202), then deletes it. */
    private static ApiResponse recoverUploaded(Path file, boolean wait, String what, Runnable recovery) {
        Runnable work = () -> {
            try {
                recovery.run();
            } finally {
                deleteQuietly(file);
            }
        };
        if (!wait) {
            background(what, work);
            return new ApiResponse.Accepted();
        }
        work.run();
        return ApiResponse.ok(BooleanNode.TRUE);
    }

    /**
     * Streams the request's multipart body, writing the first {@code snapshot} field to a new file under
     * {@code <snapshots>/.uploads/} and skipping every other field; checks the SHA-256 when given. A body without a
     * {@code snapshot} field, a malformed one or a checksum mismatch is a 400 and leaves no file behind.
     */
    private Path receive(ApiRequest request, String checksumOrNull) {
        MultipartFormReader form = MultipartFormReader.open(request.bodyStream(), request.header("Content-Type"));
        Path dir = uploadsDir();
        Path file = dir.resolve("upload-" + UUID.randomUUID() + SnapshotStore.SUFFIX);
        boolean received = false;
        try {
            Files.createDirectories(dir);
            MultipartFormReader.Part part;
            while ((part = form.next()) != null) {
                if (!received && part.name().equals("snapshot")) {
                    try (OutputStream out = new SpoolFile(file)) {
                        form.copyBody(out);
                    }
                    received = true;
                }
            }
            request.bodyReadToEnd();
            if (!received) {
                throw ApiException.badRequest("Format error in multipart body: missing field `snapshot`");
            }
            SnapshotStore.checkSha256(file, checksumOrNull);
            return file;
        } catch (IOException e) {
            deleteQuietly(file);
            throw ApiException.badRequest("Format error in multipart body: cannot read the request body: " + e);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    private Path uploadsDir() {
        return snapshotsDir.resolve(".uploads");
    }

    /** Deletes uploads left by a process that stopped while receiving or recovering them (called at start). */
    void deleteLeftoverUploads() {
        Path dir = uploadsDir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.forEach(SnapshotRoutes::deleteQuietly);
        } catch (IOException e) {
            LOG.warn("cannot list {} to delete leftover uploads: {}", dir, e.toString());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }

    /**
     * The file an upload is spooled to: a write failure (disk full) is the server's problem, a 500 through
     * {@link StorageException}, unlike a failure to read the client's body (a 400).
     */
    private static final class SpoolFile extends FilterOutputStream {
        private final Path file;

        SpoolFile(Path file) throws IOException {
            super(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            this.file = file;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new StorageException("cannot write the uploaded snapshot to " + file + ": " + e, e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new StorageException("cannot write the uploaded snapshot to " + file + ": " + e, e);
            }
        }
    }
}
