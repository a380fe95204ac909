/**
 * Quiver's segmented write-ahead log: {@link io.quiver.wal.Wal} (append with group commit, read, truncate, reset),
 * {@link io.quiver.wal.WalConfig}, {@link io.quiver.wal.Durability}. The on-disk format (segment header with magic
 * and format version 1, CRC32C-checked records, {@code wal.meta}) is described in the module's README.md and in
 * {@code SegmentDescriptor} and {@code RecordDescriptor}. Knows nothing of vectors or collections.
 */
package io.quiver.wal;
