package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.engine.Aliases;
import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.NotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole replicated cluster metadata: peers (id → uri, node type), collections (config, shard placement with
 * replica states, transfers) and the collection aliases (alias → collection, Qdrant's). Immutable: {@link #apply(MetadataOperation)} returns a new value and leaves this one
 * untouched, so a reader holding a reference always sees one consistent state. Threadsafe. The transition function
 * is deterministic: every node applying the same operations in the same order reaches an equal state.
 */
public final class ClusterMetadata {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ClusterMetadata EMPTY = new ClusterMetadata(new TreeMap<>(), new TreeMap<>(), Aliases.empty());

    private final SortedMap<Long, PeerInfo> peers;
    private final SortedMap<String, CollectionMetadata> collections;
    private final Aliases aliases;

    private ClusterMetadata(SortedMap<Long, PeerInfo> peers, SortedMap<String, CollectionMetadata> collections,
            Aliases aliases) {
        this.peers = Collections.unmodifiableSortedMap(peers);
        this.collections = Collections.unmodifiableSortedMap(collections);
        this.aliases = aliases;
    }

    /** The state before any operation. */
    public static ClusterMetadata empty() {
        return EMPTY;
    }

    /** Peers by id. */
    public SortedMap<Long, PeerInfo> peers() {
        return peers;
    }

    /** One peer, or null. */
    public PeerInfo peer(long peerId) {
        return peers.get(peerId);
    }

    /** Collections by name. */
    public SortedMap<String, CollectionMetadata> collections() {
        return collections;
    }

    /** One collection, or null. */
    public CollectionMetadata collection(String name) {
        return collections.get(name);
    }

    /** The collection aliases (alias → collection), changed by {@link MetadataOperation.UpdateAliases}. */
    public Aliases aliases() {
        return aliases;
    }

    /** Whether any collection places a replica on the peer. */
    public boolean peerHoldsReplicas(long peerId) {
        return collections.values().stream().anyMatch(c -> c.shards().hasReplicaOn(peerId));
    }

    /**
     * Applies one operation and returns the new state.
     *
     * @throws MetadataRejectedException when the operation is invalid against this state (this state is unchanged)
     */
    public ClusterMetadata apply(MetadataOperation operation) {
        return switch (operation) {
            case MetadataOperation.AddPeer op -> {
                SortedMap<Long, PeerInfo> newPeers = new TreeMap<>(peers);
                newPeers.put(op.peerId(), new PeerInfo(op.peerId(), op.uri(), op.nodeType()));
                yield new ClusterMetadata(newPeers, new TreeMap<>(collections), aliases);
            }
            case MetadataOperation.RemovePeer op -> removePeer(op);
            case MetadataOperation.CreateCollection op -> {
                if (collections.containsKey(op.name())) {
                    throw new MetadataRejectedException(Kind.CONFLICT, "Collection `" + op.name() + "` already exists!");
                }
                if (aliases.collectionOf(op.name()) != null) {
                    throw new MetadataRejectedException(Kind.BAD_REQUEST, "Can't create collection with name "
                            + op.name() + ". Alias with the same name already exists");
                }
                yield withCollection(new CollectionMetadata(op.name(), op.config().deepCopy(), ShardMap.of(op.placement()), List.of()));
            }
            case MetadataOperation.DeleteCollection op -> {
                requireCollection(op.name());
                SortedMap<String, CollectionMetadata> newCollections = new TreeMap<>(collections);
                newCollections.remove(op.name());
                yield new ClusterMetadata(new TreeMap<>(peers), newCollections, aliases.withoutCollection(op.name()));
            }
            case MetadataOperation.UpdateAliases op -> {
                // rejected with the engine's client-facing text ("Not found: …", "Wrong input: …"), which the
                // catalog passes on as it is
                Aliases next;
                try {
                    next = aliases.apply(op.actions(), collections::containsKey);
                } catch (NotFoundException e) {
                    throw new MetadataRejectedException(Kind.NOT_FOUND, e.getMessage());
                } catch (AlreadyExistsException e) {
                    throw new MetadataRejectedException(Kind.CONFLICT, e.getMessage());
                }
                yield new ClusterMetadata(new TreeMap<>(peers), new TreeMap<>(collections), next);
            }
            case MetadataOperation.UpdateCollectionConfig op -> {
                CollectionMetadata collection = requireCollection(op.name());
                ObjectNode merged = collection.config().deepCopy();
                mergePatch(merged, op.patch());
                yield withCollection(collection.withConfig(merged));
            }
            case MetadataOperation.SetReplicaState op -> {
                CollectionMetadata collection = requireCollection(op.collection());
                requireShard(collection, op.shardId());
                ReplicaState current = collection.shards().state(op.shardId(), op.peerId());
                if (op.expectedState() != null && current != op.expectedState()) {
                    throw new MetadataRejectedException(Kind.BAD_REQUEST, "Replica " + op.shardId() + " on peer " + op.peerId()
                            + " is in state " + current + ", expected " + op.expectedState());
                }
                yield withCollection(collection.withShards(collection.shards().withReplica(op.shardId(), op.peerId(), op.state())));
            }
            case MetadataOperation.DropReplica op -> {
                CollectionMetadata collection = requireCollection(op.collection());
                SortedMap<Long, ReplicaState> replicas = collection.shards().replicas(op.shardId());
                if (!replicas.containsKey(op.peerId())) {
                    throw new MetadataRejectedException(Kind.NOT_FOUND, "Shard " + op.shardId() + " of collection `"
                            + op.collection() + "` has no replica on peer " + op.peerId());
                }
                if (replicas.size() == 1) {
                    throw new MetadataRejectedException(Kind.BAD_REQUEST, "Cannot drop the last replica of shard " + op.shardId());
                }
                if (isLastSourceOfTruth(replicas, op.peerId())) {
                    throw new MetadataRejectedException(Kind.BAD_REQUEST, lastActiveMessage(op.shardId(), op.peerId()));
                }
                List<ShardTransfer> transfers = collection.transfers().stream()
                        .filter(t -> !(t.shardId() == op.shardId() && (t.from() == op.peerId() || t.to() == op.peerId())))
                        .toList();
                yield withCollection(collection.withShards(collection.shards().withoutReplica(op.shardId(), op.peerId()))
                        .withTransfers(transfers));
            }
            case MetadataOperation.StartTransfer op -> startTransfer(op);
            case MetadataOperation.FinishTransfer op -> {
                CollectionMetadata collection = requireCollection(op.collection());
                ShardTransfer transfer = requireTransfer(collection, op.shardId(), op.from(), op.to());
                ShardMap shards = collection.shards().withReplica(op.shardId(), op.to(), ReplicaState.Active);
                if (!transfer.sync()) {
                    shards = shards.withoutReplica(op.shardId(), op.from());
                }
                yield withCollection(collection.withShards(shards).withTransfers(without(collection.transfers(), transfer)));
            }
            case MetadataOperation.AbortTransfer op -> {
                CollectionMetadata collection = requireCollection(op.collection());
                ShardTransfer transfer = requireTransfer(collection, op.shardId(), op.from(), op.to());
                ShardMap shards = collection.shards();
                if (shards.state(op.shardId(), op.to()) == ReplicaState.Partial) {
                    shards = shards.withoutReplica(op.shardId(), op.to());
                }
                yield withCollection(collection.withShards(shards).withTransfers(without(collection.transfers(), transfer)));
            }
        };
    }

    private ClusterMetadata removePeer(MetadataOperation.RemovePeer op) {
        if (!peers.containsKey(op.peerId())) {
            throw new MetadataRejectedException(Kind.NOT_FOUND, "Peer " + op.peerId() + " is not part of the cluster");
        }
        if (!op.force() && peerHoldsReplicas(op.peerId())) {
            throw new MetadataRejectedException(Kind.BAD_REQUEST, "Cannot remove peer " + op.peerId() + " as there are shards on it");
        }
        SortedMap<Long, PeerInfo> newPeers = new TreeMap<>(peers);
        newPeers.remove(op.peerId());
        SortedMap<String, CollectionMetadata> newCollections = new TreeMap<>();
        for (CollectionMetadata c : collections.values()) {
            List<ShardTransfer> transfers = c.transfers().stream()
                    .filter(t -> t.from() != op.peerId() && t.to() != op.peerId()).toList();
            newCollections.put(c.name(), c.withShards(c.shards().withoutPeer(op.peerId())).withTransfers(transfers));
        }
        return new ClusterMetadata(newPeers, newCollections, aliases);
    }

    private ClusterMetadata startTransfer(MetadataOperation.StartTransfer op) {
        CollectionMetadata collection = requireCollection(op.collection());
        ShardTransfer transfer = op.transfer();
        requireShard(collection, transfer.shardId());
        if (transfer.from() == transfer.to()) {
            throw new MetadataRejectedException(Kind.BAD_REQUEST, "Transfer source and target are the same peer " + transfer.from());
        }
        if (!peers.containsKey(transfer.to())) {
            throw new MetadataRejectedException(Kind.NOT_FOUND, "Peer " + transfer.to() + " is not part of the cluster");
        }
        ReplicaState sourceState = collection.shards().state(transfer.shardId(), transfer.from());
        if (sourceState == null) {
            throw new MetadataRejectedException(Kind.BAD_REQUEST, "Peer " + transfer.from() + " holds no replica of shard " + transfer.shardId());
        }
        ReplicaState targetState = collection.shards().state(transfer.shardId(), transfer.to());
        if (targetState != null && targetState != ReplicaState.Dead) {
            throw new MetadataRejectedException(Kind.BAD_REQUEST, "Peer " + transfer.to() + " already holds shard "
                    + transfer.shardId() + " in state " + targetState);
        }
        for (ShardTransfer existing : collection.transfers()) {
            if (existing.shardId() == transfer.shardId() && (existing.to() == transfer.to() || existing.from() == transfer.from())) {
                throw new MetadataRejectedException(Kind.BAD_REQUEST, "Shard " + transfer.shardId() + " is already involved in a transfer");
            }
        }
        List<ShardTransfer> transfers = new ArrayList<>(collection.transfers());
        transfers.add(transfer);
        return withCollection(collection.withShards(collection.shards().withReplica(transfer.shardId(), transfer.to(), ReplicaState.Partial))
                .withTransfers(transfers));
    }

    private ClusterMetadata withCollection(CollectionMetadata collection) {
        SortedMap<String, CollectionMetadata> newCollections = new TreeMap<>(collections);
        newCollections.put(collection.name(), collection);
        return new ClusterMetadata(new TreeMap<>(peers), newCollections, aliases);
    }

    private CollectionMetadata requireCollection(String name) {
        CollectionMetadata collection = collections.get(name);
        if (collection == null) {
            throw new MetadataRejectedException(Kind.NOT_FOUND, "Collection `" + name + "` doesn't exist!");
        }
        return collection;
    }

    private static void requireShard(CollectionMetadata collection, int shardId) {
        if (!collection.shards().hasShard(shardId)) {
            throw new MetadataRejectedException(Kind.NOT_FOUND, "Shard " + shardId + " of collection `" + collection.name() + "` doesn't exist");
        }
    }

    private static ShardTransfer requireTransfer(CollectionMetadata collection, int shardId, long from, long to) {
        return collection.transfers().stream().filter(t -> t.matches(shardId, from, to)).findFirst()
                .orElseThrow(() -> new MetadataRejectedException(Kind.NOT_FOUND, "No transfer of shard " + shardId + " from "
                        + from + " to " + to + " in collection `" + collection.name() + "`"));
    }

    private static List<ShardTransfer> without(List<ShardTransfer> transfers, ShardTransfer removed) {
        List<ShardTransfer> result = new ArrayList<>(transfers);
        result.remove(removed);
        return result;
    }

    /** RFC 7386 merge of {@code patch} into {@code target} (mutates target, which is a private copy). */
    static void mergePatch(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && target.get(field.getKey()) instanceof ObjectNode existing) {
                mergePatch(existing, value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    // ---- JSON form (used by the snapshot file and for comparing states) ----

    /** The whole state as JSON (peer ids and shard ids as object keys, in ascending order). */
    public ObjectNode toJson() {
        ObjectNode root = JSON.objectNode();
        ObjectNode peersNode = root.putObject("peers");
        peers.forEach((id, peer) -> peersNode.putObject(Long.toString(id)).put("uri", peer.uri()).put("node_type", peer.nodeType().name()));
        ObjectNode collectionsNode = root.putObject("collections");
        for (CollectionMetadata c : collections.values()) {
            ObjectNode node = collectionsNode.putObject(c.name());
            node.set("config", c.config().deepCopy());
            ObjectNode shardsNode = node.putObject("shards");
            c.shards().asMap().forEach((shard, replicas) -> {
                ObjectNode replicasNode = shardsNode.putObject(Integer.toString(shard));
                replicas.forEach((peer, state) -> replicasNode.put(Long.toString(peer), state.name()));
            });
            ArrayNode transfersNode = node.putArray("transfers");
            for (ShardTransfer t : c.transfers()) {
                transfersNode.add(transferJson(t));
            }
        }
        ObjectNode aliasesNode = root.putObject("aliases");
        aliases.asMap().forEach(aliasesNode::put);
        return root;
    }

    /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} on a malformed document. */
    public static ClusterMetadata fromJson(JsonNode root) {
        SortedMap<Long, PeerInfo> peers = new TreeMap<>();
        JsonNode peersNode = required(root, "peers");
        for (Map.Entry<String, JsonNode> e : peersNode.properties()) {
            long id = Long.parseLong(e.getKey());
            peers.put(id, new PeerInfo(id, required(e.getValue(), "uri").asText(), NodeType.parse(required(e.getValue(), "node_type").asText())));
        }
        SortedMap<String, CollectionMetadata> collections = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : required(root, "collections").properties()) {
            JsonNode node = e.getValue();
            if (!(required(node, "config") instanceof ObjectNode config)) {
                throw new IllegalArgumentException("collection config is not an object");
            }
            SortedMap<Integer, SortedMap<Long, ReplicaState>> placement = new TreeMap<>();
            for (Map.Entry<String, JsonNode> s : required(node, "shards").properties()) {
                SortedMap<Long, ReplicaState> replicas = new TreeMap<>();
                for (Map.Entry<String, JsonNode> r : s.getValue().properties()) {
                    replicas.put(Long.parseLong(r.getKey()), ReplicaState.parse(r.getValue().asText()));
                }
                placement.put(Integer.parseInt(s.getKey()), replicas);
            }
            List<ShardTransfer> transfers = new ArrayList<>();
            for (JsonNode t : required(node, "transfers")) {
                transfers.add(transferFromJson(t));
            }
            collections.put(e.getKey(), new CollectionMetadata(e.getKey(), config, ShardMap.of(placement), transfers));
        }
        // states written before aliases existed have no "aliases" key: no aliases
        Map<String, String> aliases = new TreeMap<>();
        JsonNode aliasesNode = root.get("aliases");
        if (aliasesNode != null && !aliasesNode.isNull()) {
            if (!aliasesNode.isObject()) {
                throw new IllegalArgumentException("aliases is not an object");
            }
            for (Map.Entry<String, JsonNode> e : aliasesNode.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("alias " + e.getKey() + " names no collection");
                }
                aliases.put(e.getKey(), e.getValue().textValue());
            }
        }
        return new ClusterMetadata(peers, collections, Aliases.of(aliases));
    }

    /** A transfer in Qdrant's {@code shard_transfers} shape. */
    public static ObjectNode transferJson(ShardTransfer t) {
        ObjectNode node = JSON.objectNode();
        node.put("shard_id", t.shardId()).put("from", t.from()).put("to", t.to()).put("sync", t.sync()).put("method", t.method());
        if (t.comment() == null) {
            node.putNull("comment");
        } else {
            node.put("comment", t.comment());
        }
        return node;
    }

    static ShardTransfer transferFromJson(JsonNode t) {
        JsonNode comment = t.get("comment");
        return new ShardTransfer(required(t, "shard_id").asInt(), required(t, "from").asLong(), required(t, "to").asLong(),
                required(t, "sync").asBoolean(), required(t, "method").asText(),
                comment == null || comment.isNull() ? null : comment.asText());
    }

    static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterMetadata m && peers.equals(m.peers) && collections.equals(m.collections)
                && aliases.equals(m.aliases);
    }

    @Override
    public int hashCode() {
        return (peers.hashCode() * 31 + collections.hashCode()) * 31 + aliases.hashCode();
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    /**
     * Whether {@code peerId} holds the only source-of-truth replica (Active or ReshardingScaleDown) of a shard, as
     * Qdrant's {@code is_last_source_of_truth_replica}: dropping it would leave only Partial, Dead or Listener
     * replicas, with no complete copy to recover from.
     */
    static boolean isLastSourceOfTruth(SortedMap<Long, ReplicaState> replicas, long peerId) {
        long sources = replicas.values().stream().filter(ClusterMetadata::isSourceOfTruth).count();
        return sources == 1 && isSourceOfTruth(replicas.get(peerId));
    }

    private static boolean isSourceOfTruth(ReplicaState state) {
        return state == ReplicaState.Active || state == ReplicaState.ReshardingScaleDown;
    }

    /** Qdrant's message for a {@code drop_replica} that would leave a shard without an Active replica. */
    static String lastActiveMessage(int shardId, long peerId) {
        return "Shard " + shardId + " must have at least one active replica after removing " + peerId;
    }
}
