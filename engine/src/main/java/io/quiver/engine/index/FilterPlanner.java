package io.quiver.engine.index;

import io.quiver.engine.PointId;
import io.quiver.engine.filter.Condition;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterEvaluator;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Plans one filter over one segment: exact ordinal sets from payload indexes and {@code has_id} where every
 * condition involved can be answered that way, otherwise candidate sets from the answerable {@code must} conditions
 * plus payload evaluation, and cardinality estimates. Created per query under {@link PayloadIndexes}' read lock and
 * used on the querying thread only.
 */
final class FilterPlanner {

    private final Map<String, FieldIndex> indexes;
    private final FilterEvaluator evaluator;
    private final SegmentPoints points;
    private final BitSet live;
    private final long total;
    /** Exact answers of single field conditions already computed for this query (they are asked for repeatedly). */
    private final Map<FieldCondition, BitSet> fieldAnswers = new java.util.IdentityHashMap<>();

    FilterPlanner(Map<String, FieldIndex> indexes, FilterEvaluator evaluator, SegmentPoints points) {
        this.indexes = indexes;
        this.evaluator = evaluator;
        this.points = points;
        this.live = points.liveOrds();
        this.total = live.cardinality();
    }

    BitSet live() {
        return live;
    }

    /** The exact live ordinals matching {@code f}, or null when some condition needs payload evaluation. */
    BitSet exact(Filter f) {
        BitSet result = null;
        if (f.must() != null) {
            for (Condition c : f.must()) {
                BitSet e = exact(c);
                if (e == null) {
                    return null;
                }
                result = intersect(result, e);
            }
        }
        if (f.should() != null) {
            BitSet any = new BitSet();
            for (Condition c : f.should()) {
                BitSet e = exact(c);
                if (e == null) {
                    return null;
                }
                any.or(e);
            }
            result = intersect(result, any);
        }
        if (f.mustNot() != null) {
            BitSet none = new BitSet();
            for (Condition c : f.mustNot()) {
                BitSet e = exact(c);
                if (e == null) {
                    return null;
                }
                none.or(e);
            }
            result = result == null ? (BitSet) live.clone() : result;
            result.andNot(none);
        }
        if (f.minShould() != null && f.minShould().minCount() > 0) {
            int[] counts = new int[points.ordBound()];
            for (Condition c : f.minShould().conditions()) {
                BitSet e = exact(c);
                if (e == null) {
                    return null;
                }
                for (int ord = e.nextSetBit(0); ord >= 0; ord = e.nextSetBit(ord + 1)) {
                    if (ord < counts.length) {
                        counts[ord]++;
                    }
                }
            }
            BitSet enough = new BitSet();
            for (int ord = 0; ord < counts.length; ord++) {
                if (counts[ord] >= f.minShould().minCount()) {
                    enough.set(ord);
                }
            }
            result = intersect(result, enough);
        }
        if (result == null) {
            return (BitSet) live.clone();
        }
        result.and(live);
        return result;
    }

    private static BitSet intersect(BitSet acc, BitSet e) {
        if (acc == null) {
            return (BitSet) e.clone();
        }
        acc.and(e);
        return acc;
    }

    /** The exact live ordinals satisfying one condition, or null. */
    BitSet exact(Condition c) {
        return switch (c) {
            case Filter f -> exact(f);
            case Condition.HasId h -> {
                BitSet out = new BitSet();
                for (PointId id : h.ids()) {
                    int ord = points.ordOf(id);
                    if (ord >= 0 && live.get(ord)) {
                        out.set(ord);
                    }
                }
                yield out;
            }
            case Condition.HasVector v -> {
                BitSet out = v.vectorName().isEmpty() ? points.liveOrdsWithVector() : new BitSet();
                out.and(live);
                yield out;
            }
            case FieldCondition fc -> exactField(fc);
            default -> null;
        };
    }

    private BitSet exactField(FieldCondition fc) {
        if (fieldAnswers.containsKey(fc)) {
            return fieldAnswers.get(fc);
        }
        BitSet answer = answerField(fc);
        fieldAnswers.put(fc, answer);
        return answer;
    }

    /** Callers never mutate the result (it is shared through {@link #fieldAnswers}). */
    private BitSet answerField(FieldCondition fc) {
        FieldIndex index = indexes.get(fc.fullKey().toString());
        if (index == null) {
            return null;
        }
        BitSet answer = index.answer(fc);
        if (answer == null) {
            return null;
        }
        BitSet unsure = index.uncertain();
        FieldCondition fromRoot = fc.atRoot();
        for (int ord = unsure.nextSetBit(0); ord >= 0; ord = unsure.nextSetBit(ord + 1)) {
            if (live.get(ord) && !answer.get(ord)
                    && evaluator.matches(fromRoot, points.pointId(ord), points.payload(ord))) {
                answer.set(ord);
            }
        }
        answer.and(live);
        return answer;
    }

    /** Live ordinals that may match: the intersection of the answerable {@code must} conditions (all live if none). */
    BitSet candidates(Filter f) {
        BitSet result = (BitSet) live.clone();
        if (f.must() != null) {
            for (Condition c : f.must()) {
                BitSet e = c instanceof Condition.Nested n ? nestedSuperset(n) : exact(c);
                if (e != null) {
                    result.and(e);
                }
            }
        }
        return result;
    }

    /**
     * A superset of the points satisfying a nested condition, or null: an element satisfying the inner filter
     * satisfies each inner {@code must} field condition, so the point holds a matching value at the full path
     * ({@code diet[].food}), which an index on that path answers.
     */
    private BitSet nestedSuperset(Condition.Nested n) {
        BitSet result = null;
        if (n.filter().must() != null) {
            for (Condition c : n.filter().must()) {
                BitSet e = c instanceof FieldCondition fc ? exactField(fc) : null;
                if (e != null) {
                    result = intersect(result, e);
                }
            }
        }
        return result;
    }

