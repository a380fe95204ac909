package io.quiver.engine;

import io.quiver.engine.filter.Filter;
import io.quiver.engine.shard.Shard;
import io.quiver.hnsw.Distance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The point reads of a collection: retrieve asks the shard that holds each id; search, scroll and count ask every
 * shard and merge the answers. Threading: threadsafe and lock-free; each shard reads one consistent set of its
 * segments, and the config is read once per call.
 */
final class CollectionReader {
    private final CollectionShards shards;
    private final Supplier<CollectionConfig> config;

    CollectionReader(CollectionShards shards, Supplier<CollectionConfig> config) {
        this.shards = shards;
        this.config = config;
    }

    /** {@link Collection#retrieve(List, WithPayload, boolean)}. */
    List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector) {
        WithPayload w = withPayload == null ? WithPayload.NONE : withPayload;
        List<Record> out = new ArrayList<>(ids.size());
        Set<PointId> seen = new HashSet<>();
        for (PointId id : ids) {
            if (seen.add(id)) {
                Record r = shards.of(id).retrieve(id, w, withVector);
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** {@link Collection#retrieve(PointId)}. */
    Record retrieve(PointId id) {
        Record r = shards.of(id).retrieve(id, WithPayload.ALL, true);
        if (r == null) {
            throw NotFoundException.point(id);
        }
        return r;
    }

    /** {@link Collection#scroll}: every shard's page from the offset, merged by id. */
    ScrollResult scroll(ScrollRequest request) {
        List<Record> merged = new ArrayList<>();
        for (Shard s : shards.all()) {
            // one more than the page, to tell where the next page starts (saturated: limit may be Integer.MAX_VALUE)
            int pageAndOne = (int) Math.min(Integer.MAX_VALUE, request.limit() + 1L);
            merged.addAll(s.scroll(request.offsetOrNull(), pageAndOne, request.filterOrNull(), request.withPayload(),
                    request.withVector()));
        }
        if (shards.size() > 1) {
            merged.sort((a, b) -> a.id().compareTo(b.id()));
        }
        if (merged.size() > request.limit()) {
            return new ScrollResult(merged.subList(0, request.limit()), merged.get(request.limit()).id());
        }
        return new ScrollResult(merged, null);
    }

    /** {@link Collection#count}. */
    long count(Filter filterOrNull) {
        long n = 0;
        for (Shard s : shards.all()) {
            n += s.count(filterOrNull);
        }
        return n;
    }

    /**
     * {@link Collection#search}: every shard's candidates (by the query vector, or by the example query with its
     * examples checked and normalised as stored vectors are), the newest version of each id kept, best first, then
     * the score threshold, offset and limit.
     */
    List<ScoredPoint> search(SearchRequest request) {
        CollectionConfig c = config.get();
        ExampleQuery examples = request.exampleQueryOrNull() == null ? null
                : request.exampleQueryOrNull().mapExamples(v -> VectorInput.prepare(v, c.vectors()));
        float[] q = examples == null ? VectorInput.prepare(request.vector(), c.vectors()) : null;
        int k = request.candidates();
        if (request.limit() == 0) {
            return List.of();
        }
        Map<PointId, ScoredPoint> best = new HashMap<>();
        for (Shard s : shards.all()) {
            List<ScoredPoint> found = examples != null
                    ? s.searchByExamples(examples, k, request.filterOrNull(), request.hnswEfOrNull(), request.exact(),
                            request.indexedOnly(), request.withPayload(), request.withVector())
                    : s.search(q, k, request.filterOrNull(), request.hnswEfOrNull(), request.exact(),
                            request.quantizationOrNull(), request.indexedOnly(), request.withPayload(),
                            request.withVector());
            for (ScoredPoint p : found) {
                best.merge(p.id(), p, (a, b) -> a.version() >= b.version() ? a : b);
            }
        }
        boolean higher = request.higherIsBetter(c.vectors().distance());
        List<ScoredPoint> all = new ArrayList<>(best.values());
        all.sort((a, b) -> {
            int cmp = higher ? Float.compare(b.score(), a.score()) : Float.compare(a.score(), b.score());
            return cmp != 0 ? cmp : a.id().compareTo(b.id());
        });
        Float t = request.scoreThresholdOrNull();
        List<ScoredPoint> out = new ArrayList<>(Math.min(request.limit(), all.size()));
        int skipped = 0;
        for (ScoredPoint p : all) {
            if (t != null && (higher ? p.score() < t : p.score() > t)) {
                break;
            }
            if (skipped < request.offset()) {
                skipped++;
                continue;
            }
            if (out.size() == request.limit()) {
                break;
            }
            out.add(p);
        }
        return out;
    }
}
