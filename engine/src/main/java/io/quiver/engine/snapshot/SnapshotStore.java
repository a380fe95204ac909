package io.quiver.engine.snapshot;

import io.quiver.engine.BadRequestException;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.SnapshotDescription;
import io.quiver.engine.StorageException;
import io.quiver.engine.segment.PointsFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The snapshot files of one directory ({@code <snapshots>/<collection>/}): names
 * ({@code <collection>-<n>-<yyyy-MM-dd-HH-mm-ss>.snapshot}, {@code n} the node's peer id in a cluster, a stable
 * per-process number standalone, bumped until the name is free; or, for an {@link #unnumbered} store such as the full
 * storage snapshots', {@code <prefix>-<yyyy-MM-dd-HH-mm-ss>.snapshot}, with {@code -1}, {@code -2}… before the
 * suffix when a snapshot of that second exists),
 * atomic writes (temporary {@code .tmp} file, fsync, rename) with a {@code <name>.checksum} sidecar holding the
 * SHA-256 hex, listing, lookup and deletion. Stateless apart from the process-wide name reservation lock; threadsafe.
 */
public final class SnapshotStore {
    public static final String SUFFIX = ".snapshot";
    public static final String CHECKSUM_SUFFIX = ".checksum";
    private static final String TMP_SUFFIX = ".tmp";
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CREATION_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    /** A stable per-process number standing in for Qdrant's peer id in snapshot names. */
    private static final long PEER = ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000_000L);
    private static final Object RESERVE = new Object();
    /** The {@link #peer} of an {@link #unnumbered} store. */
    private static final long UNNUMBERED = -1;

    private final Path dir;
    private final String prefix;
    private final long peer;

    /** The snapshots of {@code prefix} (a collection name) in {@code dir}, named with a per-process number. */
    public SnapshotStore(Path dir, String prefix) {
        this(dir, prefix, PEER);
    }

    /** The snapshots of {@code prefix} in {@code dir}, new ones named with {@code peerId} (a cluster node's id). */
    public SnapshotStore(Path dir, String prefix, long peerId) {
        this.dir = dir;
        this.prefix = prefix;
        this.peer = peerId;
    }

    /**
     * The snapshots of {@code prefix} in {@code dir}, new ones named {@code <prefix>-<yyyy-MM-dd-HH-mm-ss>.snapshot}
     * (Qdrant's name for full storage snapshots, {@code full-snapshot-<time>.snapshot}).
     */
    public static SnapshotStore unnumbered(Path dir, String prefix) {
        return new SnapshotStore(dir, prefix, UNNUMBERED);
    }

    public Path dir() {
        return dir;
    }

    /** Body of a snapshot: writes the archive to the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes a new snapshot file (and its checksum sidecar) under a fresh name; a failure leaves no file. */
    public SnapshotDescription create(Content content) {
        Path tmp;
        String name;
        try {
            Files.createDirectories(dir);
            synchronized (RESERVE) {
                Instant now = Instant.now();
                long n = peer == UNNUMBERED ? 0 : peer;
                while (true) {
                    name = peer == UNNUMBERED
                            ? prefix + "-" + NAME_TIME.format(now) + (n == 0 ? "" : "-" + n) + SUFFIX
                            : prefix + "-" + n + "-" + NAME_TIME.format(now) + SUFFIX;
                    tmp = dir.resolve(name + TMP_SUFFIX);
                    if (!Files.exists(dir.resolve(name)) && !Files.exists(tmp)) {
                        Files.createFile(tmp);
                        break;
                    }
                    n++;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot create a snapshot file in " + dir + ": " + e, e);
        }
        try {
            MessageDigest sha = sha256();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new DigestOutputStream(
                            new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16), sha)) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            Path file = dir.resolve(name);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            writeAtomically(dir.resolve(name + CHECKSUM_SUFFIX), hex.getBytes(StandardCharsets.US_ASCII));
            PointsFile.fsyncDirectory(dir);
            return describe(file);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the failure below is what matters
            }
            if (e instanceof io.quiver.engine.QuiverException q) {
                throw q;
            }
            throw new StorageException("cannot write snapshot " + name + ": " + e, e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        Files.write(tmp, bytes);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every complete snapshot in the directory, by name. */
    public List<SnapshotDescription> list() {
        List<SnapshotDescription> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                if (p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)) {
                    try {
                        out.add(describe(p));
                    } catch (NoSuchFileException e) {
                        // deleted meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list snapshots in " + dir + ": " + e, e);
        }
        return out;
    }

    /** The snapshot file; NotFound when absent, BadRequest for a name that is not a plain snapshot file name. */
    public Path file(String name) {
        Path p = dir.resolve(checkName(name));
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("Snapshot " + name + " not found");
        }
        return p;
    }

    /** The description of one snapshot; NotFound when absent. */
    public SnapshotDescription describe(String name) {
        try {
            return describe(file(name));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("Snapshot " + name + " not found");
        } catch (IOException e) {
            throw new StorageException("cannot read snapshot " + name + ": " + e, e);
        }
    }

    /** Deletes a snapshot and its checksum; false when it did not exist. */
    public boolean delete(String name) {
        Path p = dir.resolve(checkName(name));
        try {
            boolean existed = Files.deleteIfExists(p);
            Files.deleteIfExists(p.resolveSibling(name + CHECKSUM_SUFFIX));
            return existed;
        } catch (IOException e) {
            throw new StorageException("cannot delete snapshot " + name + ": " + e, e);
        }
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("\0")
                || name.equals(".") || name.equals("..") || !name.endsWith(SUFFIX)) {
            throw new BadRequestException("invalid snapshot name: " + name);
        }
        return name;
    }

    private static SnapshotDescription describe(Path file) throws IOException {
        long size = Files.size(file);
        String created = CREATION_TIME.format(Files.getLastModifiedTime(file).toInstant());
        Path sum = file.resolveSibling(file.getFileName() + CHECKSUM_SUFFIX);
        String checksum = null;
        try {
            checksum = Files.readString(sum, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            // taken by a version without sidecars, or the sidecar was removed: the checksum is unknown
        }
        return new SnapshotDescription(file.getFileName().toString(), created, size, checksum);
    }

    /**
     * Checks a downloaded or local snapshot against the checksum a recover request names (none: nothing to check);
     * a mismatch is the caller's error (400).
     */
    public static void checkSha256(Path file, String expectedSha256OrNull) {
        if (expectedSha256OrNull == null || expectedSha256OrNull.isBlank()) {
            return;
        }
        String actual = sha256Hex(file);
        if (!actual.equalsIgnoreCase(expectedSha256OrNull.trim())) {
            throw new BadRequestException("Snapshot checksum mismatch: expected " + expectedSha256OrNull + ", got "
                    + actual);
        }
    }

    /** SHA-256 hex of a file. */
    public static String sha256Hex(Path file) {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e, e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
