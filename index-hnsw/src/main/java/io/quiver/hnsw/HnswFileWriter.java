package io.quiver.hnsw;

import static io.quiver.hnsw.HnswFileDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * Lays a built graph (and optional int8, binary or product codes) out in the {@link HnswFileDescriptor} format, nodes
 * renumbered in a {@link LocalityOrder}, footer checksum included, in {@link HugePageMemory} owned by an
 * {@link Arena}, so that the bytes can be searched at once and written to a file as they are. Used once per build by
 * the building thread.
 */
final class HnswFileWriter {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private HnswFileWriter() {
    }

    /**
     * Lays {@code graph} out with its nodes numbered in {@code order}: node {@code i}'s links, level tables and code
     * record belong to ordinal {@code order.nodeToOrd[i]}, and the table of those ordinals is written too.
     * {@code int8Quantile} is the quantile {@code quantizerOrNull} was trained with (recorded, not used).
     */
    static MemorySegment layOut(OnHeapHnswGraph graph, LocalityOrder order, VectorStore vectors, Distance distance,
                                HnswParams params, ScalarQuantizer quantizerOrNull, float int8Quantile,
                                BinaryQuantizer binaryOrNull, ProductQuantizer productOrNull, Arena arena) {
        int n = graph.size();
        int m = graph.m;
        int dim = vectors.dimension();
        int maxLevel = graph.maxLevel();
        int[] levelCounts = new int[Math.max(0, maxLevel) + 1];
        for (int node = 0; node < n; node++) {
            for (int l = 1; l <= graph.levels[node]; l++) {
                levelCounts[l]++;
            }
        }
        long layer0 = HEADER_BYTES;
        long dir = align8(layer0 + n * layer0SlotBytes(m));
        long pos = align8(dir + (long) Math.max(0, maxLevel) * LEVEL_ENTRY_BYTES);
        long[] levelOffsets = new long[levelCounts.length];
        for (int l = 1; l <= maxLevel; l++) {
            levelOffsets[l] = pos;
            pos = align8(pos + 4L * levelCounts[l] + levelCounts[l] * upperSlotBytes(m));
        }
        long codes = 0;
        long terms = 0;
        boolean termsApart = ScalarQuantizer.termsApart(dim);
        int stride = ScalarQuantizer.codeStride(dim, termsApart);
        if (quantizerOrNull != null) {
            codes = align64(pos);
            pos = codes + (long) n * stride;
            if (termsApart) {
                terms = align64(pos);
                pos = terms + (long) n * ScalarQuantizer.TERMS_BYTES;
            }
            pos = align8(pos);
        }
        long binary = 0;
        long binaryStats = 0;
        if (binaryOrNull != null) {
            binary = align64(pos);
            pos = align8(binary + (long) n * binaryOrNull.stride());
            if (binaryOrNull.meanOrNull() != null) {
                binaryStats = BinaryQuantizer.statsOffset(binary, n, binaryOrNull.stride());
                pos = align8(binaryStats + 8L * dim);
            }
        }
        long product = 0;
        long productCentroids = 0;
        float[] centroids = productOrNull == null ? null : productOrNull.centroidsByComponent();
        if (productOrNull != null) {
            product = align64(pos);
            productCentroids = ProductQuantizer.centroidsOffset(product, n, productOrNull.stride());
            pos = align8(productCentroids + 4L * centroids.length);
        }
        long centre = 0;
        if (quantizerOrNull != null && quantizerOrNull.perVector()) {
            centre = align8(pos);
            pos = centre + 4L * dim;
        }
        long ordinals = align8(pos);
        pos = align8(ordinals + 4L * n);
        long footer = pos;
        long total = footer + FOOTER_BYTES;
        MemorySegment seg = HugePageMemory.allocate(total, arena);
        seg.fill((byte) 0);

        seg.set(INT, MAGIC_OFFSET, MAGIC);
        seg.set(INT, VERSION_OFFSET, VERSION);
        seg.set(INT, DIMENSION_OFFSET, dim);
        seg.set(INT, COUNT_OFFSET, n);
        seg.set(INT, M_OFFSET, m);
        seg.set(INT, EF_CONSTRUCT_OFFSET, params.efConstruct());
        seg.set(INT, DISTANCE_OFFSET, distance.ordinal());
        seg.set(INT, ENTRY_OFFSET, graph.entryPoint() < 0 ? -1 : order.ordToNode[graph.entryPoint()]);
        seg.set(INT, MAX_LEVEL_OFFSET, maxLevel);
        seg.set(INT, FLAGS_OFFSET, (quantizerOrNull == null ? 0
                : quantizerOrNull.perVector() ? FLAG_INT8 | FLAG_INT8_PER_VECTOR : FLAG_INT8)
                | (binaryOrNull == null ? 0 : FLAG_BINARY) | (productOrNull == null ? 0 : FLAG_PRODUCT));
        seg.set(LONG, COMPACT_CODES_OFFSET, binaryOrNull != null ? binary : product);
        seg.set(INT, COMPACT_CODES_PARAMS_OFFSET, binaryOrNull != null ? binaryOrNull.headerParams()
                : productOrNull != null ? productOrNull.bucketSize() : 0);
        if (centroids != null) {
            MemorySegment.copy(centroids, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, productCentroids, centroids.length);
        }
        if (binaryStats != 0) {
            MemorySegment.copy(binaryOrNull.meanOrNull(), 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, binaryStats, dim);
            MemorySegment.copy(binaryOrNull.stddevOrNull(), 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED,
                    binaryStats + 4L * dim, dim);
        }
        seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, INT8_QUANTILE_OFFSET, quantizerOrNull == null ? 0f : int8Quantile);
        seg.set(LONG, SEED_OFFSET, params.seed());
        seg.set(LONG, LAYER0_OFFSET, layer0);
        seg.set(LONG, UPPER_OFFSET, dir);
        seg.set(LONG, CODES_OFFSET, codes);
        seg.set(LONG, TERMS_OFFSET, terms);
        seg.set(LONG, FOOTER_OFFSET, footer);
        seg.set(LONG, ORDINALS_OFFSET, ordinals);
        if (quantizerOrNull != null) {
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, QUANT_LO_OFFSET, quantizerOrNull.lo());
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, QUANT_SCALE_OFFSET, quantizerOrNull.scale());
            float[] centreOrNull = quantizerOrNull.centreOrNull();
            if (centreOrNull != null) {
                seg.set(LONG, CENTRE_OFFSET, centre);
                MemorySegment.copy(centreOrNull, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, centre, dim);
            }
        }

        int[] buf = new int[2 * m];
        long slot0 = layer0SlotBytes(m);
        int[] toNode = order.ordToNode;
        int[] toOrd = order.nodeToOrd;
        for (int node = 0; node < n; node++) {
            int cnt = graph.neighbors(0, toOrd[node], buf);
            long at = layer0 + node * slot0;
            seg.set(INT, at, cnt);
            for (int i = 0; i < cnt; i++) {
                seg.set(INT, at + 4 + 4L * i, toNode[buf[i]]);
            }
            seg.set(INT, ordinals + 4L * node, toOrd[node]);
        }
        long slotUp = upperSlotBytes(m);
        for (int l = 1; l <= maxLevel; l++) {
            seg.set(LONG, dir + (long) (l - 1) * LEVEL_ENTRY_BYTES, levelOffsets[l]);
            seg.set(INT, dir + (long) (l - 1) * LEVEL_ENTRY_BYTES + 8, levelCounts[l]);
            long table = levelOffsets[l];
            long slots = table + 4L * levelCounts[l];
            int idx = 0;
            for (int node = 0; node < n; node++) { // ascending node numbers: the table stays sorted
                if (graph.levels[toOrd[node]] >= l) {
                    seg.set(INT, table + 4L * idx, node);
                    int cnt = graph.neighbors(l, toOrd[node], buf);
                    long at = slots + idx * slotUp;
                    seg.set(INT, at, cnt);
                    for (int i = 0; i < cnt; i++) {
                        seg.set(INT, at + 4 + 4L * i, toNode[buf[i]]);
                    }
                    idx++;
                }
            }
        }
        if (quantizerOrNull != null) {
            MemorySegment all = vectors.contiguousVectors();
            ScalarQuantizer.QuantizedVectors records = ScalarQuantizer.QuantizedVectors.at(seg, codes, terms, dim);
            for (int node = 0; node < n; node++) {
                int ord = toOrd[node];
                if (all != null) {
                    quantizerOrNull.encode(all, ord * 4L * dim, seg, records.record(node), records.terms(node));
                } else {
                    quantizerOrNull.encode(vectors.vector(ord), 0L, seg, records.record(node), records.terms(node));
                }
            }
        }
        if (binaryOrNull != null) {
            MemorySegment all = vectors.contiguousVectors();
            long binaryStride = binaryOrNull.stride();
            for (int node = 0; node < n; node++) {
                int ord = toOrd[node];
                long at = binary + node * binaryStride;
                if (all != null) {
                    binaryOrNull.encode(all, ord * 4L * dim, seg, at);
                } else {
                    binaryOrNull.encode(vectors.vector(ord), 0L, seg, at);
                }
            }
        }
        if (productOrNull != null) {
            MemorySegment all = vectors.contiguousVectors();
            long productStride = productOrNull.stride();
            for (int node = 0; node < n; node++) {
                int ord = toOrd[node];
                if (all != null) {
                    productOrNull.encode(all, ord * 4L * dim, seg, product + node * productStride);
                } else {
                    productOrNull.encode(vectors.vector(ord), 0L, seg, product + node * productStride);
                }
            }
        }
        seg.set(INT, footer, FOOTER_MAGIC);
        seg.set(INT, footer + 4, CHECKSUM_CRC32C);
        seg.set(LONG, footer + 8, crc32c(seg, footer));
        return seg;
    }

    private static long align64(long v) {
        return (v + 63) & ~63L;
    }

    /** CRC32C of the first {@code length} bytes of {@code seg}, read in place. */
    static long crc32c(MemorySegment seg, long length) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30;
        for (long off = 0; off < length; off += chunk) {
            crc.update(seg.asSlice(off, Math.min(chunk, length - off)).asByteBuffer());
        }
        return crc.getValue();
    }
}
