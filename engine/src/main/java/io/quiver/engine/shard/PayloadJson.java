package io.quiver.engine.shard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.StorageException;
import java.io.IOException;
import java.util.List;

/**
 * Conversions of payloads between {@link ObjectNode} and their stored form (UTF-8 JSON bytes; null = empty), and
 * the payload edits of Qdrant's set / overwrite / delete-keys operations. Stateless; threadsafe.
 */
public final class PayloadJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private PayloadJson() {}

    public static byte[] toBytes(ObjectNode payload) {
        if (payload == null || payload.isEmpty()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise payload", e);
        }
    }

    /** A fresh, caller-owned ObjectNode ({} for null). */
    public static ObjectNode parse(byte[] bytes) {
        if (bytes == null) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (!(n instanceof ObjectNode o)) {
                throw new StorageException("stored payload is not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new StorageException("corrupt stored payload", e);
        }
    }

    /** Qdrant's set payload: merges top-level keys of {@code patch} into {@code target}, or into the object at the
     * dotted {@code keyOrNull} path (created when missing). */
    public static ObjectNode merge(ObjectNode target, ObjectNode patch, String keyOrNull) {
        ObjectNode into = target;
        if (keyOrNull != null && !keyOrNull.isEmpty()) {
            for (String part : keyOrNull.split("\\.")) {
                JsonNode child = into.get(part);
                into = child instanceof ObjectNode o ? o : into.putObject(part);
            }
        }
        into.setAll(patch.deepCopy());
        return target;
    }

    /** Removes each (possibly dotted) key. */
    public static ObjectNode deleteKeys(ObjectNode target, List<String> keys) {
        for (String key : keys) {
            if (target.has(key)) {
                target.remove(key);
                continue;
            }
            String[] parts = key.split("\\.");
            ObjectNode node = target;
            for (int i = 0; i < parts.length - 1 && node != null; i++) {
                node = node.get(parts[i]) instanceof ObjectNode o ? o : null;
            }
            if (node != null) {
                node.remove(parts[parts.length - 1]);
            }
        }
        return target;
    }
}
