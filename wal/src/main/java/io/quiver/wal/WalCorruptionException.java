package io.quiver.wal;

import java.io.IOException;

/**
 * A record or header failed its checks (CRC32C, magic, version, LSN continuity) where corruption cannot be a torn
 * tail: in a sealed segment, in the metadata file, or while reading a record that was once valid. The message names
 * the file, the offset and what was expected.
 */
public final class WalCorruptionException extends IOException {
    private static final long serialVersionUID = 1L;

    public WalCorruptionException(String message) {
        super(message);
    }
}
