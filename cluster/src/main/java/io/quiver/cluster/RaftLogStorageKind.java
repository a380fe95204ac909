package io.quiver.cluster;

/**
 * Which storage holds the metadata group's Raft log under {@code raft/log/}: Quiver's own WAL ({@link #WAL}) or
 * SOFAJRaft's default RocksDB storage ({@link #ROCKSDB}). A storage directory must keep the kind it was created
 * with. Immutable value; threadsafe.
 */
public enum RaftLogStorageKind {
    WAL,
    ROCKSDB
}
