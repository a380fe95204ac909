package io.quiver.cluster;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import java.nio.file.Path;

/**
 * SOFAJRaft's service factory with the log storage chosen by {@link RaftLogStorageKind}: Quiver's WAL
 * ({@link WalLogStorage}) or SOFAJRaft's default RocksDB storage. Snapshot and meta storage stay SOFAJRaft's.
 * Stateless; threadsafe.
 */
final class QuiverRaftServiceFactory extends DefaultJRaftServiceFactory {
    private final RaftLogStorageKind kind;

    QuiverRaftServiceFactory(RaftLogStorageKind kind) {
        this.kind = kind;
    }

    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
        return switch (kind) {
            case WAL -> new WalLogStorage(Path.of(uri), WalLogStorage.defaultConfig());
            case ROCKSDB -> super.createLogStorage(uri, raftOptions);
        };
    }
}
