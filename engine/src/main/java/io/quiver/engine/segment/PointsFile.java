package io.quiver.engine.segment;

import io.quiver.engine.PointId;
import io.quiver.engine.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.UUID;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * Reads and writes a segment's {@code points.bin}: everything about its points except the vectors. Written whole at
 * each checkpoint (temp file, fsync, atomic rename), so a crash leaves the previous version intact.
 *
 * <p>Format version 2 (big-endian): header {@code int magic "QPTS", int version, long uuidMsb, long uuidLsb, int dim,
 * byte sealed, int count, long vectorsCrc32c}; ids ({@code byte tag} 0 + {@code long} or 1 + two {@code long}s);
 * {@code count} versions ({@code long}); deleted bitset ({@code int words} + {@code long}s); vectorless bitset (the
 * points without a vector, same encoding); payloads as lz4 blocks of {@link #BLOCK_POINTS} points ({@code int blocks},
 * then per block {@code int rawLen, int compressedLen, bytes}; the raw block is per point {@code int len} (-1: empty
 * payload) + UTF-8 JSON); footer {@code int magic "QEND", long crc32c} of all bytes before the footer. Version 1 is
 * the same without the vectorless bitset (every point has its vector); it is still read, and version 2 is written.
 * Stateless; threadsafe.
 */
public final class PointsFile {
    public static final String NAME = "points.bin";
    static final int MAGIC = 0x51505453; // "QPTS"
    static final int FOOTER_MAGIC = 0x51454E44; // "QEND"
    static final int FORMAT_VERSION = 2;
    /** The first format: no vectorless bitset (written before points could lose their vector). */
    static final int FORMAT_VERSION_ALL_VECTORS = 1;
    static final int BLOCK_POINTS = 256;
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

    private PointsFile() {}

    /** What {@link #read} returns. */
    public record Contents(SegmentSnapshot snapshot, long vectorsCrc) {}

