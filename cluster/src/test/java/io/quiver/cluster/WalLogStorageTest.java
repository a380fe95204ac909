package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SOFAJRaft's LogStorage contract on the Quiver WAL, without a Raft node. */
class WalLogStorageTest {
    @TempDir
    Path dir;

    private static LogEntry data(long index, long term) {
        LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_DATA);
        entry.setId(new LogId(index, term));
        entry.setData(ByteBuffer.wrap(("entry-" + index).getBytes(StandardCharsets.UTF_8)));
        return entry;
    }

    private static LogEntry configuration(long index, long term, String... peers) {
        LogEntry entry = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_CONFIGURATION);
        entry.setId(new LogId(index, term));
        List<PeerId> list = new ArrayList<>();
        for (String peer : peers) {
            list.add(PeerId.parsePeer(peer));
        }
        entry.setPeers(list);
        return entry;
    }

    private WalLogStorage open(ConfigurationManager configurations) {
        WalLogStorage storage = new WalLogStorage(dir, WalLogStorage.defaultConfig());
        LogStorageOptions options = new LogStorageOptions();
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        options.setConfigurationManager(configurations);
        assertTrue(storage.init(options));
        return storage;
    }

    private static String text(LogEntry entry) {
        return StandardCharsets.UTF_8.decode(entry.getData().duplicate()).toString();
    }

    @Test
    @SuppressWarnings("deprecation") // getTerm is deprecated in SOFAJRaft's interface but still part of the contract
    void appendReadTruncateResetAndReopen() {
        WalLogStorage storage = open(new ConfigurationManager());
        assertEquals(1, storage.getFirstLogIndex());
        assertEquals(0, storage.getLastLogIndex());
        assertTrue(storage.appendEntry(configuration(1, 1, "127.0.0.1:1")));
        List<LogEntry> batch = new ArrayList<>();
        for (long i = 2; i <= 100; i++) {
            batch.add(data(i, 1));
        }
        assertEquals(99, storage.appendEntries(batch));
        assertEquals(100, storage.getLastLogIndex());
        for (long i = 2; i <= 100; i++) {
            assertEquals("entry-" + i, text(storage.getEntry(i)));
        }
        assertEquals(1, storage.getTerm(50));
        assertEquals(0, storage.appendEntries(List.of(data(200, 1))), "a gap is refused");

        assertTrue(storage.truncateSuffix(80));
        assertEquals(80, storage.getLastLogIndex());
        assertNull(storage.getEntry(81));
        assertEquals(1, storage.appendEntries(List.of(data(81, 2))));
        assertEquals(2, storage.getEntry(81).getId().getTerm());

        assertTrue(storage.truncatePrefix(40));
        assertEquals(40, storage.getFirstLogIndex());
        assertNull(storage.getEntry(39));
        assertEquals("entry-40", text(storage.getEntry(40)));
        storage.shutdown();

        ConfigurationManager configurations = new ConfigurationManager();
        storage = open(configurations);
        assertEquals(40, storage.getFirstLogIndex());
        assertEquals(81, storage.getLastLogIndex());
        assertEquals("entry-79", text(storage.getEntry(79)));
        assertTrue(storage.reset(500));
        assertEquals(500, storage.getFirstLogIndex());
        assertEquals(499, storage.getLastLogIndex());
        assertTrue(storage.appendEntry(configuration(500, 3, "127.0.0.1:1", "127.0.0.1:2")));
        assertTrue(storage.truncatePrefix(1000), "beyond the last index: behaves as reset");
        assertEquals(1000, storage.getFirstLogIndex());
        assertTrue(storage.appendEntry(configuration(1000, 3, "127.0.0.1:1", "127.0.0.1:2")));
        storage.shutdown();

        configurations = new ConfigurationManager();
        storage = open(configurations);
        assertEquals(2, configurations.getLastConfiguration().getConf().size(), "configuration entries are reloaded on open");
        assertEquals(1000, configurations.getLastConfiguration().getId().getIndex());
        storage.shutdown();
    }
}
