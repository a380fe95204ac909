package io.quiver.bench.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command runs every mode briefly and prints one well-formed JSON line per mode. */
class WalBenchSmokeTest {

    @Test
    void printsOneJsonLinePerMode(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WalBench.Options options = WalBench.parse(new String[]{"--writers", "2", "--payload", "256", "--seconds",
                "0.3", "--dir", dir.toString(), "--window", "16"});
        WalBench.run(options, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), "lines: " + lines);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertTrue(line.startsWith("{\"mode\":\"" + WalBench.ALL_MODES.get(i) + "\""), line);
            for (String key : List.of("\"writers\":", "\"payload\":", "\"ops_s\":", "\"p50_us\":", "\"p99_us\":",
                    "\"p999_us\":")) {
                assertTrue(line.contains(key), key + " missing in " + line);
            }
            assertTrue(!line.contains("\"ops\":0,"), "no operation measured: " + line);
        }
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "run directories must be deleted");
        }
    }
}
