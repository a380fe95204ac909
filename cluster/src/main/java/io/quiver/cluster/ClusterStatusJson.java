package io.quiver.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * This node's view of the cluster and of a collection's shards as Qdrant's {@code GET /cluster} and
 * {@code GET /collections/{c}/cluster} report them. Stateless apart from the state it reads; threadsafe (each
 * answer is built from volatile reads, not one atomic view).
 */
final class ClusterStatusJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ClusterNodeOptions options;
    private final long peerId;
    private final PeerId serverId;
    private final MetadataRaftNode raft;
    private final PeerSendFailures sendFailures;
    private final Supplier<Long> leaderPeerId;
    private final BooleanSupplier closed;

    ClusterStatusJson(ClusterNodeOptions options, long peerId, PeerId serverId, MetadataRaftNode raft,
            PeerSendFailures sendFailures, Supplier<Long> leaderPeerId, BooleanSupplier closed) {
        this.options = options;
        this.peerId = peerId;
        this.serverId = serverId;
        this.raft = raft;
        this.sendFailures = sendFailures;
        this.leaderPeerId = leaderPeerId;
        this.closed = closed;
    }

    /** See {@link ClusterNode#statusJson()}. */
    ObjectNode statusJson() {
        ClusterMetadata metadata = raft.stateMachine().metadata();
        MetadataStateMachine fsm = raft.stateMachine();
        Node current = raft.node();
        ObjectNode root = JSON.objectNode();
        root.put("status", "enabled");
        root.put("peer_id", peerId);
        root.put("node_type", options.nodeType().name());
        ObjectNode peers = root.putObject("peers");
        metadata.peers().forEach((id, peer) -> peers.putObject(Long.toString(id)).put("uri", PeerAddresses.displayUri(peer.uri()))
                .put("node_type", peer.nodeType().name()));
        if (!metadata.peers().containsKey(peerId)) {
            peers.putObject(Long.toString(peerId)).put("uri", PeerAddresses.displayUri(options.uri()))
                    .put("node_type", options.nodeType().name());
        }
        ObjectNode raftInfo = root.putObject("raft_info");
        raftInfo.put("term", fsm.term());
        long commit = current == null ? fsm.appliedIndex() : current.getLastCommittedIndex();
        long applied = current == null ? fsm.appliedIndex() : current.getLastAppliedLogIndex();
        raftInfo.put("commit", commit);
        raftInfo.put("pending_operations", Math.max(0, commit - applied));
        Long leader = leaderPeerId.get();
        if (leader == null) {
            raftInfo.putNull("leader");
        } else {
            raftInfo.put("leader", leader);
        }
        String role = roleOf(current);
        if (role == null) {
            raftInfo.putNull("role");
        } else {
            raftInfo.put("role", role);
        }
        raftInfo.put("is_voter", raft.currentConfiguration().getPeers().contains(serverId));
        ObjectNode thread = root.putObject("consensus_thread_status");
        String localStateProblem = raft.localStateProblem();
        String error = localStateProblem != null ? localStateProblem : fsm.error();
        if (error != null) {
            thread.put("consensus_thread_status", "stopped_with_err").put("err", error);
        } else if (current == null || closed.getAsBoolean()) {
            thread.put("consensus_thread_status", "stopped");
        } else {
            thread.put("consensus_thread_status", "working").put("last_update", Instant.ofEpochMilli(fsm.lastActivityMillis()).toString());
        }
        sendFailures.writeJson(root.putObject("message_send_failures"));
        return root;
    }

    /** See {@link ClusterNode#collectionClusterJson}. */
    ObjectNode collectionClusterJson(String collection, ToLongFunction<Integer> localPointsCount) {
        CollectionMetadata c = raft.stateMachine().metadata().collection(collection);
        if (c == null) {
            throw new ClusterException(Kind.NOT_FOUND, "Collection `" + collection + "` doesn't exist!");
        }
        ObjectNode root = JSON.objectNode();
        root.put("peer_id", peerId);
        root.put("shard_count", c.shards().shardCount());
        ArrayNode local = root.putArray("local_shards");
        ArrayNode remote = root.putArray("remote_shards");
        c.shards().asMap().forEach((shard, replicas) -> replicas.forEach((peer, state) -> {
            if (peer == peerId) {
                local.addObject().put("shard_id", shard).put("points_count", localPointsCount.applyAsLong(shard)).put("state", state.name());
            } else {
                remote.addObject().put("shard_id", shard).put("peer_id", peer).put("state", state.name());
            }
        }));
        ArrayNode transfers = root.putArray("shard_transfers");
        c.transfers().forEach(t -> transfers.add(ClusterMetadata.transferJson(t)));
        return root;
    }

    private static String roleOf(Node current) {
        if (current == null) {
            return null;
        }
        State state = current.getNodeState();
        return switch (state) {
            case STATE_LEADER, STATE_TRANSFERRING -> "Leader";
            case STATE_CANDIDATE -> "Candidate";
            case STATE_FOLLOWER -> "Follower";
            default -> null;
        };
    }
}
