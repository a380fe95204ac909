package io.quiver.engine.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.StorageException;
import io.quiver.engine.index.PayloadIndexFile;
import io.quiver.engine.segment.PointsFile;
import io.quiver.engine.segment.Segment;
import io.quiver.engine.shard.PayloadJson;
import io.quiver.engine.shard.ShardCheckpoint;
import io.quiver.engine.shard.ShardStateFile;
import io.quiver.wal.Durability;
import io.quiver.wal.Wal;
import io.quiver.wal.WalAppend;
import io.quiver.wal.WalConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The snapshot archive format: a ZIP file (java.util.zip; every entry carries its CRC32, checked on extraction) with
 * <ul>
 *   <li>{@code config.json}: the collection's {@code config.json} as it was when the snapshot began;</li>
 *   <li>{@code shards/<id>/segments/<uuid>/<file>}: the files of each segment of the shard's checkpoint
 *       ({@code points.bin}, {@code vectors.bin}, and {@code hnsw.graph} / {@code payload_index.bin} when present);
 *   </li>
 *   <li>{@code shards/<id>/wal_tail.bin} (unless the WAL is left out): the WAL records written after the checkpoint,
 *       big-endian: magic {@code QWTL}, format version 1, record count, per record LSN ({@code long}), type
 *       ({@code byte}), length ({@code int}) and payload; footer magic {@code QWTE} and the CRC32C of all preceding
 *       bytes;</li>
 *   <li>{@code manifest.json}, written last: {@code format} ("quiver-snapshot"), {@code format_version} (2),
 *       {@code collection}, {@code shards} (per shard: {@code shard_id}, {@code flushed_lsn}, {@code segments},
 *       {@code wal_records}) and {@code entries} (name → size of every other entry). An archive without it, with an
 *       entry it does not list, or with a listed entry missing or of another size, is corrupt.</li>
 * </ul>
 * The ZIP comment, the file's last bytes, is {@code quiver-snapshot crc32c=<8 hex digits>}: the CRC32C of every byte
 * before the digits, so that damage anywhere in the file (also where the ZIP format keeps no CRC) is refused even
 * without the {@code .checksum}. Format 1 archives lack it and are still read.
 * Recovery extracts an archive into a staging directory laid out like a collection directory (config.json,
 * {@code <id>/segments/..}, {@code <id>/shard_state.json} with the checkpoint LSN and segment list, and the WAL tail
 * written into {@code <id>/wal/} at its original LSNs), which then opens like any collection: the segments are mapped
 * and the WAL tail replayed. Stateless; threadsafe.
 */
public final class SnapshotArchive {
    static final String FORMAT = "quiver-snapshot";
    static final int FORMAT_VERSION = 2;
    /** Archives of format 1 have no checksum trailer; they are still recovered. */
    private static final int FIRST_FORMAT_VERSION = 1;
    /** The ZIP comment, the archive's last bytes: this prefix, then the CRC32C of every byte before the hex. */
    static final String TRAILER_PREFIX = "quiver-snapshot crc32c=";
    private static final String TRAILER_PLACEHOLDER = "00000000";
    private static final int TRAILER_HEX = TRAILER_PLACEHOLDER.length();
    static final String MANIFEST = "manifest.json";
    static final String CONFIG = "config.json";
    static final String WAL_TAIL = "wal_tail.bin";
    private static final int WAL_TAIL_MAGIC = 0x5157544C; // "QWTL"
    private static final int WAL_TAIL_END = 0x51575445; // "QWTE"
    private static final int WAL_TAIL_VERSION = 1;
    private static final Pattern ENTRY = Pattern.compile(
            "config\\.json|manifest\\.json|shards/\\d{1,6}/(wal_tail\\.bin|segments/[0-9a-f-]{36}/[A-Za-z0-9_]+\\.[a-z]+)");
    private static final List<String> SEGMENT_FILES = List.of(PointsFile.NAME, Segment.VECTORS_FILE,
            Segment.GRAPH_FILE, PayloadIndexFile.FILE_NAME);

