package io.quiver.engine.shard;

import io.quiver.engine.segment.Segment;
import io.quiver.hnsw.HnswIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the HNSW graph of one sealed segment, writes it as {@code hnsw.graph} (HnswIndex.write: temp file + atomic
 * rename) and opens
 * it mapped, or opens an existing graph without rebuilding. Stateless apart from a build counter; threadsafe. Runs on
 * the engine's indexing executor; it reads only the sealed segment's vectors, which never change.
 */
public final class SegmentIndexBuilder {
    private final AtomicLong builds = new AtomicLong();

    /** Number of graphs built (not opened) by this builder since it was created. */
    public long buildCount() {
        return builds.get();
    }

    /** Opens the segment's graph when a valid one of the right size exists; null otherwise (then build). */
    public HnswIndex tryOpen(Segment segment, ShardSettings s) {
        Path graph = segment.dir().resolve(Segment.GRAPH_FILE);
        if (!Files.exists(graph)) {
            return null;
        }
        try {
            HnswIndex idx = HnswIndex.open(graph, segment.vectors(), s.distance());
            if (idx.size() == segment.count()) {
                return idx;
            }
            idx.close();
        } catch (IOException | RuntimeException e) {
            // a torn or foreign graph file: rebuild it
        }
        return null;
    }

    /** Builds, writes and reopens (mapped) the graph of a sealed segment. */
    public HnswIndex build(Segment segment, ShardSettings s) throws IOException {
        if (!segment.isSealed()) {
            throw new IllegalStateException("index build of an appendable segment " + segment);
        }
        builds.incrementAndGet();
        Path graph = segment.dir().resolve(Segment.GRAPH_FILE);
        try (HnswIndex built = s.quantizationOrNull() == null
                ? HnswIndex.build(segment.vectors(), s.distance(), s.hnsw(), s.indexThreads())
                : HnswIndex.build(segment.vectors(), s.distance(), s.hnsw(), s.indexThreads(),
                        s.quantizationOrNull())) {
            built.write(graph); // temp sibling, fsync, atomic rename, directory fsync
        }
        return HnswIndex.open(graph, segment.vectors(), s.distance());
    }
}
