package io.quiver.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's distance matrix ({@code points/search/matrix/pairs} and {@code /offsets}): a random sample of up to
 * {@code sample} points that pass a filter and have a vector ({@link RandomSample}), sorted by id, and for each of
 * them its {@code limit} nearest other points of the sample, found by a nearest search restricted to the sampled ids
 * ({@code has_id}), so each score is the one a search reports for the collection's distance and each row is in search
 * order, best first. The search asks for {@code limit + 1} points and drops the sampled point itself, or, when it is
 * not among them (under Dot a point need not be its own nearest), the last one. Fewer than two sampled points give an
 * empty matrix.
 *
 * <p>Everything is read through the {@link Sampler} and the {@link Searcher} it is given (of a {@link Collection}, or
 * of a collection spread over a cluster), one search per sampled point. Without a filter the sample is first drawn
 * from every point, which a sampler can do without reading every id ({@link RandomSample}); it is kept when every
 * drawn point has the vector (a uniform sample of all points that lies among those with the vector is a uniform
 * sample of them), else the sample is drawn again among the points with the vector. Stateless; threadsafe as the
 * sampler and searcher are.
 */
public final class DistanceMatrix {
    /** Qdrant's default {@code sample}: how many points are drawn. */
    public static final int DEFAULT_SAMPLE = 10;
    /** Qdrant's default {@code limit}: how many neighbours each sampled point gets. */
    public static final int DEFAULT_LIMIT = 3;

    /** The nearest search the matrix runs, as {@link Collection#search} answers it. */
    @FunctionalInterface
    public interface Searcher {
        List<ScoredPoint> search(SearchRequest request);
    }

    /**
     * Up to {@code limit} distinct points drawn uniformly at random from those passing a filter (null: every point),
     * with their vectors: {@link RandomSample} of a local or clustered collection, which draws an unfiltered sample
     * without reading every id.
     */
    public interface Sampler {
        List<Record> sample(Filter filterOrNull, int limit);
    }

    /**
     * The matrix: the sampled ids in ascending order, and for the i-th of them its nearest other sampled points, best
     * first ({@code rows.get(i)}). Immutable once built.
     */
    public record Result(List<PointId> ids, List<List<ScoredPoint>> rows) {
        /** No points, no neighbours. */
        public static final Result EMPTY = new Result(List.of(), List.of());

        public Result {
            if (ids.size() != rows.size()) {
                throw new IllegalArgumentException("one row per sampled id: " + ids.size() + " ids, " + rows.size()
                        + " rows");
            }
            ids = List.copyOf(ids);
            rows = rows.stream().map(List::copyOf).toList();
        }

        /** Qdrant's SearchMatrixPairsResponse: {@code {"pairs":[{"a":id,"b":id,"score":s}…]}}, row by row. */
        public ObjectNode pairsJson() {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            ArrayNode pairs = out.putArray("pairs");
            for (int row = 0; row < ids.size(); row++) {
                for (ScoredPoint neighbour : rows.get(row)) {
                    ObjectNode pair = pairs.addObject();
                    pair.set("a", ids.get(row).toJson());
                    pair.set("b", neighbour.id().toJson());
                    pair.put("score", neighbour.score());
                }
            }
            return out;
        }

        /**
         * Qdrant's SearchMatrixOffsetsResponse, a sparse matrix in coordinate form: {@code offsets_row},
         * {@code offsets_col} (positions in {@code ids}) and {@code scores}, one entry per pair, and {@code ids}.
         */
        public ObjectNode offsetsJson() {
            Map<PointId, Integer> position = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                position.put(ids.get(i), i);
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            ArrayNode rowOffsets = out.putArray("offsets_row");
            ArrayNode colOffsets = out.putArray("offsets_col");
            ArrayNode scores = out.putArray("scores");
            ArrayNode idsJson = out.putArray("ids");
            for (int row = 0; row < ids.size(); row++) {
                for (ScoredPoint neighbour : rows.get(row)) {
                    rowOffsets.add(row);
                    colOffsets.add(position.get(neighbour.id()));
                    scores.add(neighbour.score());
                }
            }
            ids.forEach(id -> idsJson.add(id.toJson()));
            return out;
        }
    }

    private DistanceMatrix() {
    }

    /**
     * The matrix of a random sample of the points passing {@code filterOrNull}; {@code sample} or {@code limit} 0
     * gives the empty matrix. A sampled point that lost its vector before it was read is left out. {@code vectorName}
     * is the collection's one vector ({@code ""}: unnamed), which the sampled points must have.
     */
    public static Result compute(Sampler sampler, Searcher searcher, String vectorName, Filter filterOrNull,
            int sample, int limit) {
        if (sample < 0 || limit < 0) {
            throw new IllegalArgumentException("sample and limit must not be negative: " + sample + ", " + limit);
        }
        if (sample == 0 || limit == 0) {
            return Result.EMPTY;
        }
        List<Record> sampled = null;
        if (filterOrNull == null) {
            List<Record> drawn = sampler.sample(null, sample);
            if (drawn.stream().allMatch(r -> r.vectorOrNull() != null)) {
                sampled = new ArrayList<>(drawn);
            }
        }
        if (sampled == null) {
            sampled = new ArrayList<>();
            for (Record r : sampler.sample(withVector(filterOrNull, vectorName), sample)) {
                if (r.vectorOrNull() != null) {
                    sampled.add(r);
                }
            }
        }
        if (sampled.size() < 2) {
            return Result.EMPTY;
        }
        sampled.sort((x, y) -> x.id().compareTo(y.id()));
        List<PointId> ids = sampled.stream().map(Record::id).toList();
        Filter amongSample = amongIds(ids);
        // limit + 1 hits, itself included; never more than the sample holds, however large the limit
        int candidates = (int) Math.min((long) limit + 1, ids.size());
        List<List<ScoredPoint>> rows = new ArrayList<>(sampled.size());
        for (Record point : sampled) {
            List<ScoredPoint> hits = new ArrayList<>(searcher.search(new SearchRequest(point.vectorOrNull(),
                    amongSample, candidates, 0, WithPayload.NONE, false, null, null, false)));
            if (!hits.removeIf(hit -> hit.id().equals(point.id())) && hits.size() > limit) {
                hits.removeLast();
            }
            rows.add(hits);
        }
        return new Result(ids, rows);
    }

    /** {@code filter AND has_vector vectorName}: only points with the collection's vector are sampled. */
    private static Filter withVector(Filter filterOrNull, String vectorName) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ArrayNode must = json.putArray("must");
        if (filterOrNull != null) {
            must.add(filterOrNull.toJson());
        }
        must.addObject().put("has_vector", vectorName);
        return FilterParser.parse(json);
    }

    /** {@code has_id [ids]}: a search among the sampled points only. */
    private static Filter amongIds(List<PointId> ids) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ArrayNode hasId = json.putArray("must").addObject().putArray("has_id");
        ids.forEach(id -> hasId.add(id.toJson()));
        return FilterParser.parse(json);
    }
}
