package io.quiver.cluster;

import java.io.Serializable;

/**
 * The messages of Quiver's own RPCs between cluster nodes, carried by SOFAJRaft's RpcServer/RpcClient (bolt,
 * hessian-serialized) on the p2p port beside the Raft RPCs. Each request type has one processor on the receiving
 * node; every request is answered by a {@link Response}. Message objects are plain mutable holders, created by one
 * thread and handed over; not shared.
 */
public final class ClusterRpc {
    private ClusterRpc() {
    }

    /** Apply an encoded {@link MetadataOperation} (sent to the leader). */
    public static final class ProposeRequest implements Serializable {
        private static final long serialVersionUID = 1L;
        public byte[] operation;

        public ProposeRequest() {
        }

        public ProposeRequest(byte[] operation) {
            this.operation = operation;
        }
    }

    /** Add the endpoint {@code host:port} to the Raft configuration as a voter (sent to the leader). */
    public static final class JoinRequest implements Serializable {
        private static final long serialVersionUID = 1L;
        public String endpoint;

        public JoinRequest() {
        }

        public JoinRequest(String endpoint) {
            this.endpoint = endpoint;
        }
    }

    /** Remove the endpoint {@code host:port} from the Raft configuration (sent to the leader). */
    public static final class RemovePeerRequest implements Serializable {
        private static final long serialVersionUID = 1L;
        public String endpoint;

        public RemovePeerRequest() {
        }

        public RemovePeerRequest(String endpoint) {
            this.endpoint = endpoint;
        }
    }

    /** Who is the leader? Answered by any running node with {@link Response#leader}. */
    public static final class LeaderRequest implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Take a fresh snapshot and send it back (sent to the leader by {@code recover}): the answer carries the
     * SOFAJRaft snapshot meta file in {@link Response#meta} and the metadata file in {@link Response#data}.
     */
    public static final class SnapshotRequest implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A data-plane message (shard writes, reads, transfers; see {@code DataPlane}): {@link #kind} names the handler,
     * {@link #body} is its UTF-8 JSON; the answer carries the handler's JSON bytes in {@link Response#data}.
     */
    public static final class DataRequest implements Serializable {
        private static final long serialVersionUID = 1L;
        public String kind;
        public byte[] body;

        public DataRequest() {
        }

        public DataRequest(String kind, byte[] body) {
            this.kind = kind;
            this.body = body;
        }
    }

    /** The one answer type. */
    public static final class Response implements Serializable {
        private static final long serialVersionUID = 1L;
        /** True when the request was carried out. */
        public boolean ok;
        /** True when the receiver is not the leader; {@link #leader} then names the leader if known. */
        public boolean notLeader;
        /** A leader endpoint {@code host:port}, or null. */
        public String leader;
        /** True when a proposal was rejected by the state machine (deterministically, on every node). */
        public boolean rejected;
        /** {@link ClusterException.Kind} name when the request failed. */
        public String errorKind;
        /** Error message when the request failed. */
        public String error;
        /** Raft index of an applied proposal, or of a snapshot. */
        public long index;
        /** Snapshot meta file bytes. */
        public byte[] meta;
        /** Snapshot data file bytes. */
        public byte[] data;

        static Response ok() {
            Response response = new Response();
            response.ok = true;
            return response;
        }

        static Response notLeader(String leader) {
            Response response = new Response();
            response.notLeader = true;
            response.leader = leader;
            return response;
        }

        static Response failed(ClusterException.Kind kind, String error) {
            Response response = new Response();
            response.errorKind = kind.name();
            response.error = error;
            return response;
        }

        ClusterException toException() {
            ClusterException.Kind kind = errorKind == null ? ClusterException.Kind.INTERNAL : ClusterException.Kind.valueOf(errorKind);
            return new ClusterException(kind, error);
        }
    }
}
