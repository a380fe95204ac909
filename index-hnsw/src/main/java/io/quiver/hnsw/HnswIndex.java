package io.quiver.hnsw;

import static io.quiver.hnsw.HnswFileDescriptor.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HNSW index over a {@link VectorStore}: built in memory ({@link #build}) or reopened by memory-mapping a file
 * written by {@link #write} ({@link #open}: no rebuild, no copy to the heap). Either way the graph (and the optional
 * int8, binary or product codes) live off-heap in the {@link HnswFileDescriptor} layout; the heap holds only small
 * per-index objects and a pool of per-thread search scratch whose size follows ef, not the number of vectors. Knows
 * nothing of collections: it returns ordinals of the store with scores in Qdrant's convention. For COSINE the stored
 * vectors must be unit vectors (the engine normalises at insert); queries are normalised here.
 * <p>Threadsafe for searches once built or opened. {@link #close()} releases the memory or mapping; the caller
 * must not close while searches are running (the engine reference-counts its segments).
 */
public final class HnswIndex implements AutoCloseable {

    private final Arena arena;
    private final MemorySegment segment;
    private final OffHeapHnswGraph graph;
    private final VectorStore vectors;
    private final Distance distance;
    private final HnswParams params;
    private final ScalarQuantizer quantizer;
    private final ScalarQuantizer.QuantizedVectors codes;
    private final BinaryQuantizer binary;
    private final BinaryQuantizer.Records binaryCodes;
    private final ProductQuantizer product;
    private final long productCodes;
    /** The quantile the int8 codes were trained with; 0 when the file (version 4 or older) does not record it. */
    private final float int8Quantile;
    private final NodeOrdinals ordinals;
    private final ArrayBlockingQueue<HnswSearcher> searchers;
    private final ArrayBlockingQueue<FilteredLayerSearcher> filteredSearchers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HnswIndex(Arena arena, MemorySegment segment, VectorStore vectors, Distance distance) {
        this.arena = arena;
        this.segment = segment;
        this.graph = new OffHeapHnswGraph(segment);
        this.ordinals = new NodeOrdinals(segment, segment.get(ValueLayout.JAVA_LONG_UNALIGNED, ORDINALS_OFFSET));
        this.vectors = vectors;
        this.distance = distance;
        this.params = new HnswParams(segment.get(ValueLayout.JAVA_INT_UNALIGNED, M_OFFSET),
                segment.get(ValueLayout.JAVA_INT_UNALIGNED, EF_CONSTRUCT_OFFSET),
                segment.get(ValueLayout.JAVA_LONG_UNALIGNED, SEED_OFFSET));
        int dim = vectors.dimension();
        int flags = segment.get(ValueLayout.JAVA_INT_UNALIGNED, FLAGS_OFFSET);
        if ((flags & FLAG_INT8) != 0) {
            this.quantizer = (flags & FLAG_INT8_PER_VECTOR) != 0
                    ? new ScalarQuantizer(dim, distance, segment.asSlice(
                            segment.get(ValueLayout.JAVA_LONG_UNALIGNED, CENTRE_OFFSET), 4L * dim)
                            .toArray(ValueLayout.JAVA_FLOAT_UNALIGNED))
                    : new ScalarQuantizer(dim, distance,
                            segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, QUANT_LO_OFFSET),
                            segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, QUANT_SCALE_OFFSET));
            this.codes = ScalarQuantizer.QuantizedVectors.at(segment,
                    segment.get(ValueLayout.JAVA_LONG_UNALIGNED, CODES_OFFSET),
                    segment.get(ValueLayout.JAVA_LONG_UNALIGNED, TERMS_OFFSET), dim);
        } else {
            this.quantizer = null;
            this.codes = null;
        }
        this.int8Quantile = segment.get(ValueLayout.JAVA_INT_UNALIGNED, VERSION_OFFSET) >= 5
                ? segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, INT8_QUANTILE_OFFSET) : 0f;
        long compact = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, COMPACT_CODES_OFFSET);
        int compactParams = segment.get(ValueLayout.JAVA_INT_UNALIGNED, COMPACT_CODES_PARAMS_OFFSET);
        if ((flags & FLAG_BINARY) != 0) {
            this.binary = BinaryQuantizer.read(segment, compact, compactParams, graph.size(), dim, distance);
            this.binaryCodes = new BinaryQuantizer.Records(segment, compact, binary.stride());
        } else {
            this.binary = null;
            this.binaryCodes = null;
        }
        if ((flags & FLAG_PRODUCT) != 0) {
            this.product = ProductQuantizer.read(segment, compact, compactParams, graph.size(), dim, distance);
            this.productCodes = compact;
        } else {
            this.product = null;
            this.productCodes = 0;
        }
        this.searchers = new ArrayBlockingQueue<>(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
        this.filteredSearchers = new ArrayBlockingQueue<>(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Builds a float index with {@code threads} inserting threads ({@code threads <= 0}: one per available core, the
     * fastest build).
     */
    public static HnswIndex build(VectorStore vectors, Distance distance, HnswParams params, int threads) {
        return build(vectors, distance, params, threads, null);
    }

    /**
     * Builds an index; with a non-null {@code quantizationOrNull} it also stores int8, binary or product codes of every
     * vector, and searches run on the codes and rescore on the float vectors (see {@link QuantizationSearchParams}).
     * The graph itself is always built on the float vectors. The builder keeps the graph on the heap while it runs
     * (about {@code 8 * (2m + 1)} bytes per vector) and releases it once the off-heap layout is written.
     */
    public static HnswIndex build(VectorStore vectors, Distance distance, HnswParams params, int threads,
                                  IndexQuantization quantizationOrNull) {
        int workers = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        OnHeapHnswGraph graph = new HnswBuilder(vectors, distance, params).build(workers);
        LocalityOrder order = LocalityOrder.of(graph);
        ScalarQuantizer quantizer = quantizationOrNull instanceof ScalarQuantizationConfig scalar
                ? ScalarQuantizer.train(vectors, distance, scalar, params.seed()) : null;
        BinaryQuantizer binary = quantizationOrNull instanceof BinaryQuantizationConfig b
                ? BinaryQuantizer.train(vectors, distance, b) : null;
        ProductQuantizer product = quantizationOrNull instanceof ProductQuantizationConfig p
                ? ProductQuantizer.train(vectors, distance, p, params.seed(), workers) : null;
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = HnswFileWriter.layOut(graph, order, vectors, distance, params, quantizer,
                    quantizationOrNull instanceof ScalarQuantizationConfig scalar ? scalar.quantile() : 0f, binary,
                    product, arena);
            return new HnswIndex(arena, seg, vectors, distance);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Writes the index to {@code file} (through a temporary sibling, fsynced, then renamed atomically), byte for byte
     * the layout it searches.
     */
    public void write(Path file) throws IOException {
        ensureOpen();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = segment.asByteBuffer();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the file itself is durable
            }
        }
    }

    /**
     * Memory-maps an index written by {@link #write}: checks magic, version, sizes, distance and the CRC32C footer,
     * then serves searches from the mapping at once. {@code vectors} must be the store the index was built on.
     *
     * @throws CorruptIndexException when a check fails
     */
    public static HnswIndex open(Path file, VectorStore vectors, Distance distance) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES + FOOTER_BYTES) {
                throw new CorruptIndexException(file + ": " + size + " bytes is too short for an HNSW index");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            int magic = seg.get(ValueLayout.JAVA_INT_UNALIGNED, MAGIC_OFFSET);
            if (magic != MAGIC) {
                throw new CorruptIndexException(file + ": bad magic 0x" + Integer.toHexString(magic));
            }
            int version = seg.get(ValueLayout.JAVA_INT_UNALIGNED, VERSION_OFFSET);
            if (version < OLDEST_READABLE_VERSION || version > VERSION) {
                throw new CorruptIndexException(file + ": unsupported format version " + version
                        + " (this build reads " + OLDEST_READABLE_VERSION + " to " + VERSION + ")");
            }
            long footer = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, FOOTER_OFFSET);
            if (footer != size - FOOTER_BYTES
                    || seg.get(ValueLayout.JAVA_INT_UNALIGNED, footer) != FOOTER_MAGIC
                    || seg.get(ValueLayout.JAVA_INT_UNALIGNED, footer + 4) != CHECKSUM_CRC32C) {
                throw new CorruptIndexException(file + ": bad footer (truncated or not an HNSW index)");
            }
            long expected = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, footer + 8);
            long actual = HnswFileWriter.crc32c(seg, footer);
            if (expected != actual) {
                throw new CorruptIndexException(file + ": checksum mismatch (stored " + Long.toHexString(expected)
                        + ", computed " + Long.toHexString(actual) + ")");
            }
            int dim = seg.get(ValueLayout.JAVA_INT_UNALIGNED, DIMENSION_OFFSET);
            int count = seg.get(ValueLayout.JAVA_INT_UNALIGNED, COUNT_OFFSET);
            int dist = seg.get(ValueLayout.JAVA_INT_UNALIGNED, DISTANCE_OFFSET);
            if (dim != vectors.dimension() || count > vectors.size()) {
                throw new IllegalArgumentException(file + ": index has " + count + " vectors of dimension " + dim
                        + ", the store " + vectors.size() + " of dimension " + vectors.dimension());
            }
            long ordinals = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, ORDINALS_OFFSET);
            if (version >= 2 ? ordinals < HEADER_BYTES || ordinals + 4L * count > footer : ordinals != 0) {
                throw new CorruptIndexException(file + ": node-to-ordinal table at " + ordinals
                        + " does not fit a version " + version + " index of " + count + " nodes");
            }
            int flags = seg.get(ValueLayout.JAVA_INT_UNALIGNED, FLAGS_OFFSET);
            long centre = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, CENTRE_OFFSET);
            if ((flags & FLAG_INT8_PER_VECTOR) != 0 && (version < 3 || (flags & FLAG_INT8) == 0
                    || distance == Distance.MANHATTAN || centre < HEADER_BYTES || centre + 4L * dim > footer)) {
                throw new CorruptIndexException(file + ": per-vector int8 centre at " + centre
                        + " does not fit a version " + version + " index of dimension " + dim);
            }
            checkCodesFit(file, seg, version, flags, count, dim, footer);
            checkCompactCodesFit(file, seg, version, flags, count, dim, footer);
            if (dist != distance.ordinal()) {
                throw new IllegalArgumentException(file + ": index was built for " + Distance.values()[dist]
                        + ", not " + distance);
            }
            return new HnswIndex(arena, seg, vectors, distance);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Checks that the int8 records (and their terms table, version 4) lie inside the file, so that a corrupt header
     * is reported as such instead of failing on some later read.
     */
    private static void checkCodesFit(Path file, MemorySegment seg, int version, int flags, int count, int dim,
                                      long footer) throws CorruptIndexException {
        long codes = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, CODES_OFFSET);
        long terms = version >= 4 ? seg.get(ValueLayout.JAVA_LONG_UNALIGNED, TERMS_OFFSET) : 0;
        if ((flags & FLAG_INT8) == 0) {
            return;
        }
        boolean apart = terms != 0;
        long codesEnd = codes + (long) count * ScalarQuantizer.codeStride(dim, apart);
        boolean fits = codes >= HEADER_BYTES && codesEnd <= footer
                && (!apart || terms >= codesEnd && terms + (long) count * ScalarQuantizer.TERMS_BYTES <= footer);
        if (!fits || apart && !ScalarQuantizer.termsApart(dim)) {
            throw new CorruptIndexException(file + ": int8 codes at " + codes + " (terms table at " + terms
                    + ") do not fit a version " + version + " index of " + count + " vectors of dimension " + dim);
        }
    }

    /**
     * Checks the binary or product records and what follows them (version 5 on), as {@link #checkCodesFit} the int8
     * ones.
     */
    private static void checkCompactCodesFit(Path file, MemorySegment seg, int version, int flags, int count, int dim,
                                             long footer) throws CorruptIndexException {
        long at = version >= 5 ? seg.get(ValueLayout.JAVA_LONG_UNALIGNED, COMPACT_CODES_OFFSET) : 0;
        int params = version >= 5 ? seg.get(ValueLayout.JAVA_INT_UNALIGNED, COMPACT_CODES_PARAMS_OFFSET) : 0;
        boolean binary = (flags & FLAG_BINARY) != 0;
        boolean product = (flags & FLAG_PRODUCT) != 0;
        if (!binary && !product && at == 0) {
            return;
        }
        long end = !(binary ^ product) || version < 5 || (flags & FLAG_INT8) != 0 || at < HEADER_BYTES ? -1
                : binary ? BinaryQuantizer.endOfRecords(at, params, count, dim)
                : ProductQuantizer.endOfRecords(at, params, count, dim);
        if (end < 0 || end > footer) {
            throw new CorruptIndexException(file + ": " + (product ? "product" : "binary") + " codes at " + at
                    + " (parameters 0x" + Integer.toHexString(params) + ") do not fit a version " + version
                    + " index of " + count + " vectors of dimension " + dim);
        }
    }

    /** The {@code k} best accepted ordinals for {@code query}, best first, searching with beam width {@code ef}. */
    public List<ScoredOrd> search(float[] query, int k, int ef, AcceptOrds acceptOrNull) {
        return search(query, k, ef, acceptOrNull, QuantizationSearchParams.defaults());
    }

    /**
     * As {@link #search(float[], int, int, AcceptOrds)}, choosing how int8 codes are used (ignored for a float
     * index). Rejected ordinals are traversed but never returned; the search keeps going until it holds
     * {@code max(ef, k)} accepted candidates or the graph around the query is exhausted. The graph's nodes are
     * numbered in {@link LocalityOrder}; the filter, the float vectors and the results are in the store's ordinals.
     */
    public List<ScoredOrd> search(float[] query, int k, int ef, AcceptOrds acceptOrNull,
                                  QuantizationSearchParams quantization) {
        ensureOpen();
        float[] q = ExactSearch.checkedQuery(vectors, distance, query);
        if (k <= 0 || graph.size() == 0) {
            return List.of();
        }
        boolean useCodes = isQuantized() && !quantization.ignore();
        // the beam is ef (at least k) with or without codes: rescoring takes the best of what the beam holds and never
        // widens it, so that int8 at a given ef reads fewer bytes than float at that ef instead of searching more
        int beam = Math.max(ef, k);
        NodeScorer scorer = useCodes ? codeScorer(q) : NodeScorer.ofQuery(distance, vectors, q, ordinals);
        AcceptOrds acceptNodes = ordinals.overNodes(acceptOrNull);
        HnswSearcher searcher = acquire();
        try {
            int entry = searcher.descend(graph, scorer, graph.entryPoint(), graph.maxLevel(), 0);
            searcher.searchLayer(graph, scorer, entry, searcher.greedySimilarity(), beam, 0, acceptNodes);
            return best(searcher.results(), k, q, useCodes && quantization.rescore(), quantization.oversampling());
        } finally {
            searchers.offer(searcher);
        }
    }

    /**
     * The {@code k} best accepted ordinals by a caller's objective, best (largest score) first, searching with beam
     * width {@code max(ef, k)}: the same descent and layer search as a vector query, with every visited node scored by
     * {@code scorer} on the store's float vectors (int8 codes are not used). Scores are the scorer's own values. The
     * graph was built for distances, so how well it serves an objective depends on how smoothly the objective follows
     * them; a wider beam helps objectives that are flat over large regions (Qdrant's context queries).
     */
    public List<ScoredOrd> search(OrdScorer scorer, int k, int ef, AcceptOrds acceptOrNull) {
        ensureOpen();
        if (k <= 0 || graph.size() == 0) {
            return List.of();
        }
        NodeScorer nodes = new OrdScorerNodes(scorer, ordinals);
        HnswSearcher searcher = acquire();
        try {
            int entry = searcher.descend(graph, nodes, graph.entryPoint(), graph.maxLevel(), 0);
            searcher.searchLayer(graph, nodes, entry, searcher.greedySimilarity(), Math.max(ef, k), 0,
                    ordinals.overNodes(acceptOrNull));
            NeighborQueue results = searcher.results();
            int n = results.size();
            int[] found = new int[n];
            float[] scores = new float[n];
            for (int i = n - 1; i >= 0; i--) { // worst on top: fill from the back
                scores[i] = results.topScore();
                found[i] = ordinals.ord(results.pop());
            }
            List<ScoredOrd> out = new java.util.ArrayList<>(Math.min(k, n));
            for (int i = 0; i < n && i < k; i++) {
                out.add(new ScoredOrd(found[i], scores[i]));
            }
            return out;
        } finally {
            searchers.offer(searcher);
        }
    }

    /**
     * Below this share of accepted nodes {@link #searchFiltered} traverses filter-aware (Lucene 10.2 chose 60 % for
     * its ACORN-style search; measured here on 40 000 fashion-mnist vectors at ef 32-64, a random 10 % filter scored
     * 7x fewer vectors at recall 0.995 while a random 50 % filter scored 8 % fewer at a lower recall).
     */
    public static final double FILTER_AWARE_MAX_SHARE = 0.4;

    /**
     * The filter-aware traversal reaches accepted nodes at most two hops away, about {@code (2m)² · share} of them per
     * expansion: at least {@code 1/m} of the nodes must be accepted (some {@code 4m} reachable) for the accepted nodes
     * to stay connected. Measured: a random 1 % filter on m 16 returned recall 0.62 where the search completed.
     */
    static boolean filterAware(double share, int m) {
        return share < FILTER_AWARE_MAX_SHARE && share >= 1.0 / m;
    }

    /** True when {@link #searchFiltered} with {@code acceptedCount} accepted ordinals traverses filter-aware. */
    public boolean traversesFilterAware(long acceptedCount) {
        return graph.size() > 0 && filterAware(Math.min(1.0, (double) acceptedCount / graph.size()), params.m());
    }

    /**
     * A filtered search for callers that can fall back to an exact scan of the {@code acceptedCount} accepted points:
     * as {@link #search(float[], int, int, AcceptOrds, QuantizationSearchParams)}, but it returns null, so that the
     * caller scans instead, when layer 0 would score more than {@code budget} vectors, or when a filter-aware
     * traversal (used for shares from {@code 1/m} to {@link #FILTER_AWARE_MAX_SHARE}: it scores only accepted nodes and reaches past rejected
     * ones through their neighbours, see {@link FilteredLayerSearcher}) finds the query's neighbourhood too sparsely
     * accepted to trust its answer.
     *
     * @param acceptedCount how many of the index's ordinals {@code accept} accepts (exact or a close estimate)
     * @param budget        most vectors layer 0 may score ({@code Long.MAX_VALUE}: no limit)
     * @return the {@code k} best accepted ordinals, best first, or null: scan exactly instead
     */
    public List<ScoredOrd> searchFiltered(float[] query, int k, int ef, AcceptOrds accept, long acceptedCount,
                                          long budget, QuantizationSearchParams quantization) {
        ensureOpen();
        float[] q = ExactSearch.checkedQuery(vectors, distance, query);
        if (k <= 0 || graph.size() == 0) {
            return List.of();
        }
        boolean useCodes = isQuantized() && !quantization.ignore();
        NodeScorer scorer = useCodes ? codeScorer(q) : NodeScorer.ofQuery(distance, vectors, q, ordinals);
        AcceptOrds acceptNodes = ordinals.overNodes(accept);
        double share = Math.min(1.0, (double) acceptedCount / graph.size());
        HnswSearcher searcher = acquire();
        FilteredLayerSearcher layer = acquireFiltered();
        try {
            int entry = searcher.descend(graph, scorer, graph.entryPoint(), graph.maxLevel(), 0);
            int status = layer.search(graph, scorer, entry, searcher.greedySimilarity(), Math.max(ef, k), acceptNodes,
                    filterAware(share, params.m()), share, budget);
            if (status != FilteredLayerSearcher.COMPLETE) {
                return null;
            }
            return best(layer.results(), k, q, useCodes && quantization.rescore(), quantization.oversampling());
        } finally {
            searchers.offer(searcher);
            filteredSearchers.offer(layer);
        }
    }

    /**
     * The best {@code k} of a results heap of graph nodes (emptied), as the store's ordinals: with {@code rescore}, the
     * best {@code k · oversampling} by code score are rescored on the float vectors (never more than the heap holds).
     */
    private List<ScoredOrd> best(NeighborQueue results, int k, float[] q, boolean rescore, double oversampling) {
        TopK top = new TopK(k);
        if (rescore) {
            int keep = Math.min(results.size(), (int) Math.ceil(k * oversampling));
            while (results.size() > keep) {
                results.pop();
            }
            int[] nodes = new int[results.size()];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = results.pop();
            }
            float[] exactSims = new float[nodes.length];
            NodeScorer.ofQuery(distance, vectors, q, ordinals).similarities(nodes, nodes.length, exactSims);
            for (int i = 0; i < nodes.length; i++) {
                top.offer(ordinals.ord(nodes[i]), exactSims[i]);
            }
        } else {
            while (results.size() > 0) {
                float sim = results.topScore();
                top.offer(ordinals.ord(results.pop()), sim);
            }
        }
        return top.toResults(distance, k);
    }

    /** The scorer of the index's int8, binary or product codes. */
    private NodeScorer codeScorer(float[] q) {
        return binary != null ? binary.scorer(q, binaryCodes)
                : product != null ? product.scorer(q, segment, productCodes) : quantizer.scorer(q, codes);
    }

    private FilteredLayerSearcher acquireFiltered() {
        FilteredLayerSearcher s = filteredSearchers.poll();
        if (s == null) {
            s = new FilteredLayerSearcher();
            s.reserveLinks(2 * params.m());
        }
        return s;
    }

    private HnswSearcher acquire() {
        HnswSearcher s = searchers.poll();
        if (s == null) {
            s = new HnswSearcher();
            s.reserveLinks(2 * params.m());
        }
        return s;
    }

    /** Number of indexed vectors. */
    public int size() {
        return graph.size();
    }

    public int dimension() {
        return vectors.dimension();
    }

    public Distance distance() {
        return distance;
    }

    public HnswParams params() {
        return params;
    }

    /** True when the index holds int8, binary or product codes and searches them by default. */
    public boolean isQuantized() {
        return quantizer != null || binary != null || product != null;
    }

    /**
     * True when the index was built with {@code m}, {@code ef_construct} and quantization as given, so that it need not
     * be rebuilt for them (Qdrant rebuilds an index whose config changed). The seed is not compared. An int8 index read
     * from a file older than version 5, which does not record its quantile, matches any int8 config.
     */
    public boolean builtWith(HnswParams wanted, IndexQuantization quantizationOrNull) {
        if (wanted.m() != params.m() || wanted.efConstruct() != params.efConstruct()) {
            return false;
        }
        return switch (quantizationOrNull) {
            case null -> quantizer == null && binary == null && product == null;
            case ScalarQuantizationConfig scalar -> quantizer != null
                    && (int8Quantile == 0f || int8Quantile == scalar.quantile());
            case BinaryQuantizationConfig b -> binary != null && binary.queryBits() == b.queryBits()
                    && binary.encoding() == b.encoding();
            case ProductQuantizationConfig p -> product != null && product.bucketSize() == p.bucketSize();
        };
    }

    /** True when the index holds binary codes. */
    public boolean isBinary() {
        return binary != null;
    }

    /** Off-heap bytes of the index (graph, codes, header, footer): the file size. */
    public long indexBytes() {
        return segment.byteSize();
    }

    /** Bytes of int8 codes and their terms, or of binary or product codes (0 for a float index). */
    public long quantizedBytes() {
        if (binary != null) {
            return (long) graph.size() * binary.stride();
        }
        if (product != null) {
            return (long) graph.size() * product.stride();
        }
        if (codes == null) {
            return 0;
        }
        return (long) graph.size() * (codes.stride() + (codes.termsApart() ? ScalarQuantizer.TERMS_BYTES : 0));
    }

    /** Releases the arena memory or the file mapping; idempotent. No search may run concurrently. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("HNSW index is closed");
        }
    }
}
