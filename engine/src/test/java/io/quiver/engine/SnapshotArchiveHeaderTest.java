package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.snapshot.SnapshotArchive;
import io.quiver.hnsw.Distance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SnapshotArchive#readHeader} checks the whole archive before anyone acts on its header (a cluster node creates
 * the collection it describes before extracting it): damage anywhere, a missing trailer on format 2, a damaged entry
 * of a format 1 archive are refused; an intact archive of either format gives its config and shard ids.
 */
class SnapshotArchiveHeaderTest {
    @TempDir
    Path storage;
    @TempDir
    Path snapshots;

    private Path archive(Quiver q) {
        Collection c = q.createCollection("two", CollectionConfig.of(4, Distance.DOT).withShardNumber(2));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ObjectNode payload = JsonNodeFactory.instance.objectNode().put("n", i);
            points.add(new Point(PointId.of(i), new float[] {i, 1, 2, 3}, payload));
        }
        c.upsert(points, true);
        return c.snapshotFile(snapshots, c.createSnapshot(snapshots).name());
    }

    @Test
    void anIntactArchiveGivesItsConfigAndShards() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            SnapshotArchive.Header header = SnapshotArchive.readHeader(archive(q));
            assertEquals("two", header.collection());
            assertEquals(List.of(0, 1), header.shardIds());
            assertEquals(2, header.configJson().at("/config/params/shard_number").asInt(), header.configJson()::toString);
        }
    }

    @Test
    void damageAnywhereIsRefused() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Path file = archive(q);
            byte[] intact = Files.readAllBytes(file);
            for (int pos = 0; pos < intact.length; pos += Math.max(1, intact.length / 200)) {
                byte[] damaged = intact.clone();
                damaged[pos] ^= 0x10;
                Path copy = snapshots.resolve("damaged.snapshot");
                Files.write(copy, damaged);
                int at = pos;
                assertThrows(BadRequestException.class, () -> SnapshotArchive.readHeader(copy),
                        () -> "byte " + at + " of " + intact.length);
            }
            Path truncated = snapshots.resolve("truncated.snapshot");
            Files.write(truncated, java.util.Arrays.copyOf(intact, intact.length - 100));
            assertThrows(BadRequestException.class, () -> SnapshotArchive.readHeader(truncated));
        }
    }

    @Test
    void formatOneIsReadAndItsEntriesChecked() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            Path file = archive(q);
            Path old = rezip(file, snapshots.resolve("format-1.snapshot"), m -> m.put("format_version", 1));
            assertEquals(List.of(0, 1), SnapshotArchive.readHeader(old).shardIds());

            // format 2 without its trailer is refused
            Path stripped = rezip(file, snapshots.resolve("stripped.snapshot"), m -> { });
            assertThrows(BadRequestException.class, () -> SnapshotArchive.readHeader(stripped));

            // a format 1 archive whose entry data is damaged (the middle of the file lies in a segment's mapped
            // file, stored whole with its preallocated tail): its entry CRC32 no longer matches
            byte[] bytes = Files.readAllBytes(old);
            bytes[bytes.length / 2] ^= 0x01;
            Path damaged = snapshots.resolve("format-1-damaged.snapshot");
            Files.write(damaged, bytes);
            assertThrows(BadRequestException.class, () -> SnapshotArchive.readHeader(damaged));
        }
    }

    /** Copies the entries into a plain ZIP without the checksum trailer, the manifest changed by {@code edit}. */
    private static Path rezip(Path from, Path to, Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals("manifest.json")) {
                    ObjectNode manifest = (ObjectNode) mapper.readTree(bytes);
                    edit.accept(manifest);
                    bytes = mapper.writeValueAsBytes(manifest);
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED); // stored: a flipped data byte reaches the CRC32 check, not inflate
                copy.setSize(bytes.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(bytes);
                copy.setCrc(crc.getValue());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        return to;
    }
}
