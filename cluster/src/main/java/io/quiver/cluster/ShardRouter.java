package io.quiver.cluster;

import io.quiver.engine.PointId;

/**
 * The stable point → shard function of a cluster collection, the same on every node, JVM and restart:
 * {@code shard = unsigned(mix(fnv1a64(canonical id bytes))) mod shard_number}, where the canonical bytes are the
 * 8 little-endian bytes of an integer id, or the 16 bytes of a UUID (most significant half first, each half
 * big-endian, i.e. the order of its hex text), FNV-1a 64 is the standard one (offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3) and {@code mix} is the murmur3 64-bit finalizer. Stateless.
 */
public final class ShardRouter {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private ShardRouter() {
    }

    /** The shard of {@code id} among {@code shardCount} shards (0 when there is one). */
    public static int shardOf(PointId id, int shardCount) {
        if (shardCount <= 1) {
            return 0;
        }
        return (int) Long.remainderUnsigned(hash(id), shardCount);
    }

    /** The 64-bit routing hash of {@code id}. */
    public static long hash(PointId id) {
        long h = FNV_OFFSET;
        switch (id) {
            case PointId.Num num -> h = fnvLittleEndian(h, num.unsigned());
            case PointId.Uuid uuid -> {
                h = fnvBigEndian(h, uuid.uuid().getMostSignificantBits());
                h = fnvBigEndian(h, uuid.uuid().getLeastSignificantBits());
            }
        }
        return mix(h);
    }

    private static long fnvLittleEndian(long h, long value) {
        for (int i = 0; i < 8; i++) {
            h = (h ^ ((value >>> (8 * i)) & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    private static long fnvBigEndian(long h, long value) {
        for (int i = 7; i >= 0; i--) {
            h = (h ^ ((value >>> (8 * i)) & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
