package io.quiver.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.MaximalMarginalRelevance;
import io.quiver.engine.OrderedScroll;
import io.quiver.engine.PointId;
import io.quiver.engine.RandomSample;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a {@link QueryPlan} against one collection, as Qdrant's planned query does: every stage applies its own filter
 * and those of the stages above it (and leaves out the plan's referenced ids); a stage without prefetches searches, or
 * lists points (without a query by id, with {@code order_by} by a payload value, with {@code sample} at random; all
 * with score 1 and version 0, as Qdrant's scroll-based leaves); a stage with prefetches first gathers its
 * prefetches' candidates, then either re-scores their union by its query (nearest, or an example query) — an exact
 * search restricted to those ids ({@code has_id}), so scores are exact whatever {@code params} say —, orders or
 * samples their union ({@code order_by}, {@code sample}), re-scores it by a score-boosting {@code formula}, or fuses
 * their lists. A fused stage keeps the points whose
 * fused score is at least its {@code score_threshold}, then its {@code limit}. A nearest query with {@code mmr} picks
 * its points by Maximal Marginal Relevance, at any level: from its {@code candidates_limit} nearest points (at the
 * root, of its prefetches' union), or, in a prefetch that has prefetches, from every point they passed up. The root
 * then skips {@code offset} (except a {@code sample} without prefetches, whose offset Qdrant ignores), keeps {@code limit} and carries payloads
 * and vectors as asked. One per request, used by the request's thread only.
 */
final class QueryRunner {
    /**
     * The score of a point that a query lists rather than scores (no query, {@code order_by}, {@code sample}): 1, as
     * Qdrant's {@code query_scroll} gives every scroll-based result.
     */
    static final float LISTED_SCORE = 1f;

    private final CollectionService collection;
    private final ReadConsistency consistency;

    QueryRunner(CollectionService collection, ReadConsistency consistency) {
        this.collection = collection;
        this.consistency = consistency;
    }

    /** The root's page of points, best first. */
    List<ScoredPoint> run(QueryPlan plan) {
        QueryPlan.Stage root = plan.root();
        ObjectNode filter = allOf(excluding(plan.excludedIds()), json(root.filterOrNull()));
        int offset = plan.offset();
        if (root.prefetches().isEmpty()) {
            return switch (root.scoringOrNull()) {
                case null -> byId(filter, root.limit(), offset, plan.withPayload(), plan.withVector());
                case QueryPlan.PointScoring p -> collection.search(p.search(parse(filter), root.limit(), offset,
                        plan.withPayload(), plan.withVector(), root.scoreThresholdOrNull(), root.params()),
                        consistency);
                case QueryPlan.NearestMmr m -> mmr(search(m.vector(), parse(filter), root.limit(), offset,
                        plan.withPayload(), plan.withVector(), root.scoreThresholdOrNull(), root.params()), m);
                case QueryPlan.Ordered o -> ordered(collection.scrollOrdered(o.orderBy(), parse(filter),
                        upTo(root.limit(), offset), plan.withPayload(), plan.withVector(), consistency), offset);
                // Qdrant ignores the offset of a sample without prefetches: the sample is not stable anyway
                case QueryPlan.Sample s -> listed(collection.sample(parse(filter), root.limit(), plan.withPayload(),
                        plan.withVector(), consistency), 0);
                case QueryPlan.Fuse f -> throw new IllegalStateException("a fusion without prefetches was planned");
                case QueryPlan.Formula f -> throw new IllegalStateException("a formula without prefetches was planned");
            };
        }
        List<List<ScoredPoint>> sources = sources(root, filter);
        return switch (root.scoringOrNull()) {
            case QueryPlan.PointScoring p -> rescore(p, sources, filter, root.limit(), offset, plan.withPayload(),
                    plan.withVector(), root.scoreThresholdOrNull(), root.params());
            case QueryPlan.NearestMmr m -> {
                Filter among = among(sources, filter);
                yield among == null ? List.of() : mmr(search(m.vector(), among, root.limit(), offset,
                        plan.withPayload(), plan.withVector(), root.scoreThresholdOrNull(),
                        root.params().withExact(true)), m);
            }
            case QueryPlan.Fuse f -> {
                List<ScoredPoint> fused = fused(f, sources, root.scoreThresholdOrNull());
                List<ScoredPoint> page = fused.subList(Math.min(offset, fused.size()),
                        (int) Math.min(fused.size(), (long) offset + root.limit()));
                yield withPayloadAndVector(page, plan.withPayload(), plan.withVector());
            }
            case QueryPlan.Formula f -> {
                List<ScoredPoint> rescored = formula(f, sources, upTo(root.limit(), offset),
                        root.scoreThresholdOrNull());
                yield withPayloadAndVector(rescored.subList(Math.min(offset, rescored.size()), rescored.size()),
                        plan.withPayload(), plan.withVector());
            }
            case QueryPlan.Ordered o -> ordered(OrderedScroll.among(collection.reads(consistency),
                    collection.payloadSchema(), o.orderBy(), union(sources), upTo(root.limit(), offset),
                    plan.withPayload(), plan.withVector()), offset);
            case QueryPlan.Sample s -> listed(RandomSample.among(collection.reads(consistency), union(sources),
                    upTo(root.limit(), offset), plan.withPayload(), plan.withVector(), ThreadLocalRandom.current()),
                    offset);
            case null -> throw new IllegalStateException("prefetches without a query were planned");
        };
    }

    /** One prefetch's candidates (no payload, no vector), under {@code inherited}: the filter of the stages above. */
    private List<ScoredPoint> candidates(QueryPlan.Stage stage, ObjectNode inherited) {
        ObjectNode filter = allOf(inherited, json(stage.filterOrNull()));
        if (stage.prefetches().isEmpty()) {
            return switch (stage.scoringOrNull()) {
                case null -> byId(filter, stage.limit(), 0, WithPayload.NONE, false);
                case QueryPlan.PointScoring p -> collection.search(p.search(parse(filter), stage.limit(), 0,
                        WithPayload.NONE, false, stage.scoreThresholdOrNull(), stage.params()), consistency);
                case QueryPlan.Ordered o -> ordered(collection.scrollOrdered(o.orderBy(), parse(filter), stage.limit(),
                        WithPayload.NONE, false, consistency), 0);
                case QueryPlan.Sample s -> listed(collection.sample(parse(filter), stage.limit(), WithPayload.NONE,
                        false, consistency), 0);
                case QueryPlan.NearestMmr m -> mmr(search(m.vector(), parse(filter), stage.limit(), 0,
                        WithPayload.NONE, false, stage.scoreThresholdOrNull(), stage.params()), m);
                case QueryPlan.Fuse f -> throw new IllegalStateException("a fusion without prefetches was planned");
                case QueryPlan.Formula f -> throw new IllegalStateException("a formula without prefetches was planned");
            };
        }
        List<List<ScoredPoint>> sources = sources(stage, filter);
        return switch (stage.scoringOrNull()) {
            case QueryPlan.PointScoring p -> rescore(p, sources, filter, stage.limit(), 0, WithPayload.NONE, false,
                    stage.scoreThresholdOrNull(), stage.params());
            case QueryPlan.Fuse f -> {
                List<ScoredPoint> fused = fused(f, sources, stage.scoreThresholdOrNull());
                yield fused.subList(0, Math.min(stage.limit(), fused.size()));
            }
            case QueryPlan.Ordered o -> ordered(OrderedScroll.among(collection.reads(consistency),
                    collection.payloadSchema(), o.orderBy(), union(sources), stage.limit(), WithPayload.NONE,
                    false), 0);
            case QueryPlan.Sample s -> listed(RandomSample.among(collection.reads(consistency), union(sources),
                    stage.limit(), WithPayload.NONE, false, ThreadLocalRandom.current()), 0);
            case QueryPlan.NearestMmr m -> mmrAmong(m, sources, stage.limit());
            case QueryPlan.Formula f -> formula(f, sources, stage.limit(), stage.scoreThresholdOrNull());
            case null -> throw new IllegalStateException("prefetches without a query were planned");
        };
    }

    /** The candidate lists of a stage's prefetches, in order; {@code filter} is the stage's own effective filter. */
    private List<List<ScoredPoint>> sources(QueryPlan.Stage stage, ObjectNode filter) {
        List<List<ScoredPoint>> sources = new ArrayList<>(stage.prefetches().size());
        for (QueryPlan.Stage prefetch : stage.prefetches()) {
            sources.add(candidates(prefetch, filter));
        }
        return sources;
    }

    /**
     * The best of the sources' points by {@code scoring}: an exact search over exactly those ids (and the filter,
     * which they passed already), with the threshold, offset and limit of the stage.
     */
    private List<ScoredPoint> rescore(QueryPlan.PointScoring scoring, List<List<ScoredPoint>> sources,
            ObjectNode filter, int limit, int offset, WithPayload withPayload, boolean withVector, Float threshold,
            RequestParser.SearchParams params) {
        Filter among = among(sources, filter);
        if (among == null) {
            return List.of();
        }
        return collection.search(scoring.search(among, limit, offset, withPayload, withVector, threshold,
                params.withExact(true)), consistency);
    }

    /**
     * The sources' points re-scored by a formula (engine's {@link io.quiver.engine.formula.Formula#rescore}), best
     * first, at most {@code limit}, those below the threshold left out; each point's whole payload is read for it (a
     * point deleted meanwhile is dropped). The points passed the stage's filter in their prefetches already.
     */
    private List<ScoredPoint> formula(QueryPlan.Formula f, List<List<ScoredPoint>> sources, int limit,
            Float threshold) {
        Set<PointId> ids = union(sources);
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<PointId, ObjectNode> payloads = new HashMap<>();
        for (Record r : collection.retrieve(new ArrayList<>(ids), WithPayload.ALL, false, consistency)) {
            payloads.put(r.id(), r.payloadOrNull() == null ? JsonNodeFactory.instance.objectNode()
                    : r.payloadOrNull());
        }
        return f.formula().rescore(sources, payloads, limit, threshold);
    }

    /** Every point id of the sources, each once, in order of first appearance. */
    private static Set<PointId> union(List<List<ScoredPoint>> sources) {
        Set<PointId> ids = new LinkedHashSet<>();
        sources.forEach(list -> list.forEach(p -> ids.add(p.id())));
        return ids;
    }

    /** {@code has_id} over every point of the sources, and the filter; null when the sources are empty. */
    private static Filter among(List<List<ScoredPoint>> sources, ObjectNode filter) {
        Set<PointId> ids = union(sources);
        if (ids.isEmpty()) {
            return null;
        }
        ObjectNode hasId = JsonNodeFactory.instance.objectNode();
        ArrayNode array = hasId.putArray("must").addObject().putArray("has_id");
        ids.forEach(id -> array.add(id.toJson()));
        return parse(allOf(hasId, filter));
    }

    /** The fusion of the sources, cut where the fused score falls below the threshold (Qdrant's take_while). */
    private static List<ScoredPoint> fused(QueryPlan.Fuse f, List<List<ScoredPoint>> sources, Float threshold) {
        List<ScoredPoint> fused = f.fusion().fuse(sources);
        if (threshold == null) {
            return fused;
        }
        int keep = 0;
        while (keep < fused.size() && fused.get(keep).score() >= threshold) {
            keep++;
        }
        return fused.subList(0, keep);
    }

    private static SearchRequest search(float[] vector, Filter filter, int limit, int offset, WithPayload withPayload,
            boolean withVector, Float threshold, RequestParser.SearchParams params) {
        return new SearchRequest(vector, filter, limit, offset, withPayload, withVector, threshold,
                params.hnswEfOrNull(), params.exact(), params.quantizationOrNull(), params.indexedOnly());
    }

    /**
     * A nearest query re-ranked by MMR: the {@code candidates_limit} nearest points (with their vectors, after the
     * filter and score threshold) are re-ranked, {@code offset + limit} of them picked, the first {@code offset}
     * skipped; vectors are returned only when the request asked for them.
     */
    private List<ScoredPoint> mmr(SearchRequest search, QueryPlan.NearestMmr mmr) {
        SearchRequest candidates = new SearchRequest(search.vector(), search.filterOrNull(), mmr.candidatesLimit(), 0,
                search.withPayload(), true, search.scoreThresholdOrNull(), search.hnswEfOrNull(), search.exact(),
                search.quantizationOrNull(), search.indexedOnly());
        List<ScoredPoint> found = collection.search(candidates, consistency);
        List<ScoredPoint> picked = new MaximalMarginalRelevance(collection.config().vectors(), mmr.diversity())
                .select(search.vector(), found, search.candidates());
        List<ScoredPoint> page = picked.subList(Math.min(search.offset(), picked.size()), picked.size());
        if (search.withVector()) {
            return page;
        }
        List<ScoredPoint> out = new ArrayList<>(page.size());
        page.forEach(p -> out.add(new ScoredPoint(p.id(), p.version(), p.score(), p.payloadOrNull(), null)));
        return out;
    }

    /**
     * A prefetch's MMR over its own prefetches, as Qdrant's shard-level re-scoring runs it: every point they passed up
     * is a candidate (each once, with the score it had where it first appears), their vectors are read, and
     * {@code limit} are picked; the picks keep those scores and carry no vector. {@code candidates_limit} and the
     * stage's {@code score_threshold} are not used (Qdrant's planner uses them for a leaf or the root only); a point
     * deleted meanwhile, or without a vector, is no candidate.
     */
    private List<ScoredPoint> mmrAmong(QueryPlan.NearestMmr mmr, List<List<ScoredPoint>> sources, int limit) {
        Map<PointId, ScoredPoint> firsts = new LinkedHashMap<>();
        sources.forEach(list -> list.forEach(p -> firsts.putIfAbsent(p.id(), p)));
        if (firsts.isEmpty()) {
            return List.of();
        }
        Map<PointId, float[]> vectors = new HashMap<>();
        for (Record r : collection.retrieve(new ArrayList<>(firsts.keySet()), WithPayload.NONE, true, consistency)) {
            if (r.vectorOrNull() != null) {
                vectors.put(r.id(), r.vectorOrNull());
            }
        }
        List<ScoredPoint> candidates = new ArrayList<>(vectors.size());
        for (ScoredPoint p : firsts.values()) {
            float[] vector = vectors.get(p.id());
            if (vector != null) {
                candidates.add(new ScoredPoint(p.id(), p.version(), p.score(), null, vector, false,
                        p.orderValueOrNull()));
            }
        }
        List<ScoredPoint> picked = new MaximalMarginalRelevance(collection.config().vectors(), mmr.diversity())
                .select(mmr.vector(), candidates, limit);
        List<ScoredPoint> out = new ArrayList<>(picked.size());
        picked.forEach(p -> out.add(new ScoredPoint(p.id(), p.version(), p.score(), null, null, false,
                p.orderValueOrNull())));
        return out;
    }

    /**
     * Without a query: the points that pass the filter, by id, listed as Qdrant lists them: version 0 and
     * {@link #LISTED_SCORE}.
     */
    private List<ScoredPoint> byId(ObjectNode filter, int limit, int offset, WithPayload withPayload,
            boolean withVector) {
        List<Record> records = collection.scroll(new ScrollRequest(null, upTo(limit, offset), parse(filter),
                withPayload, withVector), consistency).points();
        return listed(records, offset);
    }

    /**
     * Points ordered by a payload value as hits, from {@code offset} on: listed, not scored, so version 0 and
     * {@link #LISTED_SCORE}, as Qdrant's scroll-based query leaves give them, each with its {@code order_value}.
     */
    private static List<ScoredPoint> ordered(List<OrderedScroll.OrderedRecord> ordered, int offset) {
        List<ScoredPoint> out = new ArrayList<>(Math.max(0, ordered.size() - offset));
        for (int i = offset; i < ordered.size(); i++) {
            Record r = ordered.get(i).record();
            out.add(new ScoredPoint(r.id(), 0, LISTED_SCORE, r.payloadOrNull(), r.vectorOrNull(), r.vectorMissing(),
                    ordered.get(i).orderValue()));
        }
        return out;
    }

    /** Listed points as hits, from {@code offset} on: version 0, {@link #LISTED_SCORE}. */
    private static List<ScoredPoint> listed(List<Record> records, int offset) {
        List<ScoredPoint> out = new ArrayList<>(Math.max(0, records.size() - offset));
        for (int i = offset; i < records.size(); i++) {
            Record r = records.get(i);
            out.add(new ScoredPoint(r.id(), 0, LISTED_SCORE, r.payloadOrNull(), r.vectorOrNull(), r.vectorMissing()));
        }
        return out;
    }

    /** {@code limit + offset}, saturated. */
    private static int upTo(int limit, int offset) {
        return (int) Math.min(Integer.MAX_VALUE, (long) limit + offset);
    }

    /**
     * Fused points carry what their prefetch found (no payload, no vector): these are read now, for the page only; a
     * point deleted meanwhile is dropped, as Qdrant drops what it cannot read back.
     */
    private List<ScoredPoint> withPayloadAndVector(List<ScoredPoint> page, WithPayload withPayload,
            boolean withVector) {
        if (!withPayload.enabled() && !withVector) {
            return List.copyOf(page);
        }
        List<PointId> ids = new ArrayList<>(page.size());
        page.forEach(p -> ids.add(p.id()));
        Map<PointId, Record> records = new HashMap<>();
        for (Record r : collection.retrieve(ids, withPayload, withVector, consistency)) {
            records.put(r.id(), r);
        }
        List<ScoredPoint> out = new ArrayList<>(page.size());
        for (ScoredPoint p : page) {
            Record r = records.get(p.id());
            if (r != null) {
                out.add(new ScoredPoint(p.id(), p.version(), p.score(), r.payloadOrNull(), r.vectorOrNull(),
                        r.vectorMissing(), p.orderValueOrNull()));
            }
        }
        return out;
    }

    /** {@code must_not: has_id} over the ids (null: none). */
    private static ObjectNode excluding(Set<PointId> ids) {
        if (ids.isEmpty()) {
            return null;
        }
        ObjectNode filter = JsonNodeFactory.instance.objectNode();
        ArrayNode hasId = filter.putArray("must_not").addObject().putArray("has_id");
        ids.forEach(id -> hasId.add(id.toJson()));
        return filter;
    }

    /** The conjunction of filters given as JSON (nulls skipped): one as it is, several under {@code must}. */
    private static ObjectNode allOf(ObjectNode a, ObjectNode b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        ObjectNode both = JsonNodeFactory.instance.objectNode();
        both.putArray("must").add(a).add(b);
        return both;
    }

    private static ObjectNode json(Filter filter) {
        return filter == null ? null : filter.toJson();
    }

    private static Filter parse(ObjectNode filter) {
        return filter == null ? null : FilterParser.parse(filter);
    }
}
