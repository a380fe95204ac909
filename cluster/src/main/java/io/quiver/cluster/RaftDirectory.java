package io.quiver.cluster;

import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.snapshot.local.LocalSnapshotMetaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import io.quiver.wal.Wal;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The layout of SOFAJRaft's data under {@code <storage>/raft/}: {@code log/} (the LogStorage), {@code meta/} (term
 * and vote), {@code snapshot/snapshot_<index>/} (each holding SOFAJRaft's {@value #SNAPSHOT_META_FILE} and
 * {@link MetadataSnapshotFile#FILE_NAME}). Knows how to find and verify the latest snapshot, and how to replace the
 * log and snapshots by a snapshot received from the leader. Not threadsafe by itself: the owning {@link ClusterNode}
 * only calls the mutating methods while its Raft node is stopped.
 */
public final class RaftDirectory {
    /** SOFAJRaft's snapshot meta file name inside a snapshot directory. */
    public static final String SNAPSHOT_META_FILE = "__raft_snapshot_meta";
    private static final String SNAPSHOT_PREFIX = "snapshot_";

    /** The log entries stored on disk: how many, and the first and last index (0 when empty). */
    public record LogSpan(long count, long first, long last) {
    }

    /** A snapshot as shipped between nodes: its Raft index, SOFAJRaft's meta file and Quiver's metadata file. */
    public record SnapshotImage(long index, byte[] meta, byte[] data) {
    }

    private final Path root;
    private final RaftLogStorageKind logStorage;

    public RaftDirectory(Path root, RaftLogStorageKind logStorage) {
        this.root = root;
        this.logStorage = logStorage;
    }

    /** Which storage holds the log. */
    public RaftLogStorageKind logStorage() {
        return logStorage;
    }

    /** Null when the log directory is empty or of {@link #logStorage()}'s kind, else the problem. */
    public String verifyLogStorageKind() throws IOException {
        if (!Files.isDirectory(logDir())) {
            return null;
        }
        boolean rocksdb = Files.exists(logDir().resolve("CURRENT"));
        boolean empty;
        try (Stream<Path> files = Files.list(logDir())) {
            empty = files.findAny().isEmpty();
        }
        if (empty || rocksdb == (logStorage == RaftLogStorageKind.ROCKSDB)) {
            return null;
        }
        return "the Raft log in " + logDir() + " was written by " + (rocksdb ? "RocksDB" : "the Quiver WAL")
                + " but this node is configured for " + logStorage;
    }

    public Path root() {
        return root;
    }

    public Path logDir() {
        return root.resolve("log");
    }

    public Path metaDir() {
        return root.resolve("meta");
    }

    public Path snapshotDir() {
        return root.resolve("snapshot");
    }

    /** The directory of the newest complete snapshot, or null. */
    public Path latestSnapshot() throws IOException {
        if (!Files.isDirectory(snapshotDir())) {
            return null;
        }
        Path best = null;
        long bestIndex = -1;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshotDir(), SNAPSHOT_PREFIX + "*")) {
            for (Path dir : dirs) {
                long index = indexOf(dir);
                if (index > bestIndex) {
                    bestIndex = index;
                    best = dir;
                }
            }
        }
        return best;
    }

    private static long indexOf(Path snapshotDir) {
        try {
            return Long.parseLong(snapshotDir.getFileName().toString().substring(SNAPSHOT_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Checks the local state before SOFAJRaft opens it: the newest snapshot (if any) must carry a readable meta file
     * and a metadata file whose magic, version and checksum verify. Returns null when usable, else the problem.
     */
    public String verify() {
        try {
            Path latest = latestSnapshot();
            if (latest == null) {
                return null;
            }
            Path metaFile = latest.resolve(SNAPSHOT_META_FILE);
            LocalSnapshotMetaTable table = new LocalSnapshotMetaTable(new RaftOptions());
            if (!Files.exists(metaFile) || !table.loadFromFile(metaFile.toString()) || !table.hasMeta()) {
                return "snapshot " + latest + " has no readable " + SNAPSHOT_META_FILE;
            }
            MetadataSnapshotFile.read(latest.resolve(MetadataSnapshotFile.FILE_NAME));
            return null;
        } catch (IOException | RuntimeException e) {
            return "local metadata state is damaged: " + e.getMessage();
        }
    }

    /**
     * Checks that the log connects to the newest snapshot (SOFAJRaft refuses to start across a gap, e.g. when the
     * snapshots were deleted but the log had been truncated behind them). Returns null when usable, else the problem.
     * Must run while no Raft node has the log open.
     */
    public String verifyLogContinuity() {
        try {
            String wrongKind = verifyLogStorageKind();
            if (wrongKind != null) {
                return wrongKind;
            }
            Path latest = latestSnapshot();
            long snapshotIndex = latest == null ? 0 : indexOf(latest);
            LogSpan span = logSpanOnDisk();
            if (span.count() > 0 && span.first() > snapshotIndex + 1) {
                return "local metadata state is incomplete: the Raft log starts at " + span.first() + " but "
                        + (snapshotIndex == 0 ? "there is no snapshot" : "the newest snapshot ends at " + snapshotIndex);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "local metadata state is damaged: " + e.getMessage();
        }
    }

    /**
     * Counts the entries of the Raft log on disk: for RocksDB the keys of the default column family (8-byte indexes),
     * for the WAL the retained LSN range. Must not run while a live node has the log open.
     */
    public LogSpan logSpanOnDisk() throws IOException {
        if (logStorage == RaftLogStorageKind.WAL) {
            if (!Files.isDirectory(logDir())) {
                return new LogSpan(0, 0, 0);
            }
            try (Wal wal = Wal.open(logDir(), WalLogStorage.defaultConfig())) {
                long count = wal.lastLsn() - wal.firstLsn() + 1;
                return new LogSpan(count, count == 0 ? 0 : wal.firstLsn(), count == 0 ? 0 : wal.lastLsn());
            }
        }
        if (!Files.exists(logDir().resolve("CURRENT"))) {
            return new LogSpan(0, 0, 0);
        }
        RocksDB.loadLibrary();
        try (Options listOptions = new Options(); DBOptions options = new DBOptions()) {
            List<byte[]> names = RocksDB.listColumnFamilies(listOptions, logDir().toString());
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] name : names) {
                descriptors.add(new ColumnFamilyDescriptor(name));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.openReadOnly(options, logDir().toString(), descriptors, handles)) {
                ColumnFamilyHandle data = handles.get(0);
                for (int i = 0; i < names.size(); i++) {
                    if (Arrays.equals(names.get(i), RocksDB.DEFAULT_COLUMN_FAMILY)) {
                        data = handles.get(i);
                    }
                }
                long count = 0;
                long first = Long.MAX_VALUE;
                long last = 0;
                try (RocksIterator it = db.newIterator(data)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        byte[] key = it.key();
                        if (key.length == 8) {
                            long index = java.nio.ByteBuffer.wrap(key).getLong();
                            count++;
                            first = Math.min(first, index);
                            last = Math.max(last, index);
                        }
                    }
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
                return new LogSpan(count, count == 0 ? 0 : first, last);
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot read the Raft log in " + logDir() + ": " + e.getMessage(), e);
        }
    }

    /** Reads the newest snapshot as an image to ship; null when there is none. */
    public SnapshotImage readLatest() throws IOException {
        Path latest = latestSnapshot();
        if (latest == null) {
            return null;
        }
        byte[] meta = Files.readAllBytes(latest.resolve(SNAPSHOT_META_FILE));
        byte[] data = Files.readAllBytes(latest.resolve(MetadataSnapshotFile.FILE_NAME));
        return new SnapshotImage(indexOf(latest), meta, data);
    }

    /** The snapshot meta (index, term, configuration) of an image; throws when the meta bytes are not readable. */
    public static SnapshotMeta metaOf(SnapshotImage image) throws IOException {
        Path tmp = Files.createTempFile("quiver-snapshot-meta", ".pb");
        try {
            Files.write(tmp, image.meta());
            LocalSnapshotMetaTable table = new LocalSnapshotMetaTable(new RaftOptions());
            if (!table.loadFromFile(tmp.toString()) || !table.hasMeta()) {
                throw new IOException("snapshot meta is not readable");
            }
            return table.getMeta();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Replaces the log and all snapshots by {@code image} (the term/vote in {@code meta/} are kept, so the node never
     * votes twice in a term). After this, SOFAJRaft starts from the image: its log begins right after it.
     */
    public void installReplacing(SnapshotImage image) throws IOException {
        deleteTree(logDir());
        deleteTree(snapshotDir());
        Files.createDirectories(snapshotDir());
        Path staging = snapshotDir().resolve("temp-install");
        Files.createDirectories(staging);
        Files.write(staging.resolve(SNAPSHOT_META_FILE), image.meta());
        Files.write(staging.resolve(MetadataSnapshotFile.FILE_NAME), image.data());
        Files.move(staging, snapshotDir().resolve(SNAPSHOT_PREFIX + image.index()), StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
