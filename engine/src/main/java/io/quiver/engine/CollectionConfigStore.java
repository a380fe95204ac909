package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.index.PayloadFieldSchema;
import io.quiver.engine.index.PayloadIndexInfo;
import io.quiver.engine.segment.PointsFile;
import io.quiver.engine.shard.PayloadJson;
import io.quiver.engine.shard.Shard;
import io.quiver.wal.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A collection's {@code config.json}: its format, and the config and payload_schema it holds, which every change
 * persists before the shards follow it. Threading: threadsafe; changes hold {@link #lock()}, as does whatever needs
 * the file and the shards to stay as they are (a snapshot reading the file, a shard swap); readers take the current
 * values, which are volatile.
 */
final class CollectionConfigStore {
    static final String FILE = "config.json";
    private static final int FORMAT_VERSION = 1;

    /** What a {@code config.json} holds. */
    record Contents(CollectionConfig config, ObjectNode payloadSchema) {}

    private final Path dir;
    private final CollectionShards shards;
    private final Object lock = new Object();
    private volatile CollectionConfig config;
    private volatile ObjectNode payloadSchema;

    /** The store of {@code <dir>/config.json}, which holds {@code contents}, followed by {@code shards}. */
    CollectionConfigStore(Path dir, Contents contents, CollectionShards shards) {
        this.dir = dir;
        this.shards = shards;
        this.config = contents.config();
        this.payloadSchema = contents.payloadSchema();
    }

    /** Writes the {@code config.json} of a new collection (no payload indexes yet) and returns what it holds. */
    static Contents create(Path dir, CollectionConfig config) {
        ObjectNode schema = PayloadJson.MAPPER.createObjectNode();
        write(dir, config, schema);
        return new Contents(config, schema);
    }

    /** Reads {@code <dir>/config.json}. */
    static Contents read(Path dir) {
        JsonNode n;
        try {
            n = PayloadJson.MAPPER.readTree(Files.readAllBytes(dir.resolve(FILE)));
        } catch (IOException e) {
            throw new StorageException("cannot read " + dir.resolve(FILE), e);
        }
        if (n.path("format_version").asInt() != FORMAT_VERSION) {
            throw new StorageException("unsupported config format in " + dir.resolve(FILE));
        }
        CollectionConfig config = CollectionConfig.fromJson(n.get("config"));
        ObjectNode schema = n.get("payload_schema") instanceof ObjectNode o ? o
                : PayloadJson.MAPPER.createObjectNode();
        return new Contents(config, schema);
    }

    /** Replaces {@code <dir>/config.json} atomically and durably. */
    private static void write(Path dir, CollectionConfig config, ObjectNode schema) {
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.write(tmp, encode(config, schema));
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PointsFile.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new StorageException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /** The content of a {@code config.json} holding {@code config} and {@code schema}. */
    private static byte[] encode(CollectionConfig config, ObjectNode schema) throws IOException {
        ObjectNode root = PayloadJson.MAPPER.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.set("config", config.toJson());
        root.set("payload_schema", schema);
        return PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** A persisted payload_schema as field → schema (also reads the older {"data_type", "params"} entries). */
    private static Map<String, PayloadFieldSchema> parseSchema(ObjectNode schema) {
        Map<String, PayloadFieldSchema> out = new LinkedHashMap<>();
        schema.properties().forEach(e -> {
            JsonNode n = e.getValue();
            JsonNode fieldSchema = n.has("data_type") ? (n.has("params") ? n.get("params") : n.get("data_type")) : n;
            out.put(e.getKey(), PayloadFieldSchema.parse(fieldSchema));
        });
        return out;
    }

    /** The lock every change holds. */
    Object lock() {
        return lock;
    }

    CollectionConfig config() {
        return config;
    }

    /** The current payload_schema as field → schema. */
    Map<String, PayloadFieldSchema> payloadFieldSchemas() {
        return parseSchema(payloadSchema);
    }

    /** The bytes of {@code config.json} as it is now. */
    byte[] readFile() throws IOException {
        synchronized (lock) {
            return Files.readAllBytes(dir.resolve(FILE));
        }
    }

    /** The content of a {@code config.json} holding {@code asConfig} and the current payload_schema. */
    byte[] encodeWith(CollectionConfig asConfig) throws IOException {
        return encode(asConfig, payloadSchema.deepCopy());
    }

    /** {@link Collection#updateConfig}. */
    void updateConfig(JsonNode patchBody) {
        synchronized (lock) {
            CollectionConfig next = config.applyUpdate(patchBody);
            shards.checkRunnable(next); // before the file changes: a config the engine cannot run is never stored
            write(dir, next, payloadSchema);
            config = next;
            shards.applyConfig(next);
        }
    }

    /** {@link Collection#createPayloadIndex}; returns the operation id. */
    long createPayloadIndex(String field, JsonNode fieldSchema, Durability durability) {
        if (field == null || field.isBlank()) {
            throw new BadRequestException("field_name must not be empty");
        }
        PayloadFieldSchema parsed = PayloadFieldSchema.parse(fieldSchema);
        JsonPath.parse(field); // BadRequest for an invalid key path
        synchronized (lock) {
            ObjectNode next = payloadSchema.deepCopy();
            next.set(field, parsed.toJson());
            parseSchema(next);
            write(dir, config, next);
            payloadSchema = next;
            return shards.changePayloadIndex(parseSchema(next), field, parsed.toJson().toString()
                    .getBytes(StandardCharsets.UTF_8), durability);
        }
    }

    /** {@link Collection#deletePayloadIndex}; returns the operation id. */
    long deletePayloadIndex(String field, Durability durability) {
        synchronized (lock) {
            ObjectNode next = payloadSchema.deepCopy();
            next.remove(field);
            write(dir, config, next);
            payloadSchema = next;
            return shards.changePayloadIndex(parseSchema(next), field, null, durability);
        }
    }

    /** payload_schema as Qdrant reports it: per indexed field its type, params and the number of indexed points. */
    ObjectNode payloadSchemaInfo() {
        Map<String, PayloadIndexInfo> sum = new LinkedHashMap<>();
        for (Shard s : shards.all()) {
            s.payloadIndexInfo().forEach((f, i) -> sum.merge(f, i, PayloadIndexInfo::plus));
        }
        ObjectNode out = PayloadJson.MAPPER.createObjectNode();
        parseSchema(payloadSchema).forEach((field, schema) -> {
            String key = JsonPath.parse(field).toString();
            PayloadIndexInfo info = sum.getOrDefault(key, sum.get(field));
            out.set(field, (info != null ? info : new PayloadIndexInfo(schema, 0)).toJson());
        });
        return out;
    }
}