    public static void write(Path dir, SegmentSnapshot s, long vectorsCrc) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + s.count() * 40);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeLong(s.segmentId().getMostSignificantBits());
            out.writeLong(s.segmentId().getLeastSignificantBits());
            out.writeInt(s.dim());
            out.writeByte(s.sealed() ? 1 : 0);
            out.writeInt(s.count());
            out.writeLong(vectorsCrc);
            for (int i = 0; i < s.count(); i++) {
                switch (s.ids()[i]) {
                    case PointId.Num n -> {
                        out.writeByte(0);
                        out.writeLong(n.unsigned());
                    }
                    case PointId.Uuid u -> {
                        out.writeByte(1);
                        out.writeLong(u.uuid().getMostSignificantBits());
                        out.writeLong(u.uuid().getLeastSignificantBits());
                    }
                }
            }
            for (int i = 0; i < s.count(); i++) {
                out.writeLong(s.versions()[i]);
            }
            writeBits(out, s.deleted());
            writeBits(out, s.vectorless());
            writePayloadBlocks(out, s.payloads(), s.count());
            out.flush();
            byte[] body = bytes.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(body);
            ByteBuffer footer = ByteBuffer.allocate(12).putInt(FOOTER_MAGIC).putLong(crc.getValue()).flip();
            Path tmp = dir.resolve(NAME + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(body);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                while (footer.hasRemaining()) {
                    ch.write(footer);
                }
                ch.force(true);
            }
            moveAtomically(tmp, dir.resolve(NAME));
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw new StorageException("cannot write " + dir.resolve(NAME), e);
        }
    }

    private static void writeBits(DataOutputStream out, BitSet bits) throws IOException {
        long[] words = bits.toLongArray();
        out.writeInt(words.length);
        for (long w : words) {
            out.writeLong(w);
        }
    }

    private static BitSet readBits(ByteBuffer in) {
        long[] words = new long[in.getInt()];
        for (int i = 0; i < words.length; i++) {
            words[i] = in.getLong();
        }
        return BitSet.valueOf(words);
    }

    private static void writePayloadBlocks(DataOutputStream out, byte[][] payloads, int count) throws IOException {
        int blocks = (count + BLOCK_POINTS - 1) / BLOCK_POINTS;
        out.writeInt(blocks);
        LZ4Compressor compressor = LZ4.fastCompressor();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        DataOutputStream rawOut = new DataOutputStream(raw);
        for (int b = 0; b < blocks; b++) {
            raw.reset();
            int end = Math.min(count, (b + 1) * BLOCK_POINTS);
            for (int i = b * BLOCK_POINTS; i < end; i++) {
                byte[] p = payloads[i];
                if (p == null) {
                    rawOut.writeInt(-1);
                } else {
                    rawOut.writeInt(p.length);
                    rawOut.write(p);
                }
            }
            rawOut.flush();
            byte[] src = raw.toByteArray();
            byte[] dst = new byte[compressor.maxCompressedLength(src.length)];
            int n = compressor.compress(src, 0, src.length, dst, 0, dst.length);
            out.writeInt(src.length);
            out.writeInt(n);
            out.write(dst, 0, n);
        }
    }

    /** Reads and verifies (magic, version, uuid, CRC) a segment's points file. Fail-stop on any mismatch. */
    public static Contents read(Path dir, UUID expectedId) {
        Path file = dir.resolve(NAME);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StorageException("cannot read " + file, e);
        }
        if (all.length < 12 + 45) {
            throw new StorageException("truncated points file " + file);
        }
        ByteBuffer foot = ByteBuffer.wrap(all, all.length - 12, 12);
        if (foot.getInt() != FOOTER_MAGIC) {
            throw new StorageException("points file without footer (torn write?): " + file);
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 12);
        if (crc.getValue() != foot.getLong()) {
            throw new StorageException("checksum mismatch in " + file);
        }
        ByteBuffer in = ByteBuffer.wrap(all, 0, all.length - 12);
        if (in.getInt() != MAGIC) {
            throw new StorageException("not a points file (bad magic): " + file);
        }
        int version = in.getInt();
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_ALL_VECTORS) {
            throw new StorageException("unsupported points file version " + version + ": " + file);
        }
        UUID id = new UUID(in.getLong(), in.getLong());
        if (!id.equals(expectedId)) {
            throw new StorageException("points file " + file + " belongs to segment " + id);
        }
        int dim = in.getInt();
        boolean sealed = in.get() != 0;
        int count = in.getInt();
        long vectorsCrc = in.getLong();
        PointId[] ids = new PointId[count];
        for (int i = 0; i < count; i++) {
            byte tag = in.get();
            ids[i] = switch (tag) {
                case 0 -> new PointId.Num(in.getLong());
                case 1 -> new PointId.Uuid(new UUID(in.getLong(), in.getLong()));
                default -> throw new StorageException("bad id tag " + tag + " in " + file);
            };
        }
        long[] versions = new long[count];
        for (int i = 0; i < count; i++) {
            versions[i] = in.getLong();
        }
        BitSet deleted = readBits(in);
        BitSet vectorless = version == FORMAT_VERSION_ALL_VECTORS ? new BitSet() : readBits(in);
        byte[][] payloads = new byte[count][];
        int blocks = in.getInt();
        LZ4FastDecompressor dec = LZ4.fastDecompressor();
        int ord = 0;
        for (int b = 0; b < blocks; b++) {
            int rawLen = in.getInt();
            int compLen = in.getInt();
            byte[] raw = new byte[rawLen];
            dec.decompress(all, in.position(), raw, 0, rawLen);
            in.position(in.position() + compLen);
            ByteBuffer r = ByteBuffer.wrap(raw);
            while (r.hasRemaining()) {
                int len = r.getInt();
                if (len >= 0) {
                    byte[] p = new byte[len];
                    r.get(p);
                    payloads[ord] = p;
                }
                ord++;
            }
        }
        if (ord != count) {
            throw new StorageException("points file " + file + " has " + ord + " payloads for " + count + " points");
        }
        return new Contents(new SegmentSnapshot(id, dim, sealed, count, ids, versions, deleted, vectorless,
                payloads, 0, vectorsCrc), vectorsCrc);
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** fsyncs a directory so a rename or a new file in it survives a machine crash. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open directories; the rename is still ordered after the file's fsync
        }
    }
}