    /** The exact live ordinals matching {@code f}, evaluating payloads where indexes cannot decide. */
    BitSet matching(Filter f) {
        BitSet exact = exact(f);
        if (exact != null) {
            return exact;
        }
        return scan(candidates(f), compile(f));
    }

    /** The ordinals of {@code candidates} that {@code matcher} accepts. */
    static BitSet scan(BitSet candidates, OrdMatcher matcher) {
        return BitSet.valueOf(matcher.scan(candidates.toLongArray()));
    }

    /**
     * Plans a filtered search: the exact matching set when the indexes decide the filter or when the filter can be
     * decided without parsing payloads (index bits and payload columns: a scan of the candidates then costs a few
     * nanoseconds per point, less than one vector distance); otherwise an estimate and a lazy per-ordinal check.
     */
    SegmentFilter plan(Filter f) {
        BitSet exact = exact(f);
        if (exact != null) {
            return SegmentFilter.ofMatching(exact);
        }
        BitSet candidates = candidates(f);
        OrdMatcher matcher = compile(f);
        if (matcher.parsesPayloads()) {
            return SegmentFilter.lazy(estimate(f), candidates, matcher, -1);
        }
        long count = candidates.cardinality();
        if (count <= SAMPLE_SIZE * 8L) {
            return SegmentFilter.ofMatching(scan(candidates, matcher));
        }
        // a broad filter may not need its matching set at all (a graph search checks only the points it visits):
        // estimate the count from an evenly spread sample and leave materialising to the caller
        int sampled = 0;
        int hits = 0;
        int bound = candidates.length();
        for (int i = 0, last = -1; i < SAMPLE_SIZE; i++) {
            int ord = candidates.nextSetBit((int) ((long) i * bound / SAMPLE_SIZE));
            if (ord > last) {
                last = ord;
                sampled++;
                if (matcher.matches(ord)) {
                    hits++;
                }
            }
        }
        double p = (double) hits / sampled;
        double lowP = Math.max(0, p - 3 * Math.sqrt(p * (1 - p) / sampled) - 1.0 / sampled);
        return SegmentFilter.lazy(new CardinalityEstimation(0, Math.round(p * count), count), candidates, matcher,
                Math.round(lowP * count));
    }

    /** Points evaluated to estimate a cheap filter's count without scanning every candidate. */
    static final int SAMPLE_SIZE = 512;

    /** Compiles {@code c} against this segment: index bits, payload columns, or payload evaluation. */
    OrdMatcher compile(Condition c) {
        BitSet e = c instanceof Condition.Nested ? null : exact(c);
        if (e != null) {
            return new OrdMatcher.Bits(e);
        }
        return switch (c) {
            case Filter f when f.must() != null && f.must().size() == 1 && f.should() == null && f.mustNot() == null
                    && f.minShould() == null -> compile(f.must().get(0));
            case Filter f -> new OrdMatcher.Clauses(compileAll(f.must()), compileAll(f.mustNot()),
                    f.should() == null ? null : compileAll(f.should()),
                    f.minShould() == null ? null : compileAll(f.minShould().conditions()),
                    f.minShould() == null ? 0 : f.minShould().minCount());
            case FieldCondition fc when OrdMatcher.ColumnField.handles(fc) && points.columns() != null
                    && !(fc.match() instanceof io.quiver.engine.filter.Match.Text) -> new OrdMatcher.ColumnField(
                    points.columns().column(fc.fullKey(), points.ordBound(), points::payload), fc,
                    new OrdMatcher.Evaluated(fc, evaluator, points));
            default -> new OrdMatcher.Evaluated(c, evaluator, points);
        };
    }

    private OrdMatcher[] compileAll(List<Condition> cs) {
        if (cs == null) {
            return new OrdMatcher[0];
        }
        OrdMatcher[] out = new OrdMatcher[cs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = compile(cs.get(i));
        }
        return out;
    }

    CardinalityEstimation estimate(Filter f) {
        BitSet exact = exact(f);
        if (exact != null) {
            return CardinalityEstimation.exact(exact.cardinality());
        }
        List<CardinalityEstimation> parts = new ArrayList<>();
        if (f.must() != null) {
            for (Condition c : f.must()) {
                parts.add(estimate(c));
            }
        }
        if (f.should() != null) {
            List<CardinalityEstimation> any = new ArrayList<>();
            for (Condition c : f.should()) {
                any.add(estimate(c));
            }
            parts.add(CardinalityEstimation.or(any, total));
        }
        if (f.mustNot() != null) {
            for (Condition c : f.mustNot()) {
                parts.add(estimate(c).not(total));
            }
        }
        if (f.minShould() != null && f.minShould().minCount() > 0) {
            List<CardinalityEstimation> any = new ArrayList<>();
            for (Condition c : f.minShould().conditions()) {
                any.add(estimate(c));
            }
            CardinalityEstimation or = CardinalityEstimation.or(any, total);
            parts.add(f.minShould().minCount() == 1 ? or : new CardinalityEstimation(0, or.exp() / 2, or.max()));
        }
        return CardinalityEstimation.and(parts, total);
    }

    private CardinalityEstimation estimate(Condition c) {
        if (c instanceof Filter f) {
            return estimate(f);
        }
        if (c instanceof Condition.Nested n) {
            BitSet superset = nestedSuperset(n);
            if (superset != null) {
                long max = superset.cardinality();
                return new CardinalityEstimation(0, max / 2, max);
            }
        }
        BitSet e = exact(c);
        return e != null ? CardinalityEstimation.exact(e.cardinality()) : CardinalityEstimation.unknown(total);
    }
}
