package io.quiver.engine.shard;

import io.quiver.engine.PointId;
import io.quiver.engine.StorageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Binary form of an {@link Operation} in a WAL record: the record's type byte names the operation, the payload is
 * little-endian {@code byte formatVersion}, then (version 2) {@code long operationId} — the collection's operation id,
 * which is also the version of every point the operation writes — followed by the operation's fields (ids as
 * {@code byte tag} 0 + long or 1 + two longs; strings and JSON as {@code int length} + UTF-8, length -1 for null;
 * vectors as {@code int dim} + float32s, dim -1 for an upserted point without a vector). Update vectors (type 8) is
 * {@code int n} + per point its id and vector; delete vectors (type 9) its ids. Version 1 records (no operation id) are still read: their operation id is
 * their LSN, as it was when they were written. The WAL record itself carries the CRC. Stateless; threadsafe.
 */
public final class OperationCodec {
    static final byte FORMAT_VERSION = 2;
    /** The first format: no operation id (the LSN was the operation number). */
    static final byte FORMAT_VERSION_LSN_IDS = 1;
    /** Where a version 2 payload holds the operation id. */
    private static final int OPERATION_ID_OFFSET = 1;
    static final byte UPSERT = 1;
    static final byte DELETE = 2;
    static final byte SET_PAYLOAD = 3;
    static final byte OVERWRITE_PAYLOAD = 4;
    static final byte DELETE_PAYLOAD_KEYS = 5;
    static final byte CLEAR_PAYLOAD = 6;
    static final byte PAYLOAD_INDEX = 7;
    static final byte UPDATE_VECTORS = 8;
    static final byte DELETE_VECTORS = 9;
    /** The dimension written for an upserted point without a vector. */
    private static final int NO_VECTOR = -1;

    private OperationCodec() {}

    public static byte type(Operation op) {
        return switch (op) {
            case Operation.Upsert u -> UPSERT;
            case Operation.Delete d -> DELETE;
            case Operation.SetPayload s -> SET_PAYLOAD;
            case Operation.OverwritePayload o -> OVERWRITE_PAYLOAD;
            case Operation.DeletePayloadKeys k -> DELETE_PAYLOAD_KEYS;
            case Operation.ClearPayload c -> CLEAR_PAYLOAD;
            case Operation.PayloadIndex p -> PAYLOAD_INDEX;
            case Operation.UpdateVectors u -> UPDATE_VECTORS;
            case Operation.DeleteVectors d -> DELETE_VECTORS;
        };
    }

    /** The payload of {@code op} as operation {@code operationId}. */
    public static byte[] encode(Operation op, long operationId) {
        ByteBuffer b = ByteBuffer.allocate(size(op)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(FORMAT_VERSION);
        b.putLong(operationId);
        switch (op) {
            case Operation.Upsert u -> {
                b.putInt(u.points().size());
                for (Operation.PointData p : u.points()) {
                    putId(b, p.id());
                    putVector(b, p.vector());
                    putBytes(b, p.payloadJsonOrNull());
                }
            }
            case Operation.UpdateVectors u -> {
                b.putInt(u.points().size());
                for (Operation.PointVector p : u.points()) {
                    putId(b, p.id());
                    putVector(b, p.vector());
                }
            }
            case Operation.DeleteVectors d -> putIds(b, d.ids());
            case Operation.Delete d -> putIds(b, d.ids());
            case Operation.SetPayload s -> {
                putIds(b, s.ids());
                putBytes(b, s.payloadJson());
                putBytes(b, s.keyOrNull() == null ? null : s.keyOrNull().getBytes(StandardCharsets.UTF_8));
            }
            case Operation.OverwritePayload o -> {
                putIds(b, o.ids());
                putBytes(b, o.payloadJson());
            }
            case Operation.DeletePayloadKeys k -> {
                putIds(b, k.ids());
                b.putInt(k.keys().size());
                for (String key : k.keys()) {
                    putBytes(b, key.getBytes(StandardCharsets.UTF_8));
                }
            }
            case Operation.ClearPayload c -> putIds(b, c.ids());
            case Operation.PayloadIndex p -> {
                putBytes(b, p.field().getBytes(StandardCharsets.UTF_8));
                putBytes(b, p.fieldSchemaJsonOrNull());
            }
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException("operation size miscomputed");
        }
        return b.array();
    }

    /** Sets the operation id of an encoded payload (the id is taken after encoding, just before the append). */
    static void setOperationId(byte[] payload, long operationId) {
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(OPERATION_ID_OFFSET, operationId);
    }

    /** The operation id of the record {@code lsn} with this payload (a version 1 record: its LSN). */
    public static long operationId(byte[] payload, long lsn) {
        byte version = payload[0];
        return switch (version) {
            case FORMAT_VERSION -> ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN)
                    .getLong(OPERATION_ID_OFFSET);
            case FORMAT_VERSION_LSN_IDS -> lsn;
            default -> throw new StorageException("unsupported operation format version " + version);
        };
    }

