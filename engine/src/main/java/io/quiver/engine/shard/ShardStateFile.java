package io.quiver.engine.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.StorageException;
import io.quiver.engine.segment.PointsFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * A shard's {@code shard_state.json}: the last checkpointed WAL LSN, the operation id of that operation
 * ({@code last_operation_id}; the WAL before it is truncated, so this is where the id survives when no later record
 * does; absent in files written before it, which then count as {@code flushed_lsn}, the operation number of that
 * time) and the segments that made up the shard at that point, with a CRC32C of the canonical content
 * ({@code "crc"}). Written atomically (temp file, fsync, rename) as the last step of a checkpoint. Stateless;
 * threadsafe.
 */
public final class ShardStateFile {
    public static final String NAME = "shard_state.json";
    static final int FORMAT_VERSION = 1;

    /**
     * The checkpoint: every operation up to {@code flushedLsn} is in these segments' files; the last of them had
     * operation id {@code lastOperationId}.
     */
    public record State(long flushedLsn, List<UUID> segments, long lastOperationId) {
        /** A checkpoint whose last operation id is not known apart from its LSN (a snapshot's manifest). */
        public State(long flushedLsn, List<UUID> segments) {
            this(flushedLsn, segments, flushedLsn);
        }
    }

    private ShardStateFile() {}

    public static State read(Path shardDir) {
        Path file = shardDir.resolve(NAME);
        if (!Files.exists(file)) {
            return new State(0, List.of());
        }
        try {
            JsonNode n = PayloadJson.MAPPER.readTree(Files.readAllBytes(file));
            if (n.path("format_version").asInt() != FORMAT_VERSION) {
                throw new StorageException("unsupported shard state version in " + file);
            }
            ObjectNode body = ((ObjectNode) n).deepCopy();
            body.remove("crc");
            if (crc(body) != n.path("crc").asLong(-1)) {
                throw new StorageException("checksum mismatch in " + file);
            }
            List<UUID> segs = new ArrayList<>();
            n.path("segments").forEach(s -> segs.add(UUID.fromString(s.asText())));
            long flushed = n.path("flushed_lsn").asLong();
            return new State(flushed, segs, n.path("last_operation_id").asLong(flushed));
        } catch (IOException | RuntimeException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("cannot read " + file, e);
        }
    }

    public static void write(Path shardDir, State state) {
        ObjectNode n = PayloadJson.MAPPER.createObjectNode();
        n.put("format_version", FORMAT_VERSION);
        n.put("flushed_lsn", state.flushedLsn());
        n.put("last_operation_id", state.lastOperationId());
        ArrayNode a = n.putArray("segments");
        state.segments().forEach(u -> a.add(u.toString()));
        n.put("crc", crc(n));
        Path tmp = shardDir.resolve(NAME + ".tmp");
        try {
            Files.write(tmp, PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, shardDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            PointsFile.fsyncDirectory(shardDir);
        } catch (IOException e) {
            throw new StorageException("cannot write " + shardDir.resolve(NAME), e);
        }
    }

    private static long crc(ObjectNode body) {
        CRC32C c = new CRC32C();
        c.update(body.toString().getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
