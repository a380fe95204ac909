package io.quiver.bench.ann;

import io.quiver.hnsw.HnswIndex;
import io.quiver.hnsw.IndexQuantization;
import io.quiver.hnsw.HnswParams;
import io.quiver.hnsw.OffHeapVectorStore;
import io.quiver.hnsw.QuantizationSearchParams;
import io.quiver.hnsw.ScoredOrd;
import java.util.List;

/**
 * Quiver's {@link HnswIndex} in the ANN harness: float vectors off-heap, optionally int8 ("quiver-int8"), binary
 * ("quiver-binary") or product ("quiver-pq") codes searched first and rescored. Searches may run on several threads
 * at once (the index is threadsafe once built).
 */
final class QuiverAnnSystem implements AnnSystem {

    private final String name;
    private final IndexQuantization quantizationOrNull;
    private final QuantizationSearchParams quantization;
    private OffHeapVectorStore store;
    private HnswIndex index;
    private int threads;

    QuiverAnnSystem(String name, IndexQuantization quantizationOrNull, double oversampling) {
        this.name = name;
        this.quantizationOrNull = quantizationOrNull;
        this.quantization = QuantizationSearchParams.defaults().withOversampling(oversampling);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void build(AnnDataset data, int m, int efConstruct, int threads) {
        this.threads = threads;
        store = OffHeapVectorStore.copyOf(data.base, false); // already normalised for cosine
        HnswParams params = HnswParams.defaults().withM(m).withEfConstruct(efConstruct);
        index = HnswIndex.build(store, data.distance, params, threads, quantizationOrNull);
    }

    @Override
    public int buildThreads() {
        return threads;
    }

    @Override
    public long indexBytes() {
        return index.indexBytes();
    }

    @Override
    public int[] search(float[] query, int k, int ef) {
        List<ScoredOrd> r = index.search(query, k, ef, null, quantization);
        int[] ids = new int[r.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.get(i).ord();
        }
        return ids;
    }

    @Override
    public String jsonSettings() {
        return quantizationOrNull != null
                ? String.format(java.util.Locale.ROOT, ",\"oversampling\":%s", quantization.oversampling()) : "";
    }

    @Override
    public void close() {
        if (index != null) {
            index.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
