package io.quiver.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry of {@code ./quiver serve}: reads the configuration, starts the server, and stops it cleanly on
 * SIGTERM or Ctrl-C (a JVM shutdown hook). Flags: {@code --config FILE} (alias {@code --config-path}),
 * {@code --set key.path=value} (repeatable), {@code --uri URI} and {@code --bootstrap URI} (cluster mode).
 */
public final class QuiverServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(QuiverServerMain.class);

    private QuiverServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
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
            System.err.println("quiver: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        QuiverServer server;
        try {
            server = QuiverServer.start(config);
        } catch (java.io.IOException e) { // a port in use, storage that cannot be written: one clear line, exit 1
            LOG.error("cannot start", e);
            System.err.println("quiver: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            server.close();
            stopped.countDown();
        }, "quiver-shutdown"));
        stopped.await();
    }

    private static final String USAGE = """
            usage: quiver serve [--config FILE] [--set key.path=value]... [--uri URI] [--bootstrap URI]
              Configuration layers, later wins: embedded defaults < --config FILE < QUIVER__SECTION__KEY < --set.""";

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
