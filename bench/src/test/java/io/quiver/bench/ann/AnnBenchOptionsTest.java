package io.quiver.bench.ann;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The ann harness's thread options: {@code --threads} sizes the build, searches run single-threaded unless asked. */
class AnnBenchOptionsTest {

    private static AnnBench.Options parse(String... extra) {
        String[] args = new String[extra.length + 2];
        args[0] = "--data";
        args[1] = "/nonexistent";
        System.arraycopy(extra, 0, args, 2, extra.length);
        return AnnBench.Options.parse(args);
    }

    @Test
    void threadsSizeTheBuildAndSearchesStaySingleThreaded() {
        AnnBench.Options defaults = parse();
        assertEquals(Runtime.getRuntime().availableProcessors(), defaults.buildThreads());
        assertEquals(1, defaults.searchThreads());

        AnnBench.Options three = parse("--threads", "3");
        assertEquals(3, three.buildThreads());
        assertEquals(1, three.searchThreads());

        AnnBench.Options both = parse("--threads", "3", "--search-threads", "2");
        assertEquals(3, both.buildThreads());
        assertEquals(2, both.searchThreads());
        assertEquals(4, parse("--build-threads", "4").buildThreads());

        assertThrows(IllegalArgumentException.class, () -> parse("--search-threads", "0"));
        assertThrows(IllegalArgumentException.class, () -> parse("--threads", "0"));
    }
}
