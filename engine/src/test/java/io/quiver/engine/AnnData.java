package io.quiver.engine;

import io.quiver.hnsw.io.VecsReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared ANN test files of ../shared/data for the engine's tests: where they are, and short names for the readers
 * of {@link VecsReader} (labels stay raw bytes, classes 0–9). Static only.
 */
final class AnnData {
    private AnnData() {}

    static Path dir(String set) {
        return Path.of(System.getProperty("quiver.data.dir", "../../shared/data")).resolve(set);
    }

    static float[][] bvecs(Path file) throws IOException {
        return VecsReader.readVectors(file);
    }

    static int[][] ivecs(Path file) throws IOException {
        return VecsReader.readIvecs(file);
    }

    static float[][] fvecs(Path file) throws IOException {
        return VecsReader.readVectors(file);
    }

    static byte[] labels(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
