package io.quiver.server;

import io.quiver.engine.Quiver;
import io.quiver.engine.StorageSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry of {@code ./quiver serve}: reads the configuration, applies its {@code log_level}, starts the
 * server, and stops it cleanly on SIGTERM or Ctrl-C (a JVM shutdown hook). Flags: {@code --config FILE} (alias
 * {@code --config-path}), {@code --set key.path=value} (repeatable), {@code --uri URI} and {@code --bootstrap URI}
 * (cluster mode), {@code --storage-snapshot PATH} (restore a full storage snapshot into the storage before serving,
 * as Qdrant's flag does; standalone only) and {@code --force-snapshot} / {@code -f} (let it replace collections and
 * aliases that exist). A start that fails prints one {@code quiver: ...} line on stderr and exits non-zero: 2 for an invalid
 * configuration, 1 for anything else (a port in use, storage that cannot be opened).
 * <p>No logger exists before the configuration is read: slf4j-simple fixes its default level when the first logger is
 * made, so {@code log_level} is set as its system property first.
 */
public final class QuiverServerMain {
    /** slf4j-simple's property for the level of every logger without its own. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private QuiverServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        Path storageSnapshot = null;
        boolean forceSnapshot = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config", "--config-path" -> configFile = Path.of(value(args, ++i, arg));
                case "--set" -> {
                    String kv = value(args, ++i, arg);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        usage("--set takes key.path=value, got '" + kv + "'");
                    }
                    overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--uri" -> overrides.put("cluster.p2p.uri", value(args, ++i, arg));
                case "--bootstrap" -> overrides.put("cluster.p2p.bootstrap", value(args, ++i, arg));
                case "--storage-snapshot" -> storageSnapshot = Path.of(value(args, ++i, arg));
                case "--force-snapshot", "-f" -> forceSnapshot = true;
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> usage("unknown argument '" + arg + "'");
            }
        }
        QuiverConfig config;
        try {
            config = QuiverConfig.load(configFile, System.getenv(), overrides);
        } catch (InvalidConfigException e) {
            System.err.println("quiver: invalid configuration: " + oneLine(e));
            System.exit(2);
            return;
        }
        if (storageSnapshot != null && config.clusterEnabled()) {
            System.err.println("quiver: invalid configuration: --storage-snapshot restores a standalone node's storage;"
                    + " in a cluster recover each collection with PUT /collections/{name}/snapshots/recover");
            System.exit(2);
            return;
        }
        System.setProperty(LOG_LEVEL_PROPERTY, config.logLevel());
        Logger log = LoggerFactory.getLogger(QuiverServerMain.class);
        QuiverServer server;
        try {
            if (storageSnapshot != null) {
                restore(config, storageSnapshot, forceSnapshot, log);
            }
            server = QuiverServer.start(config);
        } catch (InvalidConfigException e) { // found only once the server reads it (e.g. --uri)
            System.err.println("quiver: invalid configuration: " + oneLine(e));
            System.exit(2);
            return;
        } catch (java.io.IOException | RuntimeException e) { // a port in use, storage that cannot be opened
            log.debug("cannot start", e);
            System.err.println("quiver: cannot start: " + oneLine(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            server.close();
            stopped.countDown();
        }, "quiver-shutdown"));
        stopped.await();
    }

    /**
     * Restores a full storage snapshot into the configured storage before the server opens it: the engine is opened,
     * every collection and alias of the archive restored ({@link StorageSnapshots#recover}), and closed again.
     */
    private static void restore(QuiverConfig config, Path archive, boolean force, Logger log) throws IOException {
        Files.createDirectories(config.storagePath());
        Files.createDirectories(config.snapshotsPath());
        try (Quiver quiver = Quiver.open(config.storagePath())) {
            List<String> restored = StorageSnapshots.recover(quiver, archive, force, config.snapshotsPath());
            log.info("restored collections {} and aliases {} from the storage snapshot {}", restored,
                    quiver.aliases().asMap(), archive);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot restore the storage snapshot " + archive + ": " + oneLine(e)
                    .replace("Wrong input: ", ""), e);
        }
    }

    private static final String USAGE = """
            usage: quiver serve [--config FILE] [--set key.path=value]... [--uri URI] [--bootstrap URI]
                                [--storage-snapshot PATH [--force-snapshot]]
              Configuration layers, later wins: embedded defaults < --config FILE < QUIVER__SECTION__KEY < --set.
              --storage-snapshot restores a full storage snapshot (POST /snapshots) before serving; --force-snapshot
              (-f) lets it replace collections and aliases that exist.""";

    /** A failure's message on one line, without the engine's HTTP-facing "Service internal error: " prefix. */
    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replace("Service internal error: ", "").replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("quiver: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }
}
