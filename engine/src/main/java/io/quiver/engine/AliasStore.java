package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.segment.PointsFile;
import io.quiver.engine.shard.PayloadJson;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The storage directory's {@value #FILE}: the aliases of a standalone {@link Quiver}, as
 * {@code {"format_version": 1, "aliases": {"<alias>": "<collection>", …}}}. A missing file means no aliases. Each
 * change replaces the whole file: written to {@value #FILE}{@code .tmp}, fsynced, renamed over the file atomically and
 * the directory fsynced, so a crash leaves the old or the new aliases, never a mix. Created and used by its
 * {@link Quiver}; single writer: the Quiver's monitor (creates, deletes and alias changes are serialised).
 */
final class AliasStore {
    static final String FILE = "aliases.json";
    private static final int FORMAT_VERSION = 1;

    private final Path dir;

    AliasStore(Path storageDir) {
        this.dir = storageDir;
    }

    /** The stored aliases (none when the file does not exist); a file that cannot be read is a StorageException. */
    Aliases read() {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Aliases.empty();
        }
        try {
            JsonNode root = PayloadJson.MAPPER.readTree(Files.readAllBytes(file));
            if (root == null || root.path("format_version").asInt() != FORMAT_VERSION
                    || !(root.get("aliases") instanceof ObjectNode aliases)) {
                throw new StorageException("unsupported aliases format in " + file);
            }
            Map<String, String> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : aliases.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new StorageException("alias " + e.getKey() + " in " + file + " names no collection");
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
            return Aliases.of(out);
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e, e);
        }
    }

    /** Replaces the file by {@code aliases}, atomically and durably. */
    void write(Aliases aliases) {
        Path file = dir.resolve(FILE);
        Path tmp = dir.resolve(FILE + ".tmp");
        ObjectNode root = PayloadJson.MAPPER.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        ObjectNode map = root.putObject("aliases");
        aliases.asMap().forEach(map::put);
        try {
            Files.write(tmp, PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PointsFile.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e, e);
        }
    }
}
