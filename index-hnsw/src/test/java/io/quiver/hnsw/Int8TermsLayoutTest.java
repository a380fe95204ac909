package io.quiver.hnsw;

import static io.quiver.hnsw.HnswFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the int8 terms live (format 4): in a table of their own exactly when they would add a cache line to every
 * record, and a format 3 file of the same index (terms after each record's codes) searches identically.
 */
class Int8TermsLayoutTest {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    @Test
    void termsMoveApartOnlyWhereTheyWouldAddALine() {
        assertFalse(ScalarQuantizer.termsApart(24)); // 32 code bytes + 16: one line
        assertFalse(ScalarQuantizer.termsApart(48)); // 48 + 16: still one line
        assertTrue(ScalarQuantizer.termsApart(49)); // 64 code bytes fill the line
        assertTrue(ScalarQuantizer.termsApart(128));
        assertFalse(ScalarQuantizer.termsApart(784)); // 784 = 12 lines + 16 bytes: the terms fit the 13th
        assertTrue(ScalarQuantizer.termsApart(768));
        assertTrue(ScalarQuantizer.termsApart(1536));
        assertEquals(128, ScalarQuantizer.codeStride(128, true));
        assertEquals(192, ScalarQuantizer.codeStride(128, false));
        assertEquals(832, ScalarQuantizer.codeStride(784, false));
    }

    @Test
    void formatThreeFileWithTermsAfterTheCodesSearchesLikeTheTable(@TempDir Path dir) throws IOException {
        long seed = TestVectors.seed();
        Random random = new Random(seed);
        int dim = 128;
        float[][] base = new float[1200][dim];
        float[][] queries = new float[40][dim];
        for (float[][] set : new float[][][] {base, queries}) {
            for (float[] v : set) {
                for (int d = 0; d < dim; d++) {
                    v[d] = (float) random.nextGaussian() + (d % 7);
                }
            }
        }
        // EUCLID and COSINE: per-vector terms; MANHATTAN: the global scaling's 4-byte correction
        for (Distance distance : List.of(Distance.EUCLID, Distance.COSINE, Distance.MANHATTAN)) {
            try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, distance == Distance.COSINE);
                 HnswIndex built = HnswIndex.build(store, distance, HnswParams.defaults().withSeed(seed), 2,
                         ScalarQuantizationConfig.defaults())) {
                assertEquals(base.length * (128L + 16), built.quantizedBytes(), "records of 2 lines + the table");
                Path v4 = dir.resolve(distance + "-v4.graph");
                built.write(v4);
                Path v3 = writeFormat3(v4, dir.resolve(distance + "-v3.graph"));
                try (HnswIndex table = HnswIndex.open(v4, store, distance);
                     HnswIndex inline = HnswIndex.open(v3, store, distance)) {
                    assertEquals(base.length * 192L, inline.quantizedBytes(), "records of 3 lines");
                    QuantizationSearchParams codeScores = new QuantizationSearchParams(false, false, 1.0);
                    for (float[] q : queries) {
                        List<ScoredOrd> expected = inline.search(q, 10, 40, null, codeScores);
                        assertEquals(10, expected.size());
                        assertEquals(expected, table.search(q, 10, 40, null, codeScores), distance + " seed " + seed);
                        assertEquals(inline.search(q, 10, 40, null), table.search(q, 10, 40, null));
                    }
                }
            }
        }
    }

    @Test
    void termsTableOutsideTheFileIsReportedCorrupt(@TempDir Path dir) throws IOException {
        float[][] base = new float[300][64];
        Random random = new Random(5);
        for (float[] v : base) {
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
        }
        try (OffHeapVectorStore store = OffHeapVectorStore.copyOf(base, false);
             HnswIndex built = HnswIndex.build(store, Distance.EUCLID, HnswParams.defaults(), 1,
                     ScalarQuantizationConfig.defaults())) {
            Path file = dir.resolve("bad.graph");
            built.write(file);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = readFile(file, arena);
                long footer = seg.get(LONG, FOOTER_OFFSET);
                seg.set(LONG, TERMS_OFFSET, footer - 8);
                seg.set(LONG, footer + 8, HnswFileWriter.crc32c(seg, footer));
                Files.write(file, seg.toArray(ValueLayout.JAVA_BYTE));
            }
            CorruptIndexException e = assertThrows(CorruptIndexException.class,
                    () -> HnswIndex.open(file, store, Distance.EUCLID));
            assertTrue(e.getMessage().contains("terms table"), e.getMessage());
        }
    }

    private static MemorySegment readFile(Path file, Arena arena) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        MemorySegment seg = arena.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    /**
     * Rewrites a format 4 file (or 5, which only adds binary codes, absent here) whose terms live in their own table as
     * the format 3 layout of the same index: each record's 16 bytes of terms after its codes, records padded to a
     * multiple of 64, the sections after the codes (centre, node-to-ordinal table) moved behind them, a new checksum.
     */
    private static Path writeFormat3(Path v4, Path v3) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = readFile(v4, arena);
            assertTrue(in.get(INT, VERSION_OFFSET) >= 4);
            int n = in.get(INT, COUNT_OFFSET);
            int dim = in.get(INT, DIMENSION_OFFSET);
            long codes = in.get(LONG, CODES_OFFSET);
            long terms = in.get(LONG, TERMS_OFFSET);
            assertTrue(terms != 0, "dimension " + dim + " keeps its terms apart");
            int length = ScalarQuantizer.codeLength(dim);
            long oldStride = ScalarQuantizer.codeStride(dim, true);
            long newStride = ScalarQuantizer.codeStride(dim, false);
            long restFrom = HnswFileDescriptor.align8(terms + 16L * n);
            long restTo = in.get(LONG, FOOTER_OFFSET);
            long newRest = HnswFileDescriptor.align8(codes + newStride * n);
            long shift = newRest - restFrom;
            MemorySegment out = arena.allocate(restTo + shift + FOOTER_BYTES, 64);
            MemorySegment.copy(in, 0, out, 0, codes);
            for (int node = 0; node < n; node++) {
                MemorySegment.copy(in, codes + node * oldStride, out, codes + node * newStride, length);
                MemorySegment.copy(in, terms + 16L * node, out, codes + node * newStride + length, 16);
            }
            MemorySegment.copy(in, restFrom, out, newRest, restTo - restFrom);
            out.set(INT, VERSION_OFFSET, 3);
            out.set(LONG, TERMS_OFFSET, 0L);
            for (long field : new long[] {ORDINALS_OFFSET, CENTRE_OFFSET}) {
                long at = in.get(LONG, field);
                out.set(LONG, field, at == 0 ? 0 : at + shift);
            }
            long footer = restTo + shift;
            out.set(LONG, FOOTER_OFFSET, footer);
            out.set(INT, footer, FOOTER_MAGIC);
            out.set(INT, footer + 4, CHECKSUM_CRC32C);
            out.set(LONG, footer + 8, HnswFileWriter.crc32c(out, footer));
            Files.write(v3, out.toArray(ValueLayout.JAVA_BYTE));
        }
        return v3;
    }
}
