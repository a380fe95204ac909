package io.quiver.engine.snapshot;

import io.quiver.engine.BadRequestException;
import io.quiver.engine.StorageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Resolves a snapshot location for recovery: a {@code file://} URI (or a plain path) names a local archive, read in
 * place; an {@code http(s)://} URI on a loopback address (127.0.0.1, ::1, localhost) is downloaded with
 * {@link HttpClient} into a temporary file that the caller deletes. Any other host is refused. Stateless; threadsafe.
 */
public final class SnapshotSource {
    private SnapshotSource() {}

    /** A local archive, and whether it is a temporary download the caller must delete. */
    public record Local(Path file, boolean temporary) {}

    public static Local fetch(URI location, Path downloadDir) {
        if (location == null) {
            throw new BadRequestException("snapshot location is missing");
        }
        String scheme = location.getScheme();
        if (scheme == null || scheme.equals("file")) {
            Path p;
            try {
                p = scheme == null ? Path.of(location.getPath()) : Path.of(location);
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new BadRequestException("invalid snapshot location " + location + ": " + e.getMessage());
            }
            if (!Files.isRegularFile(p)) {
                // Qdrant answers a missing local file with a 400 (StorageError::bad_request), not a 404
                throw new BadRequestException("Bad request: Snapshot file \"" + p + "\" does not exist");
            }
            return new Local(p, false);
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BadRequestException("unsupported snapshot location scheme " + scheme);
        }
        String host = location.getHost();
        try {
            if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
                throw new BadRequestException("snapshot URLs must point to 127.0.0.1, got " + location);
            }
        } catch (java.net.UnknownHostException e) {
            throw new BadRequestException("unknown host in snapshot URL " + location);
        }
        Path tmp = null;
        try {
            Files.createDirectories(downloadDir);
            tmp = downloadDir.resolve("download-" + UUID.randomUUID() + ".part");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<Path> resp = client.send(HttpRequest.newBuilder(location).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(tmp));
            if (resp.statusCode() != 200) {
                Files.deleteIfExists(tmp);
                throw new BadRequestException("downloading " + location + " answered HTTP " + resp.statusCode());
            }
            return new Local(tmp, true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BadRequestException("cannot download snapshot from " + location + ": " + e);
        } catch (InterruptedException e) {
            deleteQuietly(tmp);
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while downloading " + location, e);
        }
    }

    static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a leftover temporary download
            }
        }
    }
}
