package io.quiver.cluster;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.quiver.wal.Durability;
import io.quiver.wal.Wal;
import io.quiver.wal.WalAppend;
import io.quiver.wal.WalConfig;
import io.quiver.wal.WalReader;
import io.quiver.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOFAJRaft's {@link LogStorage} on Quiver's own WAL ({@code io.quiver.wal.Wal}) instead of RocksDB: the Raft log
 * index is the WAL's LSN, each entry is one WAL record (type {@value #RECORD_TYPE}) holding SOFAJRaft's encoded
 * {@link LogEntry} (with its checksum), appended {@code DURABLE} (one group-committed fsync per batch).
 * {@code truncatePrefix}/{@code truncateSuffix}/{@code reset} map to the WAL's operations of the same names. On open
 * the configuration entries are re-read into SOFAJRaft's {@link ConfigurationManager}. Threading: SOFAJRaft calls the
 * mutating methods from its single log-manager thread; {@link #getEntry} may run on any thread (the WAL is
 * threadsafe). Created by {@link QuiverRaftServiceFactory}, closed by SOFAJRaft through {@link #shutdown()}.
 */
public final class WalLogStorage implements LogStorage {
    /** The WAL record type of a Raft log entry. */
    public static final byte RECORD_TYPE = 0x52;
    /** Longest wait for an append's fsync; past it the append counts as failed and SOFAJRaft stops the node. */
    private static final long APPEND_TIMEOUT_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(WalLogStorage.class);

    private final Path directory;
    private final WalConfig config;
    private volatile Wal wal;
    private LogEntryEncoder encoder;
    private LogEntryDecoder decoder;
    /** A reader kept between {@link #getEntry} calls, so that sequential reads (catch-up) do not reopen one each time. */
    private final Object readerLock = new Object();
    private WalReader sequentialReader;
    private long sequentialNext = -1;

    public WalLogStorage(Path directory, WalConfig config) {
        this.directory = directory;
        this.config = config;
    }

    /** The WAL settings used for the Raft log: 4 MiB segments, so truncation behind a snapshot frees whole files. */
    public static WalConfig defaultConfig() {
        return WalConfig.defaults().withSegmentCapacityBytes(4L << 20);
    }

    @Override
    public boolean init(LogStorageOptions options) {
        encoder = options.getLogEntryCodecFactory().encoder();
        decoder = options.getLogEntryCodecFactory().decoder();
        try {
            wal = Wal.open(directory, config);
        } catch (IOException e) {
            LOG.error("cannot open the Raft log WAL in {}", directory, e);
            return false;
        }
        ConfigurationManager configurations = options.getConfigurationManager();
        try (WalReader reader = wal.reader(wal.firstLsn())) {
            while (reader.hasNext()) {
                WalRecord record = reader.next();
                LogEntry entry = decode(record);
                if (entry == null) {
                    LOG.error("Raft log WAL {}: record {} is not a valid log entry", directory, record.lsn());
                    return false;
                }
                if (entry.getType() == EnumOutter.EntryType.ENTRY_TYPE_CONFIGURATION && configurations != null) {
                    ConfigurationEntry conf = new ConfigurationEntry();
                    conf.setId(new LogId(entry.getId().getIndex(), entry.getId().getTerm()));
                    conf.setConf(new Configuration(entry.getPeers(), entry.getLearners()));
                    if (entry.getOldPeers() != null) {
                        conf.setOldConf(new Configuration(entry.getOldPeers(), entry.getOldLearners()));
                    }
                    configurations.add(conf);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("cannot read the Raft log WAL in {}", directory, e);
            return false;
        }
        return true;
    }

    private LogEntry decode(WalRecord record) {
        if (record.type() != RECORD_TYPE) {
            return null;
        }
        LogEntry entry = decoder.decode(record.payload());
        if (entry == null || entry.getId().getIndex() != record.lsn() || entry.isCorrupted()) {
            return null;
        }
        return entry;
    }

    @Override
    public void shutdown() {
        dropReader();
        Wal current = wal;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public long getFirstLogIndex() {
        return wal.firstLsn();
    }

    @Override
    public long getLastLogIndex() {
        return wal.lastLsn();
    }

    @Override
    public LogEntry getEntry(long index) {
        WalRecord record = readSequentially(index);
        if (record == null) {
            return null;
        }
        LogEntry entry = decode(record);
        if (entry == null) {
            throw new IllegalStateException("Raft log WAL " + directory + ": record " + index + " is not a valid log entry");
        }
        return entry;
    }

    /** The record at {@code index}, from the kept reader when the reads go forward one by one, else a fresh read. */
    private WalRecord readSequentially(long index) {
        Wal current = wal;
        if (index < current.firstLsn() || index > current.writtenLsn()) {
            return null;
        }
        synchronized (readerLock) {
            try {
                if (sequentialReader == null || sequentialNext != index) {
                    dropReader();
                    sequentialReader = current.reader(index);
                    sequentialNext = index;
                }
                if (sequentialReader.hasNext()) {
                    WalRecord record = sequentialReader.next();
                    if (record.lsn() == index) {
                        sequentialNext = index + 1;
                        return record;
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("Raft log WAL {}: sequential reader dropped at {}: {}", directory, index, e.toString());
            }
            dropReader();
        }
        return current.read(index);
    }

    private void dropReader() {
        synchronized (readerLock) {
            if (sequentialReader != null) {
                sequentialReader.close();
            }
            sequentialReader = null;
            sequentialNext = -1;
        }
    }

    @Override
    @Deprecated
    public long getTerm(long index) {
        LogEntry entry = getEntry(index);
        return entry == null ? 0 : entry.getId().getTerm();
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        return appendEntries(List.of(entry)) == 1;
    }

    @Override
    public int appendEntries(List<LogEntry> entries) {
        if (entries == null || entries.isEmpty()) {
            return 0;
        }
        List<CompletableFuture<Long>> completions = new ArrayList<>(entries.size());
        int accepted = 0;
        for (LogEntry entry : entries) {
            long expected = wal.lastLsn() + 1;
            if (entry.getId().getIndex() != expected) {
                LOG.error("Raft log WAL {}: entry {} appended where {} was expected", directory, entry.getId().getIndex(), expected);
                break;
            }
            WalAppend append;
            try {
                append = wal.append(RECORD_TYPE, encoder.encode(entry), Durability.DURABLE);
            } catch (RuntimeException e) {
                LOG.error("Raft log WAL {}: append of entry {} refused", directory, entry.getId().getIndex(), e);
                break;
            }
            if (append.lsn() == WalAppend.NO_LSN) {
                break;
            }
            completions.add(append.completion());
            accepted++;
        }
        int durable = 0;
        for (CompletableFuture<Long> completion : completions) {
            try {
                completion.get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                durable++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                LOG.error("Raft log WAL {}: append failed", directory, e.getCause());
                break;
            } catch (TimeoutException e) {
                LOG.error("Raft log WAL {}: append not durable after {} s; failing it", directory, APPEND_TIMEOUT_SECONDS);
                break;
            }
        }
        return Math.min(accepted, durable);
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        dropReader();
        try {
            if (firstIndexKept > wal.lastLsn() + 1) {
                wal.reset(firstIndexKept);
            } else {
                wal.truncatePrefix(firstIndexKept);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("Raft log WAL {}: truncatePrefix({}) failed", directory, firstIndexKept, e);
            return false;
        }
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        dropReader();
        try {
            wal.truncateSuffix(lastIndexKept);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("Raft log WAL {}: truncateSuffix({}) failed", directory, lastIndexKept, e);
            return false;
        }
    }

    @Override
    public boolean reset(long nextLogIndex) {
        dropReader();
        try {
            wal.reset(nextLogIndex);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("Raft log WAL {}: reset({}) failed", directory, nextLogIndex, e);
            return false;
        }
    }

    @Override
    public String toString() {
        return "WalLogStorage[" + directory + "]";
    }
}