    private SnapshotArchive() {}

    /** What one shard contributed to an archive. */
    public record ShardPart(int shardId, long flushedLsn, List<UUID> segments, int walRecords) {}

    /**
     * Writes archives entry by entry to one output stream, which stays the caller's: closing the writer releases the
     * ZIP's resources but leaves the stream open (a snapshot store closes its file itself, after its checksum).
     * Single thread.
     */
    public static final class Writer implements AutoCloseable {
        private final ZipOutputStream zip;
        private final String collection;
        private final Map<String, Long> entries = new LinkedHashMap<>();
        private final List<ShardPart> shards = new ArrayList<>();
        private final byte[] buffer = new byte[1 << 16];

        private final ArchiveChecksumStream checked;

        public Writer(OutputStream out, String collection) {
            this.checked = new ArchiveChecksumStream(out);
            this.zip = new ZipOutputStream(checked);
            this.zip.setComment(TRAILER_PREFIX + TRAILER_PLACEHOLDER);
            this.collection = collection;
        }

        /** The collection's {@code config.json} bytes. */
        public void writeConfig(byte[] configJson) throws IOException {
            writeBytes(CONFIG, configJson);
        }

        /** Copies one shard's checkpointed segment files (and, when asked, its WAL tail). */
        public ShardPart writeShard(ShardCheckpoint cp, boolean includeWal) throws IOException {
            return writeShard(cp, cp.shardId(), includeWal);
        }

        /**
         * {@link #writeShard(ShardCheckpoint, boolean)} under another shard id: a cluster node's snapshot of a
         * collection holds its replicas (each shard 0 of its own engine collection) under their cluster shard ids.
         */
        public ShardPart writeShard(ShardCheckpoint cp, int asShardId, boolean includeWal) throws IOException {
            String base = "shards/" + asShardId + "/";
            for (UUID seg : cp.segments()) {
                Path dir = cp.segmentDir(seg);
                // the checkpoint's points.bin says how many vectors count: the preallocated rest is left out
                var points = PointsFile.read(dir, seg).snapshot();
                long vectorBytes = io.quiver.engine.segment.MappedVectorStore.usedBytes(points.dim(), points.count());
                for (String f : SEGMENT_FILES) {
                    copyFile(base + "segments/" + seg + "/" + f, dir.resolve(f), !f.equals(PointsFile.NAME)
                            && !f.equals(Segment.VECTORS_FILE), f.equals(Segment.VECTORS_FILE) ? vectorBytes
                                    : Long.MAX_VALUE);
                }
            }
            int records = 0;
            if (includeWal) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                List<io.quiver.wal.WalRecord> tail = new ArrayList<>();
                cp.forEachWalRecordAfterCheckpoint(tail::add);
                out.writeInt(WAL_TAIL_MAGIC);
                out.writeInt(WAL_TAIL_VERSION);
                out.writeInt(tail.size());
                for (io.quiver.wal.WalRecord r : tail) {
                    out.writeLong(r.lsn());
                    out.writeByte(r.type());
                    out.writeInt(r.payload().length);
                    out.write(r.payload());
                }
                out.writeInt(WAL_TAIL_END);
                out.flush();
                CRC32C crc = new CRC32C();
                crc.update(bytes.toByteArray());
                out.writeLong(crc.getValue());
                out.flush();
                writeBytes(base + WAL_TAIL, bytes.toByteArray());
                records = tail.size();
            }
            ShardPart part = new ShardPart(asShardId, cp.flushedLsn(), cp.segments(), records);
            shards.add(part);
            return part;
        }

