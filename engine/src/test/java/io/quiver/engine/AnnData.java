package io.quiver.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the shared ANN test files (bvecs, ivecs, fvecs, labels) of ../shared/data. Static readers only. */
final class AnnData {
    private AnnData() {}

    static Path dir(String set) {
        return Path.of(System.getProperty("quiver.data.dir", "../../shared/data")).resolve(set);
    }

    static float[][] bvecs(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0);
        int n = b.capacity() / (4 + dim);
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) {
            b.getInt();
            for (int d = 0; d < dim; d++) {
                out[i][d] = b.get() & 0xff;
            }
        }
        return out;
    }

    static int[][] ivecs(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int k = b.getInt(0);
        int n = b.capacity() / (4 + 4 * k);
        int[][] out = new int[n][k];
        for (int i = 0; i < n; i++) {
            b.getInt();
            for (int j = 0; j < k; j++) {
                out[i][j] = b.getInt();
            }
        }
        return out;
    }

    static float[][] fvecs(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int k = b.getInt(0);
        int n = b.capacity() / (4 + 4 * k);
        float[][] out = new float[n][k];
        for (int i = 0; i < n; i++) {
            b.getInt();
            for (int j = 0; j < k; j++) {
                out[i][j] = b.getFloat();
            }
        }
        return out;
    }

    static byte[] labels(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
