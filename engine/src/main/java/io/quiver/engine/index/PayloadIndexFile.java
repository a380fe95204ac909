package io.quiver.engine.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.StorageException;
import io.quiver.engine.filter.JsonPath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk form of a segment's payload indexes, one file per segment ({@value #FILE_NAME}). Layout, big-endian:
 * <pre>
 *   int    magic   0x51504958 ("QPIX")
 *   int    version 1
 *   int    field count
 *   per field:
 *     string field path (int byte length + UTF-8), string field_schema JSON
 *     int    entry count
 *     per entry (ascending ordinal):
 *       keyed index: int ord, bool uncertain, int key count, keys (keyword: string; uuid: 2 longs;
 *                    integer/datetime: long; float: double; bool: 1 byte; geo: 2 doubles lon, lat)
 *       text index:  int ord, int token count, tokens (string)
 *   int    footer magic 0x51504946 ("QPIF")
 *   int    CRC32C of every byte before the footer
 * </pre>
 * Written to a temporary file, forced, then atomically renamed over the old one; the footer is verified before
 * anything is trusted, and any mismatch raises {@link StorageException} (fail-stop). Stateless, threadsafe.
 */
public final class PayloadIndexFile {

    /** The file name inside a segment directory. */
    public static final String FILE_NAME = "payload_index.bin";
    static final int MAGIC = 0x51504958;
    static final int FOOTER_MAGIC = 0x51504946;
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PayloadIndexFile() {}

    static void write(Path file, Map<String, FieldIndex> indexes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(indexes.size());
            for (Map.Entry<String, FieldIndex> e : indexes.entrySet()) {
                KeyCodec.writeString(out, e.getKey());
                KeyCodec.writeString(out, e.getValue().schema.toJson().toString());
                e.getValue().writeEntries(out);
            }
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt(FOOTER_MAGIC);
            out.writeInt((int) crc.getValue());
            out.flush();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                } catch (IOException ignored) {
                    // some file systems cannot fsync a directory; the rename itself is atomic
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot write payload index file " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, FieldIndex> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StorageException("cannot read payload index file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length < 20) {
            throw corrupt(file, "truncated (" + bytes.length + " bytes)");
        }
        ByteBuffer footer = ByteBuffer.wrap(bytes, bytes.length - 8, 8);
        if (footer.getInt() != FOOTER_MAGIC) {
            throw corrupt(file, "bad footer magic");
        }
        int stored = footer.getInt();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        if ((int) crc.getValue() != stored) {
            throw corrupt(file, "checksum mismatch");
        }
        ByteArrayInputStream body = new ByteArrayInputStream(bytes, 0, bytes.length - 8);
        DataInputStream in = new DataInputStream(body);
        try {
            if (in.readInt() != MAGIC) {
                throw corrupt(file, "bad magic");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw corrupt(file, "unsupported format version " + version + " (this build reads " + VERSION + ")");
            }
            int fields = in.readInt();
            Map<String, FieldIndex> out = new LinkedHashMap<>();
            for (int i = 0; i < fields; i++) {
                String field = KeyCodec.readString(in);
                PayloadFieldSchema schema = PayloadFieldSchema.parse(JSON.readTree(KeyCodec.readString(in)));
                FieldIndex index = FieldIndex.create(JsonPath.parse(field), schema);
                index.readEntries(in);
                out.put(field, index);
            }
            if (body.available() != 0) {
                throw corrupt(file, body.available() + " unexpected trailing bytes");
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("corrupt payload index file " + file + ": " + e.getMessage(), e);
        }
    }

    private static StorageException corrupt(Path file, String why) {
        return new StorageException("corrupt payload index file " + file + ": " + why);
    }
}