        private void copyFile(String name, Path file, boolean optional, long maxBytes) throws IOException {
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                if (optional) {
                    return; // e.g. a graph still being built: the recovered shard builds it
                }
                throw e;
            }
            try (ch) {
                long size = Math.min(ch.size(), maxBytes); // a growing vectors file covers the checkpoint
                zip.setLevel(name.endsWith(".bin") && !name.endsWith(PointsFile.NAME) ? Deflater.NO_COMPRESSION
                        : Deflater.BEST_SPEED);
                zip.putNextEntry(new ZipEntry(name));
                InputStream in = Channels.newInputStream(ch);
                long left = size;
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("unexpected end of " + file);
                    }
                    zip.write(buffer, 0, n);
                    left -= n;
                }
                zip.closeEntry();
                entries.put(name, size);
            }
        }

        private void writeBytes(String name, byte[] bytes) throws IOException {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry(name));
            zip.write(bytes);
            zip.closeEntry();
            entries.put(name, (long) bytes.length);
        }

        /** Writes the manifest and finishes the ZIP (the underlying stream stays open). */
        public void finish() throws IOException {
            ObjectNode m = PayloadJson.MAPPER.createObjectNode();
            m.put("format", FORMAT);
            m.put("format_version", FORMAT_VERSION);
            m.put("collection", collection);
            ArrayNode sh = m.putArray("shards");
            for (ShardPart p : shards) {
                ObjectNode s = sh.addObject();
                s.put("shard_id", p.shardId());
                s.put("flushed_lsn", p.flushedLsn());
                ArrayNode segs = s.putArray("segments");
                p.segments().forEach(u -> segs.add(u.toString()));
                s.put("wal_records", p.walRecords());
            }
            ObjectNode e = m.putObject("entries");
            entries.forEach(e::put);
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
            zip.closeEntry();
            zip.finish();
            checked.finishWithChecksum();
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    /**
     * Qdrant's rule for recovering a snapshot into a collection that already exists: the snapshot's vectors (size,
     * distance, on-disk storage) and shard count must equal the collection's, else a {@link BadRequestException}
     * "Snapshot is not compatible with existing collection: …" (Qdrant's words). Checked before anything is replaced.
     */
    public static void checkCompatible(io.quiver.engine.CollectionConfig existing,
            io.quiver.engine.CollectionConfig snapshot) {
        if (!existing.vectors().equals(snapshot.vectors())) {
            throw new BadRequestException("Wrong input: Snapshot is not compatible with existing collection: "
                    + "Collection vectors: " + describe(existing.vectors()) + " Snapshot Vectors: "
                    + describe(snapshot.vectors()));
        }
        if (existing.shardNumber() != snapshot.shardNumber()) {
            throw new BadRequestException("Wrong input: Snapshot is not compatible with existing collection: "
                    + "Collection shard number: " + existing.shardNumber() + " Snapshot shard number: "
                    + snapshot.shardNumber());
        }
    }

    private static String describe(io.quiver.engine.CollectionConfig.VectorParams v) {
        String params = "{size: " + v.size() + ", distance: "
                + io.quiver.engine.CollectionConfig.distanceName(v.distance()) + ", on_disk: " + v.onDisk() + "}";
        return v.name().isEmpty() ? params : "{" + v.name() + ": " + params + "}";
    }

    /** What an archive says of itself, read without extracting it: its {@code config.json} and its shard ids. */
    public record Header(String collection, JsonNode configJson, List<Integer> shardIds) {}

    /**
     * Reads an archive's manifest and config after checking the whole file, without extracting it: a damaged, truncated,
     * corrupt or foreign archive is a {@link BadRequestException}, so a caller may act on the header (create the
     * collection it describes) before extracting. Format 2 needs its CRC32C trailer to match; a format 1 archive,
     * which has none, is read through once so that every entry's CRC32 is checked.
     */
    public static Header readHeader(Path archive) {
        boolean checksummed = verifyTrailer(archive);
        Header header = readManifestAndConfig(archive, checksummed);
        if (!checksummed) {
            checkEntryCrcs(archive);
        }
        return header;
    }

    private static Header readManifestAndConfig(Path archive, boolean checksummed) {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(archive.toFile())) {
            ZipEntry manifestEntry = zip.getEntry(MANIFEST);
            ZipEntry configEntry = zip.getEntry(CONFIG);
            if (manifestEntry == null || configEntry == null) {
                throw corrupt("no manifest or config (truncated or not a Quiver snapshot)");
            }
            JsonNode manifest;
            JsonNode config;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                manifest = PayloadJson.MAPPER.readTree(in);
            }
            try (InputStream in = zip.getInputStream(configEntry)) {
                config = PayloadJson.MAPPER.readTree(in);
            }
            if (!FORMAT.equals(manifest.path("format").asText())) {
                throw corrupt("not a Quiver snapshot");
            }
            int formatVersion = manifest.path("format_version").asInt();
            if (formatVersion < FIRST_FORMAT_VERSION || formatVersion > FORMAT_VERSION) {
                throw corrupt("unsupported snapshot format version " + manifest.path("format_version"));
            }
            if (formatVersion >= 2 && !checksummed) {
                throw corrupt("its checksum trailer is missing or damaged");
            }
            List<Integer> ids = new ArrayList<>();
            manifest.path("shards").forEach(s -> ids.add(s.path("shard_id").asInt(-1)));
            return new Header(manifest.path("collection").asText(), config, List.copyOf(ids));
        } catch (ZipException e) {
            throw corrupt(e.getMessage());
        } catch (IOException e) {
            throw new StorageException("cannot read snapshot " + archive + ": " + e, e);
        }
    }

    /** Reads every entry of a format 1 archive (no trailer) through, so that the ZIP stream checks its CRC32. */
    private static void checkEntryCrcs(Path archive) {
        try (InputStream raw = Files.newInputStream(archive);
                ZipInputStream zip = new ZipInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            byte[] buffer = new byte[1 << 16];
            while (zip.getNextEntry() != null) {
                while (zip.read(buffer) > 0) { // the ZIP stream checks the entry's CRC32 at its end
                    // discard
                }
            }
        } catch (ZipException | java.io.EOFException e) {
            throw corrupt(e.getMessage());
        } catch (IOException e) {
            if (e.getCause() instanceof ZipException) {
                throw corrupt(e.getMessage());
            }
            throw new StorageException("cannot read snapshot " + archive + ": " + e, e);
        }
    }

    /** The extracted archive: the collection it was taken from and its shards. */
    public record Extracted(String collection, List<ShardPart> shards) {}

    /**
     * Extracts {@code archive} into the empty directory {@code target} as a collection directory (see the class
     * comment); the WAL tails are written with {@code walConfigFor(config.json)}. A corrupt or foreign archive is a
     * {@link BadRequestException}; {@code target} is then left partially filled for the caller to delete.
     */
    public static Extracted extract(Path archive, Path target,
            java.util.function.Function<JsonNode, WalConfig> walConfigFor) {
        Map<String, Long> seen = new HashMap<>();
        JsonNode manifest = null;
        boolean checksummed = verifyTrailer(archive);
        try (InputStream raw = Files.newInputStream(archive);
                ZipInputStream zip = new ZipInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            Files.createDirectories(target);
            ZipEntry e;
            byte[] buffer = new byte[1 << 16];
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (e.isDirectory() || !ENTRY.matcher(name).matches() || seen.containsKey(name)) {
                    throw corrupt("unexpected entry " + name);
                }
                if (name.equals(MANIFEST)) {
                    manifest = PayloadJson.MAPPER.readTree(zip.readAllBytes());
                    seen.put(name, -1L);
                    continue;
                }
                Path out = target.resolve(name.startsWith("shards/") ? name.substring("shards/".length()) : name);
                Files.createDirectories(out.getParent());
                long size = 0;
                try (OutputStream os = Files.newOutputStream(out)) {
                    int n;
                    while ((n = zip.read(buffer)) > 0) { // the ZIP stream checks the entry's CRC32 at its end
                        os.write(buffer, 0, n);
                        size += n;
                    }
                }
                seen.put(name, size);
            }
        } catch (ZipException e) {
            throw corrupt(e.getMessage());
        } catch (IOException e) {
            if (e.getCause() instanceof ZipException || e instanceof java.io.EOFException) {
                throw corrupt(e.getMessage());
            }
            throw new StorageException("cannot extract snapshot " + archive + ": " + e, e);
        } catch (RuntimeException e) {
            if (e instanceof BadRequestException b) {
                throw b;
            }
            throw corrupt(String.valueOf(e));
        }
        if (manifest == null || !FORMAT.equals(manifest.path("format").asText())) {
            throw corrupt("no manifest (truncated or not a Quiver snapshot)");
        }
        int formatVersion = manifest.path("format_version").asInt();
        if (formatVersion < FIRST_FORMAT_VERSION || formatVersion > FORMAT_VERSION) {
            throw corrupt("unsupported snapshot format version " + manifest.path("format_version"));
        }
        if (formatVersion >= 2 && !checksummed) {
            throw corrupt("its checksum trailer is missing or damaged");
        }
        JsonNode listed = manifest.path("entries");
        if (listed.size() != seen.size() - 1) {
            throw corrupt("entries do not match the manifest");
        }
        for (var it = listed.fields(); it.hasNext();) {
            var f = it.next();
            Long size = seen.get(f.getKey());
            if (size == null || size != f.getValue().asLong(-2)) {
                throw corrupt("entry " + f.getKey() + " is missing or of the wrong size");
            }
        }
        if (!seen.containsKey(CONFIG)) {
            throw corrupt("no config.json");
        }
        List<ShardPart> shards = new ArrayList<>();
        try {
            JsonNode config = PayloadJson.MAPPER.readTree(Files.readAllBytes(target.resolve(CONFIG)));
            WalConfig walConfig = walConfigFor.apply(config);
            for (JsonNode s : manifest.path("shards")) {
                int id = s.path("shard_id").asInt(-1);
                List<UUID> segs = new ArrayList<>();
                s.path("segments").forEach(u -> segs.add(UUID.fromString(u.asText())));
                ShardPart part = new ShardPart(id, s.path("flushed_lsn").asLong(), segs, s.path("wal_records").asInt());
                Path shardDir = target.resolve(Integer.toString(id));
                Files.createDirectories(shardDir.resolve("segments"));
                for (UUID u : segs) {
                    if (!seen.containsKey("shards/" + id + "/segments/" + u + "/" + PointsFile.NAME)) {
                        throw corrupt("segment " + u + " of shard " + id + " is missing");
                    }
                }
                ShardStateFile.write(shardDir, new ShardStateFile.State(part.flushedLsn(), segs));
                Path tail = shardDir.resolve(WAL_TAIL);
                if (Files.exists(tail)) {
                    writeWalTail(tail, shardDir.resolve("wal"), part.flushedLsn(), walConfig);
                    Files.delete(tail);
                }
                shards.add(part);
            }
        } catch (IOException e) {
            throw new StorageException("cannot extract snapshot " + archive + ": " + e, e);
        } catch (BadRequestException | StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw corrupt(String.valueOf(e));
        }
        return new Extracted(manifest.path("collection").asText(), List.copyOf(shards));
    }

    private static void writeWalTail(Path tailFile, Path walDir, long flushedLsn, WalConfig config)
            throws IOException {
        byte[] all = Files.readAllBytes(tailFile);
        if (all.length < 20) {
            throw corrupt("WAL tail too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all));
        if (java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong() != crc.getValue()) {
            throw corrupt("WAL tail checksum mismatch");
        }
        if (in.readInt() != WAL_TAIL_MAGIC || in.readInt() != WAL_TAIL_VERSION) {
            throw corrupt("bad WAL tail header");
        }
        int count = in.readInt();
        try (Wal wal = Wal.open(walDir, config)) {
            wal.reset(flushedLsn + 1);
            WalAppend last = null;
            for (int i = 0; i < count; i++) {
                long lsn = in.readLong();
                byte type = in.readByte();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                last = wal.appendAt(lsn, type, payload, Durability.DURABLE);
            }
            if (in.readInt() != WAL_TAIL_END) {
                throw corrupt("bad WAL tail footer");
            }
            if (last != null) {
                last.completion().join();
            }
        } catch (IllegalStateException e) {
            throw corrupt("WAL tail is not consecutive: " + e.getMessage());
        }
    }

    /**
     * Checks the archive's checksum trailer (see {@link #TRAILER_PREFIX}): false when there is none (a format 1
     * archive, or a damaged trailer, which the manifest's format version then tells apart), true when it matches,
     * and a {@link BadRequestException} when it does not. The ZIP stream alone misses damage outside the entries'
     * data (headers' times, the central directory), which this covers.
     */
    static boolean verifyTrailer(Path archive) {
        byte[] prefix = TRAILER_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ)) {
            long size = ch.size();
            int tailLength = prefix.length + TRAILER_HEX;
            if (size < tailLength) {
                return false;
            }
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(tailLength);
            while (tail.hasRemaining() && ch.read(tail, size - tailLength + tail.position()) > 0) {
                // positional reads until the tail is full
            }
            byte[] t = tail.array();
            if (!java.util.Arrays.equals(t, 0, prefix.length, prefix, 0, prefix.length)) {
                return false;
            }
            String expected = new String(t, prefix.length, TRAILER_HEX, java.nio.charset.StandardCharsets.US_ASCII);
            CRC32C crc = new CRC32C();
            long covered = size - TRAILER_HEX;
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(1 << 20, covered));
            for (long pos = 0; pos < covered;) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), covered - pos));
                int n = ch.read(buffer, pos);
                if (n <= 0) {
                    throw new IOException("unexpected end of " + archive);
                }
                crc.update(buffer.flip());
                pos += n;
            }
            String actual = String.format("%08x", crc.getValue());
            if (!actual.equals(expected)) { // exact text: a changed letter case is damage too
                throw corrupt("its CRC32C is " + actual + ", its trailer says " + expected);
            }
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot read snapshot " + archive + ": " + e, e);
        }
    }

    /**
     * Passes an archive's bytes to the caller's stream, all but the last {@link #TRAILER_HEX} (the placeholder the
     * ZIP comment ends with), and replaces those by the CRC32C of everything before them. Never closes the caller's
     * stream. Single thread.
     */
    private static final class ArchiveChecksumStream extends OutputStream {
        private final OutputStream out;
        private final CRC32C crc = new CRC32C();
        private final byte[] held = new byte[TRAILER_HEX];
        private int heldCount;

        ArchiveChecksumStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException { // the ZIP writer's headers come a byte at a time
            if (heldCount == held.length) {
                emit(held, 0, 1);
                System.arraycopy(held, 1, held, 0, --heldCount);
            }
            held[heldCount++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int total = heldCount + len;
            int release = total - held.length; // bytes that can no longer be the archive's last
            if (release <= 0) {
                System.arraycopy(b, off, held, heldCount, len);
                heldCount += len;
                return;
            }
            int fromHeld = Math.min(release, heldCount);
            if (fromHeld > 0) {
                emit(held, 0, fromHeld);
                System.arraycopy(held, fromHeld, held, 0, heldCount - fromHeld);
                heldCount -= fromHeld;
            }
            int fromNew = release - fromHeld;
            emit(b, off, fromNew);
            System.arraycopy(b, off + fromNew, held, heldCount, len - fromNew);
            heldCount += len - fromNew;
        }

        private void emit(byte[] b, int off, int len) throws IOException {
            crc.update(b, off, len);
            out.write(b, off, len);
        }

        /** Writes the checksum in place of the held placeholder; the ZIP must be finished. */
        void finishWithChecksum() throws IOException {
            if (heldCount != held.length || !new String(held, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals(TRAILER_PLACEHOLDER)) {
                throw new IllegalStateException("the archive does not end with its checksum placeholder");
            }
            out.write(String.format("%08x", crc.getValue()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            heldCount = 0;
            out.flush();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush(); // the caller owns the stream
        }
    }

    private static BadRequestException corrupt(String why) {
        return new BadRequestException("the snapshot archive is corrupt: " + why);
    }
}
