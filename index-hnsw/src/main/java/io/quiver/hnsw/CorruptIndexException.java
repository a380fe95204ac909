package io.quiver.hnsw;

import java.io.IOException;

/** An index file failed a header, version, size or checksum check; its contents must not be trusted. */
public final class CorruptIndexException extends IOException {

    private static final long serialVersionUID = 1L;

    public CorruptIndexException(String message) {
        super(message);
    }
}
