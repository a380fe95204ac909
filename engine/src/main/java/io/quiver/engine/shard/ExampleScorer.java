package io.quiver.engine.shard;

import io.quiver.engine.ExampleQuery;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.OrdScorer;
import io.quiver.hnsw.VectorStore;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Scores one segment's stored vectors for an {@link ExampleQuery}: the distance's similarity of a vector to every
 * example (read in place from the segment's mapped vectors), then the query's score of those similarities. Allocates
 * nothing per vector (one scratch array). One instance per segment search, used by that search's thread only.
 */
final class ExampleScorer implements OrdScorer {
    private final ExampleQuery query;
    private final Distance distance;
    private final float[][] examples;
    private final float[] similarities;
    private final VectorStore store;
    private final MemorySegment all;
    private final long stride;

    /** {@code query}'s examples must already be in stored form (checked, normalised under Cosine). */
    ExampleScorer(ExampleQuery query, Distance distance, VectorStore store) {
        this.query = query;
        this.distance = distance;
        List<float[]> list = query.examples();
        this.examples = list.toArray(new float[0][]);
        this.similarities = new float[examples.length];
        this.store = store;
        this.all = store.contiguousVectors();
        this.stride = 4L * store.dimension();
    }

    @Override
    public float score(int ord) {
        for (int i = 0; i < examples.length; i++) {
            similarities[i] = all != null
                    ? distance.similarity(examples[i], all, ord * stride)
                    : distance.similarity(examples[i], store.vector(ord), 0L);
        }
        return query.score(similarities);
    }
}
