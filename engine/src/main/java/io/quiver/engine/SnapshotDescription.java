package io.quiver.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One snapshot file as Qdrant describes it ({@code SnapshotDescription}). Immutable value.
 *
 * @param name         the file name, {@code <collection>-<n>-<yyyy-MM-dd-HH-mm-ss>.snapshot}
 * @param creationTime UTC {@code yyyy-MM-dd'T'HH:mm:ss}, or null when unknown
 * @param size         bytes of the archive
 * @param checksum     SHA-256 hex of the archive (from its {@code .checksum} sidecar), or null when absent
 */
public record SnapshotDescription(String name, String creationTime, long size, String checksum) {
    /** {@code {"name":…, "creation_time":…, "size":…, "checksum":…}} */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        if (creationTime == null) {
            n.putNull("creation_time");
        } else {
            n.put("creation_time", creationTime);
        }
        n.put("size", size);
        if (checksum == null) {
            n.putNull("checksum");
        } else {
            n.put("checksum", checksum);
        }
        return n;
    }
}
