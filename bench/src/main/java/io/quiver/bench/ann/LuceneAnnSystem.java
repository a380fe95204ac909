package io.quiver.bench.ann;

import io.quiver.hnsw.Distance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.MMapDirectory;

/**
 * Apache Lucene's HNSW (lucene-core, Lucene99HnswVectorsFormat, Panama vectorization when the JVM has
 * jdk.incubator.vector) as the peer in the ANN harness: same m and ef_construct, one segment (with more than one
 * build thread: one indexing thread per core, then forceMerge(1) with as many HNSW merge workers), searched through
 * the leaf reader with a {@link TopKnnCollector} of size ef (Lucene's candidate count), the top k kept. Cosine data
 * arrives normalised and uses DOT_PRODUCT, as Qdrant does. Searches may run on several threads at once (Lucene's
 * readers are threadsafe).
 */
final class LuceneAnnSystem implements AnnSystem {

    private static final String FIELD = "v";
    private Path dir;
    private MMapDirectory directory;
    private DirectoryReader reader;
    private LeafReader leaf;
    private int[] docToId;
    private int threads;
    private ExecutorService mergePool;

    @Override
    public String name() {
        return "lucene";
    }

    @Override
    public void build(AnnDataset data, int m, int efConstruct, int threads) throws Exception {
        this.threads = threads;
        dir = Files.createTempDirectory("quiver-ann-lucene");
        directory = new MMapDirectory(dir);
        mergePool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        KnnVectorsFormat format = threads > 1
                ? new Lucene99HnswVectorsFormat(m, efConstruct, threads, mergePool)
                : new Lucene99HnswVectorsFormat(m, efConstruct);
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setRAMBufferSizeMB(1900)
                .setUseCompoundFile(false);
        VectorSimilarityFunction similarity = data.distance == Distance.EUCLID
                ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            AtomicInteger next = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            List<Exception> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < data.base.length; i = next.getAndIncrement()) {
                            Document doc = new Document();
                            doc.add(new KnnFloatVectorField(FIELD, data.base[i], similarity));
                            doc.add(new NumericDocValuesField("id", i));
                            writer.addDocument(doc);
                        }
                    } catch (IOException e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            writer.forceMerge(1);
            writer.commit();
        }
        reader = DirectoryReader.open(directory);
        if (reader.leaves().size() != 1) {
            throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
        }
        leaf = reader.leaves().get(0).reader();
        docToId = new int[leaf.maxDoc()];
        NumericDocValues ids = leaf.getNumericDocValues("id");
        for (int doc = ids.nextDoc(); doc != NumericDocValues.NO_MORE_DOCS; doc = ids.nextDoc()) {
            docToId[doc] = (int) ids.longValue();
        }
    }

    @Override
    public int buildThreads() {
        return threads;
    }

    /** The HNSW graph files (.vex, .vem): the structure beside the raw vectors (.vec). */
    @Override
    public long indexBytes() throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".vex") || n.endsWith(".vem")) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }

    @Override
    public int[] search(float[] query, int k, int ef) throws IOException {
        TopKnnCollector collector = new TopKnnCollector(Math.max(k, ef), Integer.MAX_VALUE);
        leaf.searchNearestVectors(FIELD, query, collector, AcceptDocs.fromLiveDocs(null, leaf.maxDoc()));
        TopDocs top = collector.topDocs();
        ScoreDoc[] docs = top.scoreDocs;
        int n = Math.min(k, docs.length);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = docToId[docs[i].doc];
        }
        return ids;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        if (directory != null) {
            directory.close();
        }
        if (mergePool != null) {
            mergePool.shutdownNow();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
