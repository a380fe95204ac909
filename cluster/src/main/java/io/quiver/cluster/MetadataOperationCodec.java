package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.AliasAction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The byte form of a {@link MetadataOperation} in the Raft log and in forwarded proposals: one format-version byte
 * ({@value #FORMAT_VERSION}) followed by a UTF-8 JSON object {@code {"type": "...", ...}}, with the optional
 * {@code proposal_id} that lets the state machine recognise a proposal sent twice ({@link AppliedProposals}; entries
 * written before it have none). JSON keeps the opaque
 * collection configs as they are and makes the log readable when debugging; metadata operations are rare, so size
 * does not matter. Stateless; threadsafe.
 */
public final class MetadataOperationCodec {
    /** The only format this codec writes and reads. */
    public static final byte FORMAT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MetadataOperationCodec() {
    }

    /** An operation with the id of the proposal that carries it (0: none). */
    public record Proposal(long proposalId, MetadataOperation operation) {
    }

    /** Encodes an operation without a proposal id. */
    public static byte[] encode(MetadataOperation operation) {
        return encode(operation, 0);
    }

    /** Encodes an operation as proposal {@code proposalId} (0: none). */
    public static byte[] encode(MetadataOperation operation, long proposalId) {
        ObjectNode node = MAPPER.createObjectNode();
        switch (operation) {
            case MetadataOperation.AddPeer op -> node.put("type", "add_peer").put("peer_id", op.peerId()).put("uri", op.uri())
                    .put("node_type", op.nodeType().name());
            case MetadataOperation.RemovePeer op -> node.put("type", "remove_peer").put("peer_id", op.peerId()).put("force", op.force());
            case MetadataOperation.CreateCollection op -> {
                node.put("type", "create_collection").put("name", op.name()).set("config", op.config());
                ObjectNode placement = node.putObject("placement");
                op.placement().forEach((shard, replicas) -> {
                    ObjectNode r = placement.putObject(Integer.toString(shard));
                    replicas.forEach((peer, state) -> r.put(Long.toString(peer), state.name()));
                });
            }
            case MetadataOperation.DeleteCollection op -> node.put("type", "delete_collection").put("name", op.name());
            case MetadataOperation.UpdateAliases op -> {
                ArrayNode actions = node.put("type", "update_aliases").putArray("actions");
                op.actions().forEach(a -> actions.add(aliasActionJson(a)));
            }
            case MetadataOperation.UpdateCollectionConfig op -> node.put("type", "update_collection_config").put("name", op.name())
                    .set("patch", op.patch());
            case MetadataOperation.SetReplicaState op -> {
                node.put("type", "set_replica_state").put("collection", op.collection()).put("shard_id", op.shardId())
                        .put("peer_id", op.peerId()).put("state", op.state().name());
                if (op.expectedState() != null) {
                    node.put("expected_state", op.expectedState().name());
                }
            }
            case MetadataOperation.DropReplica op -> node.put("type", "drop_replica").put("collection", op.collection())
                    .put("shard_id", op.shardId()).put("peer_id", op.peerId());
            case MetadataOperation.StartTransfer op -> node.put("type", "start_transfer").put("collection", op.collection())
                    .set("transfer", ClusterMetadata.transferJson(op.transfer()));
            case MetadataOperation.FinishTransfer op -> transferKey(node.put("type", "finish_transfer"), op.collection(), op.shardId(), op.from(), op.to());
            case MetadataOperation.AbortTransfer op -> transferKey(node.put("type", "abort_transfer"), op.collection(), op.shardId(), op.from(), op.to());
        }
        if (proposalId != 0) {
            node.put("proposal_id", proposalId);
        }
        try {
            byte[] json = MAPPER.writeValueAsBytes(node);
            byte[] bytes = new byte[json.length + 1];
            bytes[0] = FORMAT_VERSION;
            System.arraycopy(json, 0, bytes, 1, json.length);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + operation, e);
        }
    }

    private static void transferKey(ObjectNode node, String collection, int shardId, long from, long to) {
        node.put("collection", collection).put("shard_id", shardId).put("from", from).put("to", to);
    }

    /** Decodes {@link #encode}'s output; throws {@link IllegalArgumentException} on anything else. */
    public static MetadataOperation decode(ByteBuffer buffer) {
        return decodeProposal(buffer).operation();
    }

    /** Decodes {@link #encode}'s output; throws {@link IllegalArgumentException} on anything else. */
    public static MetadataOperation decode(byte[] bytes) {
        return decodeProposal(bytes).operation();
    }

    /** {@link #decodeProposal(byte[])} of a buffer's remaining bytes (the buffer's position is not moved). */
    public static Proposal decodeProposal(ByteBuffer buffer) {
        ByteBuffer data = buffer.slice();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return decodeProposal(bytes);
    }

    /** Decodes {@link #encode}'s output with its proposal id; throws {@link IllegalArgumentException} on anything else. */
    public static Proposal decodeProposal(byte[] bytes) {
        if (bytes.length < 2 || bytes[0] != FORMAT_VERSION) {
            throw new IllegalArgumentException("not a metadata operation (format byte " + (bytes.length == 0 ? "missing" : bytes[0]) + ")");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes, 1, bytes.length - 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed metadata operation", e);
        }
        JsonNode id = node.path("proposal_id");
        if (!id.isMissingNode() && !id.isIntegralNumber()) {
            throw new IllegalArgumentException("proposal_id is not an integer");
        }
        return new Proposal(id.asLong(0), operationOf(node));
    }

    private static MetadataOperation operationOf(JsonNode node) {
        String type = ClusterMetadata.required(node, "type").asText();
        return switch (type) {
            case "add_peer" -> new MetadataOperation.AddPeer(longField(node, "peer_id"), text(node, "uri"), NodeType.parse(text(node, "node_type")));
            case "remove_peer" -> new MetadataOperation.RemovePeer(longField(node, "peer_id"), ClusterMetadata.required(node, "force").asBoolean());
            case "create_collection" -> {
                SortedMap<Integer, SortedMap<Long, ReplicaState>> placement = new TreeMap<>();
                for (Map.Entry<String, JsonNode> s : ClusterMetadata.required(node, "placement").properties()) {
                    SortedMap<Long, ReplicaState> replicas = new TreeMap<>();
                    for (Map.Entry<String, JsonNode> r : s.getValue().properties()) {
                        replicas.put(Long.parseLong(r.getKey()), ReplicaState.parse(r.getValue().asText()));
                    }
                    placement.put(Integer.parseInt(s.getKey()), replicas);
                }
                yield new MetadataOperation.CreateCollection(text(node, "name"), object(node, "config"), placement);
            }
            case "delete_collection" -> new MetadataOperation.DeleteCollection(text(node, "name"));
            case "update_aliases" -> {
                List<AliasAction> actions = new ArrayList<>();
                for (JsonNode a : ClusterMetadata.required(node, "actions")) {
                    actions.add(aliasActionOf(a));
                }
                yield new MetadataOperation.UpdateAliases(actions);
            }
            case "update_collection_config" -> new MetadataOperation.UpdateCollectionConfig(text(node, "name"), object(node, "patch"));
            case "set_replica_state" -> new MetadataOperation.SetReplicaState(text(node, "collection"), (int) longField(node, "shard_id"),
                    longField(node, "peer_id"), ReplicaState.parse(text(node, "state")),
                    node.hasNonNull("expected_state") ? ReplicaState.parse(text(node, "expected_state")) : null);
            case "drop_replica" -> new MetadataOperation.DropReplica(text(node, "collection"), (int) longField(node, "shard_id"), longField(node, "peer_id"));
            case "start_transfer" -> new MetadataOperation.StartTransfer(text(node, "collection"),
                    ClusterMetadata.transferFromJson(ClusterMetadata.required(node, "transfer")));
            case "finish_transfer" -> new MetadataOperation.FinishTransfer(text(node, "collection"), (int) longField(node, "shard_id"),
                    longField(node, "from"), longField(node, "to"));
            case "abort_transfer" -> new MetadataOperation.AbortTransfer(text(node, "collection"), (int) longField(node, "shard_id"),
                    longField(node, "from"), longField(node, "to"));
            default -> throw new IllegalArgumentException("unknown metadata operation type '" + type + "'");
        };
    }

    /** An alias action in Qdrant's own shape ({@code {"create_alias": {"collection_name", "alias_name"}}} …). */
    private static ObjectNode aliasActionJson(AliasAction action) {
        ObjectNode node = MAPPER.createObjectNode();
        switch (action) {
            case AliasAction.Create c -> node.putObject("create_alias").put("collection_name", c.collectionName())
                    .put("alias_name", c.aliasName());
            case AliasAction.Delete d -> node.putObject("delete_alias").put("alias_name", d.aliasName());
            case AliasAction.Rename r -> node.putObject("rename_alias").put("old_alias_name", r.oldAliasName())
                    .put("new_alias_name", r.newAliasName());
        }
        return node;
    }

    private static AliasAction aliasActionOf(JsonNode node) {
        if (node.has("create_alias")) {
            JsonNode c = node.get("create_alias");
            return new AliasAction.Create(text(c, "collection_name"), text(c, "alias_name"));
        }
        if (node.has("delete_alias")) {
            return new AliasAction.Delete(text(node.get("delete_alias"), "alias_name"));
        }
        if (node.has("rename_alias")) {
            JsonNode r = node.get("rename_alias");
            return new AliasAction.Rename(text(r, "old_alias_name"), text(r, "new_alias_name"));
        }
        throw new IllegalArgumentException("unknown alias action " + node);
    }

    private static String text(JsonNode node, String field) {
        return ClusterMetadata.required(node, field).asText();
    }

    private static long longField(JsonNode node, String field) {
        JsonNode value = ClusterMetadata.required(node, field);
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException("field '" + field + "' is not an integer");
        }
        return value.asLong();
    }

    private static ObjectNode object(JsonNode node, String field) {
        if (ClusterMetadata.required(node, field) instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException("field '" + field + "' is not an object");
    }
}
