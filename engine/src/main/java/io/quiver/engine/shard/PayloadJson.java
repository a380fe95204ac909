package io.quiver.engine.shard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.StorageException;
import io.quiver.engine.filter.JsonPath;
import java.io.IOException;
import java.util.List;

/**
 * Conversions of payloads between {@link ObjectNode} and their stored form (UTF-8 JSON bytes; null = empty), and
 * the payload edits of Qdrant's set / delete-keys operations (key paths walked by {@link JsonPath}). Stateless;
 * threadsafe.
 */
public final class PayloadJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private PayloadJson() {}

    /**
     * The stored form of a payload (null for none or {}); a BadRequest when its text could not be read back
     * ({@link io.quiver.engine.JsonText}), so a stored payload always parses.
     */
    public static byte[] toBytes(ObjectNode payload) {
        if (payload == null || payload.isEmpty()) {
            return null;
        }
        io.quiver.engine.JsonText.requireWellFormed(payload, "payload");
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

    /**
     * Qdrant's set payload: merges the top-level keys of {@code patch} into {@code target} (a null value removes its
     * key: {@link JsonPath#mergeFields}), or with a key into every object the key path reaches ({@link JsonPath#setIn}).
     * Returns {@code target}, edited in place.
     */
    public static ObjectNode merge(ObjectNode target, ObjectNode patch, JsonPath keyOrNull) {
        if (keyOrNull == null) {
            JsonPath.mergeFields(target, patch);
        } else {
            keyOrNull.setIn(target, patch);
        }
        return target;
    }

    /** Qdrant's payload key delete: removes what each key path reaches ({@link JsonPath#removeFrom}); in place. */
    public static ObjectNode deleteKeys(ObjectNode target, List<JsonPath> keys) {
        for (JsonPath key : keys) {
            key.removeFrom(target);
        }
        return target;
    }

    /**
     * The key path of a logged operation, or null when it does not parse. Keys are checked before an operation is
     * logged ({@code CollectionWriter}), so only records written before that check can hold such a key; replay must
     * not fail on them, and they change nothing.
     */
    public static JsonPath loggedKeyOrNull(String key) {
        try {
            return JsonPath.parse(key);
        } catch (BadRequestException e) {
            return null;
        }
    }
}
