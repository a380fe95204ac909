package io.quiver.hnsw.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the classic ANN benchmark files (little-endian): {@code .fvecs} (per vector an int32 dimension then float32s),
 * {@code .bvecs} (int32 dimension then unsigned bytes, returned as floats 0..255) and {@code .ivecs} (int32 count then
 * int32s), plus one-byte-per-vector label files. For tests, benchmarks and bulk loads; stateless and threadsafe.
 */
public final class VecsReader {

    private VecsReader() {
    }

    /** Every vector of a {@code .fvecs} or {@code .bvecs} file, chosen by its extension. */
    public static float[][] readVectors(Path file) throws IOException {
        return readVectors(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} vectors of a {@code .fvecs} or {@code .bvecs} file. */
    public static float[][] readVectors(Path file, int limit) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".bvecs")) {
            return readRecords(file, limit, 1, (buf, out) -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.get() & 0xFF;
                }
            });
        }
        if (name.endsWith(".fvecs")) {
            return readRecords(file, limit, 4, (buf, out) -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getFloat();
                }
            });
        }
        throw new IllegalArgumentException("not a .fvecs or .bvecs file: " + file);
    }

    /** Every record of an {@code .ivecs} file (e.g. ground-truth neighbour ids). */
    public static int[][] readIvecs(Path file) throws IOException {
        return readIvecs(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} records of an {@code .ivecs} file. */
    public static int[][] readIvecs(Path file, int limit) throws IOException {
        List<int[]> rows = new ArrayList<>();
        try (DataInputStream in = open(file)) {
            byte[] dimBytes = new byte[4];
            while (rows.size() < limit && readFully(in, dimBytes)) {
                int d = ByteBuffer.wrap(dimBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] body = new byte[4 * d];
                in.readFully(body);
                ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
                int[] row = new int[d];
                for (int i = 0; i < d; i++) {
                    row[i] = b.getInt();
                }
                rows.add(row);
            }
        }
        return rows.toArray(int[][]::new);
    }

    /** One unsigned byte per vector (e.g. {@code base.labels}), as ints. */
    public static int[] readLabels(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int[] labels = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            labels[i] = bytes[i] & 0xFF;
        }
        return labels;
    }

    @FunctionalInterface
    private interface Decoder {
        void decode(ByteBuffer body, float[] out);
    }

    private static float[][] readRecords(Path file, int limit, int bytesPerValue, Decoder decoder) throws IOException {
        List<float[]> rows = new ArrayList<>();
        try (DataInputStream in = open(file)) {
            byte[] dimBytes = new byte[4];
            while (rows.size() < limit && readFully(in, dimBytes)) {
                int d = ByteBuffer.wrap(dimBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (d <= 0 || d > 1 << 20) {
                    throw new IOException(file + ": implausible dimension " + d + " at record " + rows.size());
                }
                byte[] body = new byte[bytesPerValue * d];
                in.readFully(body);
                float[] v = new float[d];
                decoder.decode(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN), v);
                rows.add(v);
            }
        }
        return rows.toArray(float[][]::new);
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    /** Reads exactly {@code buf.length} bytes; false at a clean end of file, EOFException on a torn record. */
    private static boolean readFully(DataInputStream in, byte[] buf) throws IOException {
        int first = in.read();
        if (first < 0) {
            return false;
        }
        buf[0] = (byte) first;
        try {
            in.readFully(buf, 1, buf.length - 1);
        } catch (EOFException e) {
            throw new EOFException("truncated record header");
        }
        return true;
    }
}
