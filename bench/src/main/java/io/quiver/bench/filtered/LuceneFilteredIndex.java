package io.quiver.bench.filtered;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.Field;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Lucene's HNSW (Lucene99HnswVectorsFormat, m 16, beam width 100, one segment) with the same payload as Quiver's
 * filtered benchmark ({@code label} and {@code r} as {@link IntField}s), searched the way a Lucene user filters:
 * {@link KnnFloatVectorQuery} with a filter query and {@code ef} candidates, the top 10 kept. Lucene decides by itself
 * between graph and exact search for the filter. One thread searches; owned by the benchmark, closed by it.
 */
final class LuceneFilteredIndex implements AutoCloseable {
    private static final String FIELD = "v";

    private final Path dir;
    private final MMapDirectory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final int[] docToId;

    private LuceneFilteredIndex(Path dir, MMapDirectory directory, DirectoryReader reader) throws IOException {
        this.dir = dir;
        this.directory = directory;
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
        this.docToId = new int[reader.maxDoc()];
        for (int doc = 0; doc < docToId.length; doc++) {
            docToId[doc] = reader.storedFields().document(doc).getField("id").numericValue().intValue();
        }
    }

    static LuceneFilteredIndex build(float[][] base, int[] labels, int[] r) throws IOException {
        long start = System.nanoTime();
        Path dir = Files.createTempDirectory("quiver-filtered-lucene");
        MMapDirectory directory = new MMapDirectory(dir);
        KnnVectorsFormat format = new Lucene99HnswVectorsFormat(16, 100);
        IndexWriterConfig config = new IndexWriterConfig().setCodec(new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        }).setRAMBufferSizeMB(1900);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (int i = 0; i < base.length; i++) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, base[i], VectorSimilarityFunction.EUCLIDEAN));
                doc.add(new IntField("label", labels[i], Field.Store.NO));
                doc.add(new IntField("r", r[i], Field.Store.NO));
                doc.add(new StoredField("id", i));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
            writer.commit();
        }
        System.err.printf("lucene: indexed %d documents in %.1f s%n", base.length, (System.nanoTime() - start) / 1e9);
        return new LuceneFilteredIndex(dir, directory, DirectoryReader.open(directory));
    }

    /** The ids of the 10 nearest documents that pass {@code filter}, searching with {@code ef} candidates. */
    int[] search(float[] query, Query filter, int ef) throws IOException {
        TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, Math.max(ef, FilteredBench.K), filter),
                Math.max(ef, FilteredBench.K));
        ScoreDoc[] docs = top.scoreDocs;
        int n = Math.min(FilteredBench.K, docs.length);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = docToId[docs[i].doc];
        }
        return ids;
    }

    @Override
    public void close() throws IOException {
        reader.close();
        directory.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