    public static Operation decode(byte type, byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        byte version = b.get();
        if (version == FORMAT_VERSION) {
            b.getLong(); // the operation id: operationId(payload, lsn)
        } else if (version != FORMAT_VERSION_LSN_IDS) {
            throw new StorageException("unsupported operation format version " + version);
        }
        return switch (type) {
            case UPSERT -> {
                int n = b.getInt();
                List<Operation.PointData> points = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    PointId id = getId(b);
                    float[] v = getVector(b);
                    points.add(new Operation.PointData(id, v, getBytes(b)));
                }
                yield new Operation.Upsert(points);
            }
            case UPDATE_VECTORS -> {
                int n = b.getInt();
                List<Operation.PointVector> points = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    PointId id = getId(b);
                    float[] v = getVector(b);
                    if (v == null) {
                        throw new StorageException("update of vectors without a vector in the WAL");
                    }
                    points.add(new Operation.PointVector(id, v));
                }
                yield new Operation.UpdateVectors(points);
            }
            case DELETE_VECTORS -> new Operation.DeleteVectors(getIds(b));
            case DELETE -> new Operation.Delete(getIds(b));
            case SET_PAYLOAD -> {
                List<PointId> ids = getIds(b);
                byte[] json = getBytes(b);
                byte[] key = getBytes(b);
                yield new Operation.SetPayload(ids, json, key == null ? null : new String(key, StandardCharsets.UTF_8));
            }
            case OVERWRITE_PAYLOAD -> new Operation.OverwritePayload(getIds(b), getBytes(b));
            case DELETE_PAYLOAD_KEYS -> {
                List<PointId> ids = getIds(b);
                int n = b.getInt();
                List<String> keys = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    keys.add(new String(getBytes(b), StandardCharsets.UTF_8));
                }
                yield new Operation.DeletePayloadKeys(ids, keys);
            }
            case CLEAR_PAYLOAD -> new Operation.ClearPayload(getIds(b));
            case PAYLOAD_INDEX -> new Operation.PayloadIndex(new String(getBytes(b), StandardCharsets.UTF_8),
                    getBytes(b));
            default -> throw new StorageException("unknown operation type " + type + " in the WAL");
        };
    }

    private static int size(Operation op) {
        int n = 1 + Long.BYTES;
        switch (op) {
            case Operation.Upsert u -> {
                n += 4;
                for (Operation.PointData p : u.points()) {
                    n += idSize(p.id()) + vectorSize(p.vector()) + bytesSize(p.payloadJsonOrNull());
                }
            }
            case Operation.UpdateVectors u -> {
                n += 4;
                for (Operation.PointVector p : u.points()) {
                    n += idSize(p.id()) + vectorSize(p.vector());
                }
            }
            case Operation.DeleteVectors d -> n += idsSize(d.ids());
            case Operation.Delete d -> n += idsSize(d.ids());
            case Operation.SetPayload s -> n += idsSize(s.ids()) + bytesSize(s.payloadJson())
                    + bytesSize(s.keyOrNull() == null ? null : s.keyOrNull().getBytes(StandardCharsets.UTF_8));
            case Operation.OverwritePayload o -> n += idsSize(o.ids()) + bytesSize(o.payloadJson());
            case Operation.DeletePayloadKeys k -> {
                n += idsSize(k.ids()) + 4;
                for (String key : k.keys()) {
                    n += bytesSize(key.getBytes(StandardCharsets.UTF_8));
                }
            }
            case Operation.ClearPayload c -> n += idsSize(c.ids());
            case Operation.PayloadIndex p -> n += bytesSize(p.field().getBytes(StandardCharsets.UTF_8))
                    + bytesSize(p.fieldSchemaJsonOrNull());
        }
        return n;
    }

    private static int vectorSize(float[] vectorOrNull) {
        return 4 + (vectorOrNull == null ? 0 : vectorOrNull.length * Float.BYTES);
    }

    private static void putVector(ByteBuffer b, float[] vectorOrNull) {
        if (vectorOrNull == null) {
            b.putInt(NO_VECTOR);
            return;
        }
        b.putInt(vectorOrNull.length);
        b.asFloatBuffer().put(vectorOrNull);
        b.position(b.position() + vectorOrNull.length * Float.BYTES);
    }

    private static float[] getVector(ByteBuffer b) {
        int dim = b.getInt();
        if (dim == NO_VECTOR) {
            return null;
        }
        if (dim < 0) {
            throw new StorageException("bad vector dimension " + dim + " in the WAL");
        }
        float[] v = new float[dim];
        b.asFloatBuffer().get(v);
        b.position(b.position() + dim * Float.BYTES);
        return v;
    }

    private static int idSize(PointId id) {
        return id instanceof PointId.Num ? 9 : 17;
    }

    private static int idsSize(List<PointId> ids) {
        int n = 4;
        for (PointId id : ids) {
            n += idSize(id);
        }
        return n;
    }

    private static int bytesSize(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    private static void putId(ByteBuffer b, PointId id) {
        switch (id) {
            case PointId.Num n -> b.put((byte) 0).putLong(n.unsigned());
            case PointId.Uuid u -> b.put((byte) 1).putLong(u.uuid().getMostSignificantBits())
                    .putLong(u.uuid().getLeastSignificantBits());
        }
    }

    private static PointId getId(ByteBuffer b) {
        byte tag = b.get();
        return switch (tag) {
            case 0 -> new PointId.Num(b.getLong());
            case 1 -> new PointId.Uuid(new UUID(b.getLong(), b.getLong()));
            default -> throw new StorageException("bad point id tag " + tag + " in the WAL");
        };
    }

    private static void putIds(ByteBuffer b, List<PointId> ids) {
        b.putInt(ids.size());
        ids.forEach(id -> putId(b, id));
    }

    private static List<PointId> getIds(ByteBuffer b) {
        int n = b.getInt();
        List<PointId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(getId(b));
        }
        return ids;
    }

    private static void putBytes(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
