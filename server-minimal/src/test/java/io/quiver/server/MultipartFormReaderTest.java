package io.quiver.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming multipart parser on bodies delivered in every chunking, down to one byte per read. */
class MultipartFormReaderTest {
    private static final String BOUNDARY = "xYz-boundary";

    /** A stream that hands out at most {@code chunk} bytes per read, so delimiters straddle every buffer edge. */
    private static InputStream chunked(byte[] body, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(body)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void partsComeBackIntactWhateverTheChunking() throws IOException {
        long seed = Long.getLong("quiver.seed", System.nanoTime());
        Random random = new Random(seed);
        byte[] binary = new byte[200_000];
        random.nextBytes(binary);
        // content that looks almost like a delimiter must pass through unchanged
        byte[] tricky = bytes("line\r\n--xYz-boundar\r\n--xYz\r\n-");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes("ignored preamble\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"note\"\r\n\r\n"));
        body.writeBytes(tricky);
        body.writeBytes(bytes("\r\n--" + BOUNDARY + "  \r\n"
                + "content-disposition: form-data; filename=\"a; b \\\"c\\\".snapshot\"; name=snapshot\n"
                + "Content-Type: application/octet-stream\n\n"));
        body.writeBytes(binary);
        body.writeBytes(bytes("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
                + "\r\n--" + BOUNDARY + "--\r\nepilogue"));
        byte[] all = body.toByteArray();
        for (int chunk : new int[] {1, 2, 7, 64, 4096, 1 << 20}) {
            MultipartFormReader form = MultipartFormReader.open(chunked(all, chunk),
                    "multipart/form-data; boundary=\"" + BOUNDARY + "\"");
            List<String> names = new ArrayList<>();
            List<byte[]> contents = new ArrayList<>();
            MultipartFormReader.Part part;
            String fileName = null;
            while ((part = form.next()) != null) {
                names.add(part.name());
                if (part.name().equals("snapshot")) {
                    fileName = part.fileNameOrNull();
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                form.copyBody(out);
                contents.add(out.toByteArray());
            }
            String where = "seed " + seed + ", chunk " + chunk;
            assertEquals(List.of("note", "snapshot", "empty"), names, where);
            assertArrayEquals(tricky, contents.get(0), where);
            assertArrayEquals(binary, contents.get(1), where);
            assertEquals(0, contents.get(2).length, where);
            assertEquals("a; b \"c\".snapshot", fileName, where);
            assertTrue(form.finished(), where);
            assertNull(form.next(), where);
        }
    }

    @Test
    void malformedBodiesAreA400() {
        String type = "multipart/form-data; boundary=" + BOUNDARY;
        for (String body : List.of(
                "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"snapshot\"\r\n\r\nno closing boundary",
                "--" + BOUNDARY + "\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--" + BOUNDARY + "--",
                "--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n--" + BOUNDARY + "--",
                "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"x\"",
                "no boundary at all")) {
            ApiException e = assertThrows(ApiException.class, () -> {
                MultipartFormReader form = MultipartFormReader.open(chunked(bytes(body), 3), type);
                while (form.next() != null) {
                    form.copyBody(java.io.OutputStream.nullOutputStream());
                }
            }, body);
            assertEquals(400, e.status(), body);
        }
        for (String contentType : new String[] {null, "application/json", "multipart/form-data",
                "multipart/form-data; boundary=", "multipart/form-data; boundary=" + "b".repeat(71)}) {
            ApiException e = assertThrows(ApiException.class,
                    () -> MultipartFormReader.open(new ByteArrayInputStream(new byte[0]), contentType));
            assertEquals(400, e.status(), contentType);
        }
    }
}
