package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules jdk.incubator.vector} the kernels fall back to the scalar twin, log it, and an index
 * still builds and searches: checked in a child JVM started without Quiver's flags.
 */
class KernelFallbackTest {

    /** Child JVM entry point: prints the kernel implementation and a search result. */
    public static final class Probe {
        public static void main(String[] args) {
            float[][] v = {{0, 0}, {1, 0}, {0, 1}, {5, 5}};
            try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(v, false);
                 HnswIndex index = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 2)) {
                System.out.println("kernels=" + VectorKernels.active().name());
                System.out.println("nearest=" + index.search(new float[] {4, 4}, 1, 10, null).getFirst().ord());
            }
        }
    }

    @Test
    void scalarFallbackWithoutTheIncubatorModule() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Probe.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("kernels=scalar"), out);
        assertTrue(out.contains("nearest=3"), out);
        assertTrue(out.contains("fall back to scalar loops"), "the fallback is logged: " + out);
    }
}
