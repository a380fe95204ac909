package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Factory;

/**
 * The layout of the state machine's snapshot file ({@value #FILE_NAME} inside a SOFAJRaft snapshot directory), all
 * integers little-endian:
 * <pre>
 *   int   magic            0x514D5353 ("QMSS")
 *   int   format version   1
 *   long  applied index    the Raft index the state includes (the file's id)
 *   int   json length      uncompressed length of the metadata JSON
 *   int   block length     length of the lz4 block that follows
 *   byte[block length]     lz4 block of {@link ClusterMetadata#toJson()} in UTF-8, plus the key
 *                          "applied_proposals": the ids of the proposals applied last, oldest first
 *   int   crc32c           over every byte before it
 * </pre>
 * Readers check magic and version first and the CRC before decompressing; any mismatch is an {@link IOException}
 * (fail-stop). Stateless; threadsafe.
 */
public final class MetadataSnapshotFile {
    /** Name of the file inside the SOFAJRaft snapshot directory. */
    public static final String FILE_NAME = "metadata.snap";
    static final int MAGIC = 0x514D5353;
    static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 4 + 4;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Key of the applied proposal ids beside the metadata's own keys (absent in snapshots written before them). */
    private static final String APPLIED_PROPOSALS = "applied_proposals";
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

    /** What a snapshot file holds. */
    public record Content(long appliedIndex, ClusterMetadata metadata, long[] appliedProposals) {
    }

    private MetadataSnapshotFile() {
    }

    /** Serializes a state into the file's bytes. */
    public static byte[] encode(long appliedIndex, ClusterMetadata metadata) throws IOException {
        return encode(appliedIndex, metadata, new long[0]);
    }

    /** Serializes a state and the ids of the proposals applied last (oldest first) into the file's bytes. */
    public static byte[] encode(long appliedIndex, ClusterMetadata metadata, long[] appliedProposals) throws IOException {
        ObjectNode root = metadata.toJson();
        ArrayNode proposals = root.putArray(APPLIED_PROPOSALS);
        for (long id : appliedProposals) {
            proposals.add(id);
        }
        byte[] json = MAPPER.writeValueAsBytes(root);
        var compressor = LZ4.fastCompressor();
        byte[] block = new byte[compressor.maxCompressedLength(json.length)];
        int blockLength = compressor.compress(json, 0, json.length, block, 0, block.length);
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + blockLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(appliedIndex).putInt(json.length).putInt(blockLength);
        out.put(block, 0, blockLength);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** Parses and verifies the file's bytes. */
    public static Content decode(byte[] bytes) throws IOException {
        if (bytes.length < HEADER_BYTES + 4) {
            throw new IOException("metadata snapshot truncated: " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new IOException("not a metadata snapshot (magic " + Integer.toHexString(magic) + ")");
        }
        int version = in.getInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported metadata snapshot format version " + version);
        }
        long appliedIndex = in.getLong();
        int jsonLength = in.getInt();
        int blockLength = in.getInt();
        if (blockLength < 0 || jsonLength < 0 || HEADER_BYTES + (long) blockLength + 4 != bytes.length) {
            throw new IOException("metadata snapshot length mismatch: block " + blockLength + ", file " + bytes.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, HEADER_BYTES + blockLength);
        int expected = ByteBuffer.wrap(bytes, HEADER_BYTES + blockLength, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((int) crc.getValue() != expected) {
            throw new IOException("metadata snapshot checksum mismatch");
        }
        byte[] json = new byte[jsonLength];
        try {
            LZ4.fastDecompressor().decompress(bytes, HEADER_BYTES, json, 0, jsonLength);
            JsonNode root = MAPPER.readTree(json);
            JsonNode proposals = root.path(APPLIED_PROPOSALS);
            long[] ids = new long[proposals.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!proposals.get(i).isIntegralNumber()) {
                    throw new IOException("metadata snapshot: a proposal id is not an integer");
                }
                ids[i] = proposals.get(i).asLong();
            }
            return new Content(appliedIndex, ClusterMetadata.fromJson(root), ids);
        } catch (RuntimeException e) {
            throw new IOException("metadata snapshot content is malformed", e);
        }
    }

    /** Writes the file (fsynced). */
    public static void write(Path file, long appliedIndex, ClusterMetadata metadata, long[] appliedProposals)
            throws IOException {
        byte[] bytes = encode(appliedIndex, metadata, appliedProposals);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** Reads and verifies the file. */
    public static Content read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }
}
