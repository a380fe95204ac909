package io.quiver.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Streams the parts of a {@code multipart/form-data} body (RFC 7578 over RFC 2046's delimiter syntax) without holding a
 * part in memory: {@link #next()} reads a part's headers, {@link #copyBody(OutputStream)} streams its content up to the
 * next delimiter, so an archive of any size passes through a fixed buffer. Header lines are bounded (8 KiB each,
 * 100 per part) and so is the number of parts; anything malformed is a 400. Owned by the request's virtual thread; not
 * threadsafe.
 */
final class MultipartFormReader {
    private static final int BUFFER_BYTES = 1 << 16;
    private static final int MAX_HEADER_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 100;
    private static final int MAX_PARTS = 64;

    /** One part's form field name and, for a file, its file name (null otherwise). */
    record Part(String name, String fileNameOrNull) {
    }

    private final InputStream in;
    /** {@code CRLF "--" boundary}: what ends every part's content. */
    private final byte[] delimiter;
    private final byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean inBody;
    private boolean finished;
    private int parts;

    private MultipartFormReader(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[Math.max(BUFFER_BYTES, 4 * delimiter.length)];
        // The first delimiter has no CRLF before it: start as if there were one, so the preamble is a "part" body.
        buf[0] = '\r';
        buf[1] = '\n';
        limit = 2;
        inBody = true;
    }

    /**
     * A reader of {@code body} for a request whose {@code Content-Type} is {@code contentType}; anything but
     * {@code multipart/form-data} with a boundary of 1 to 70 characters is a 400.
     */
    static MultipartFormReader open(InputStream body, String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).trim().startsWith("multipart/form-data")) {
            throw ApiException.badRequest("Format error in multipart body: expected Content-Type "
                    + "multipart/form-data, got " + (contentType == null ? "none" : contentType));
        }
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw ApiException.badRequest("Format error in multipart body: missing or invalid boundary in "
                    + "Content-Type: " + contentType);
        }
        return new MultipartFormReader(body, boundary);
    }

    /**
     * Moves to the next part (skipping whatever of the current one was not copied) and returns its name, or null after
     * the closing delimiter.
     */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (inBody) {
            copyBody(OutputStream.nullOutputStream());
        }
        // after a delimiter: "--" closes the body; otherwise optional blanks, then CRLF and the part's headers
        if (ensure(2) && buf[pos] == '-' && buf[pos + 1] == '-') {
            pos += 2;
            finished = true;
            drainEpilogue();
            return null;
        }
        String rest = readLine();
        if (!rest.isBlank()) {
            throw malformed("unexpected text after a boundary");
        }
        if (++parts > MAX_PARTS) {
            throw malformed("more than " + MAX_PARTS + " parts");
        }
        String disposition = null;
        for (int n = 0; ; n++) {
            if (n > MAX_HEADERS) {
                throw malformed("more than " + MAX_HEADERS + " header lines in a part");
            }
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("header line without a name: " + line);
            }
            if (line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                disposition = line.substring(colon + 1).trim();
            }
        }
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw malformed("a part without Content-Disposition: form-data");
        }
        String name = parameter(disposition, "name");
        if (name == null) {
            throw malformed("a part without a field name");
        }
        inBody = true;
        return new Part(name, parameter(disposition, "filename"));
    }

    /** Streams the current part's content to {@code out}, up to (not including) the next delimiter; returns bytes. */
    long copyBody(OutputStream out) throws IOException {
        if (!inBody) {
            return 0;
        }
        long copied = 0;
        while (true) {
            int found = indexOfDelimiter();
            if (found >= 0) {
                out.write(buf, pos, found - pos);
                copied += found - pos;
                pos = found + delimiter.length;
                inBody = false;
                return copied;
            }
            // no delimiter in the buffer: all but its last (delimiter - 1) bytes are content for sure
            int safe = limit - (delimiter.length - 1);
            if (safe > pos) {
                out.write(buf, pos, safe - pos);
                copied += safe - pos;
                pos = safe;
            }
            if (eof) {
                throw malformed("the body ends inside a part (no closing boundary)");
            }
            fill();
        }
    }

    /** Whether the closing delimiter and everything after it have been read. */
    boolean finished() {
        return finished;
    }

    private int indexOfDelimiter() {
        byte first = delimiter[0];
        int last = limit - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A header line (ISO-8859-1, CRLF or LF ended, without its end); the body ending first is malformed. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (!ensure(1)) {
                throw malformed("the body ends inside the headers of a part");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_HEADER_LINE) {
                throw malformed("a header line longer than " + MAX_HEADER_LINE + " bytes");
            }
            line.append((char) (b & 0xFF));
        }
    }

    private void drainEpilogue() throws IOException {
        pos = limit;
        while (!eof) {
            fill();
            pos = limit;
        }
    }

    /** Whether at least {@code n} unread bytes are buffered, reading more when needed. */
    private boolean ensure(int n) throws IOException {
        while (limit - pos < n && !eof) {
            fill();
        }
        return limit - pos >= n;
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    /**
     * A {@code key=value} parameter of a header value such as {@code form-data; name="snapshot"; filename="a b"},
     * its value unquoted (a backslash escapes the next character inside quotes); null when absent.
     */
    static String parameter(String header, String key) {
        int i = header.indexOf(';');
        while (i >= 0 && i < header.length()) {
            i++;
            while (i < header.length() && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                i++;
            }
            int eq = header.indexOf('=', i);
            int semi = header.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                i = semi;
                continue;
            }
            String name = header.substring(i, eq).trim();
            int v = eq + 1;
            StringBuilder value = new StringBuilder();
            if (v < header.length() && header.charAt(v) == '"') {
                v++;
                while (v < header.length() && header.charAt(v) != '"') {
                    char c = header.charAt(v);
                    if (c == '\\' && v + 1 < header.length()) {
                        c = header.charAt(++v);
                    }
                    value.append(c);
                    v++;
                }
                v = header.indexOf(';', v);
            } else {
                int end = header.indexOf(';', v);
                value.append(header, v, end < 0 ? header.length() : end);
                v = end;
            }
            if (name.equalsIgnoreCase(key)) {
                return value.toString().trim();
            }
            i = v;
        }
        return null;
    }

    private static ApiException malformed(String problem) {
        return ApiException.badRequest("Format error in multipart body: " + problem);
    }
}
