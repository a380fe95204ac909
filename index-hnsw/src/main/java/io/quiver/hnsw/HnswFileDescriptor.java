package io.quiver.hnsw;

/**
 * Byte layout of an HNSW index file (format version 5), little-endian, every section 8-byte aligned. The same layout
 * is used in memory for a freshly built index, so a built and a reopened index run identical code.
 * <p>Graph nodes are numbered in {@link LocalityOrder} (upper-level nodes first, then breadth-first), not in the
 * caller's ordinals: links, the entry point, the upper-level node tables and the int8 code records are all indexed by
 * node, and the node-to-ordinal table maps a node back to the caller's ordinal (results, filters and the float
 * vectors of the store are in ordinals). Version 2 added that table; version 1 files have none (nodes are ordinals,
 * byte 88 is zero) and are still read, as the identity order. Version 3 added per-vector int8 scaling (flag bit 1,
 * the centre vector at byte 96); version 2 files have global scaling only and are still read. Version 4 moved the
 * int8 terms of dimensions whose code length is a multiple of 64 (or within 16 bytes of one) into a table of their
 * own (byte 104), so that they no longer add a cache line to every record; version 3 files (byte 104 zero, terms after
 * the codes) are still read. Version 5 added binary codes (flag bit 2) and product codes (flag
 * bit 3), both "compact codes" (offset at byte 112, parameters at byte 120), and records the int8 quantile (byte
 * 124); version 4 files have none of these (bytes 112..127 zero) and are still read.
 *
 * <pre>
 * header (128 bytes)
 *   0  int   MAGIC 'QHNS'            4  int   VERSION
 *   8  int   dimension              12  int   count (nodes)
 *  16  int   m                      20  int   efConstruct
 *  24  int   distance ordinal       28  int   entry point (-1: empty)
 *  32  int   max level (-1: empty)  36  int   flags (bit 0: int8 codes present; bit 1: scaled per vector;
 *                                                  bit 2: binary codes present; bit 3: product codes present)
 *  40  long  level-generator seed
 *  48  long  offset of layer 0      56  long  offset of the upper-level directory
 *  64  long  offset of int8 codes (0: none)
 *  72  long  offset of the footer (= file length - FOOTER_BYTES)
 *  80  float quantization lo        84  float quantization scale
 *  88  long  offset of the node-to-ordinal table (0: none, nodes are ordinals; always present since version 2)
 *  96  long  offset of the per-vector scaling's centre: dimension floats (0: global scaling, lo and scale above)
 * 104  long  offset of the int8 terms table (0: no table, each record's terms follow its codes)
 * 112  long  offset of the compact codes, binary or product (0: none)
 * 120  int   their parameters: binary: bits per query component (1, 4 or 8) in bits 0..7, the encoding in bits 8..15
 *             (1: one bit, 2: two bits, 3: one and a half bits); product: components per bucket (1, 2, 4, 8, 16)
 * 124  float quantile of the int8 quantization (0 without int8 codes)
 * layer 0: count slots of (1 + 2m) ints: link count, then the links (unused slots zero)
 * upper-level directory: maxLevel entries (level 1..maxLevel) of 16 bytes: long offset, int node count, int zero
 *   per level: node count ints, the nodes on that level in ascending order, then node count slots of (1 + m) ints
 * int8 codes (64-byte aligned): count records of codeStride(dimension, termsApart) bytes: codeLength(dimension)
 *   signed bytes in [-127, 127] (dimension rounded up to 16, zero-padded); unless the terms table is present, the
 *   vector's 16 bytes of terms (the 4-byte correction of global scaling, zero-padded, or the four per-vector floats;
 *   see ScalarQuantizer); zero padding to a multiple of 64 (each record starts on a cache line)
 * int8 terms table (64-byte aligned; only when ScalarQuantizer.termsApart(dimension)): count entries of 16 bytes,
 *   the terms of each record as above
 * binary codes (64-byte aligned): count records of BinaryQuantizer.stride(dimension, encoding) bytes: the bits of
 *   the vector (see BinaryQuantizer), bit j at bit j % 64 of little-endian long j / 64, padding bits clear; for the
 *   two-bit encodings followed (8-byte aligned) by dimension floats of per-dimension means, then dimension floats of
 *   standard deviations
 * product codes (64-byte aligned): count records of ProductQuantizer.buckets(dimension, bucket size) bytes, one
 *   centroid number per bucket; then (8-byte aligned) the centroids: buckets × 256 × bucket size floats,
 *   component-major: component j of centroid c of bucket b at (b × bucket size + j) × 256 + c
 * centre (per-vector scaling only): dimension floats
 * node-to-ordinal table: count ints, the caller's ordinal of each node (a permutation of 0..count-1)
 * footer (16 bytes): int FOOTER_MAGIC, int CHECKSUM_CRC32C, long CRC32C of every byte before the footer
 * </pre>
 * Holds only constants and offset arithmetic; no state.
 */
final class HnswFileDescriptor {

    static final int MAGIC = 0x514E4853; // "SHNQ" little-endian bytes read as 'Q','H','N','S'
    static final int VERSION = 5;
    /**
     * The oldest version this build reads: version 1 differs only by having no node-to-ordinal table, version 2 by
     * having no per-vector scaling, version 3 by having no terms table, version 4 by having no binary codes.
     */
    static final int OLDEST_READABLE_VERSION = 1;
    static final int HEADER_BYTES = 128;
    static final int FOOTER_BYTES = 16;
    static final int FOOTER_MAGIC = 0x444E4551; // "QEND"
    static final int CHECKSUM_CRC32C = 1;
    static final int FLAG_INT8 = 1;
    static final int FLAG_INT8_PER_VECTOR = 2;
    static final int FLAG_BINARY = 4;
    static final int FLAG_PRODUCT = 8;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long DIMENSION_OFFSET = 8;
    static final long COUNT_OFFSET = 12;
    static final long M_OFFSET = 16;
    static final long EF_CONSTRUCT_OFFSET = 20;
    static final long DISTANCE_OFFSET = 24;
    static final long ENTRY_OFFSET = 28;
    static final long MAX_LEVEL_OFFSET = 32;
    static final long FLAGS_OFFSET = 36;
    static final long SEED_OFFSET = 40;
    static final long LAYER0_OFFSET = 48;
    static final long UPPER_OFFSET = 56;
    static final long CODES_OFFSET = 64;
    static final long FOOTER_OFFSET = 72;
    static final long QUANT_LO_OFFSET = 80;
    static final long QUANT_SCALE_OFFSET = 84;
    static final long ORDINALS_OFFSET = 88;
    static final long CENTRE_OFFSET = 96;
    static final long TERMS_OFFSET = 104;
    static final long COMPACT_CODES_OFFSET = 112;
    static final long COMPACT_CODES_PARAMS_OFFSET = 120;
    static final long INT8_QUANTILE_OFFSET = 124;
    static final int LEVEL_ENTRY_BYTES = 16;

    private HnswFileDescriptor() {
    }

    static long align8(long v) {
        return (v + 7) & ~7L;
    }

    static long layer0SlotBytes(int m) {
        return 4L * (1 + 2L * m);
    }

    static long upperSlotBytes(int m) {
        return 4L * (1 + m);
    }
}
