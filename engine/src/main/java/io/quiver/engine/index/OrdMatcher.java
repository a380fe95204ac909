package io.quiver.engine.index;

import io.quiver.engine.filter.Condition;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.Match;
import java.util.BitSet;

/**
 * A filter (or one condition of it) compiled against one segment: decides per live ordinal whether the point
 * matches, from index bitsets and {@link PayloadColumns} where they can decide, and by evaluating the point's payload
 * with the {@link FilterEvaluator} only where they cannot. Built per query by {@link FilterPlanner}; immutable, used
 * on the querying thread (and its search helpers) while the shard's read lock is held.
 */
abstract class OrdMatcher {

    /** Whether the live ordinal {@code ord} satisfies the compiled condition. */
    abstract boolean matches(int ord);

    /** True when some ordinals are decided by parsing the payload (not by a bit test or a column read). */
    abstract boolean parsesPayloads();

    /**
     * The ordinals of {@code candidates} (live ordinals) that match, as bitset words. Matchers override it with a
     * loop over their own data where that is faster than one {@link #matches} call per ordinal.
     */
    long[] scan(long[] candidates) {
        long[] out = new long[candidates.length];
        for (int w = 0; w < candidates.length; w++) {
            long word = candidates[w];
            long hits = 0;
            while (word != 0) {
                int bit = Long.numberOfTrailingZeros(word);
                word &= word - 1;
                if (matches((w << 6) | bit)) {
                    hits |= 1L << bit;
                }
            }
            out[w] = hits;
        }
        return out;
    }

    /** A condition the indexes answer exactly: one bit test. */
    static final class Bits extends OrdMatcher {
        private final BitSet bits;

        Bits(BitSet bits) {
            this.bits = bits;
        }

        @Override
        boolean matches(int ord) {
            return bits.get(ord);
        }

        @Override
        long[] scan(long[] candidates) {
            long[] mine = bits.toLongArray();
            long[] out = new long[candidates.length];
            for (int w = 0, n = Math.min(candidates.length, mine.length); w < n; w++) {
                out[w] = candidates[w] & mine[w];
            }
            return out;
        }

        @Override
        boolean parsesPayloads() {
            return false;
        }
    }

    /** A condition decided on the point's parsed payload (the general case). */
    static final class Evaluated extends OrdMatcher {
        private final Condition condition;
        private final FilterEvaluator evaluator;
        private final SegmentPoints points;

        Evaluated(Condition condition, FilterEvaluator evaluator, SegmentPoints points) {
            this.condition = condition;
            this.evaluator = evaluator;
            this.points = points;
        }

        @Override
        boolean matches(int ord) {
            return evaluator.matches(condition, points.pointId(ord), points.payload(ord), points.hasVector(ord));
        }

        @Override
        boolean parsesPayloads() {
            return true;
        }
    }

    /**
     * A top-level field condition with one part — {@code match} value/any/except or a numeric {@code range} — read
     * from the field's column. Points whose value is not a single scalar fall back to the evaluator. The rules are
     * {@link FilterEvaluator#checkMatch} and the range test on one scalar element; a missing field never matches
     * these conditions.
     */
    static final class ColumnField extends OrdMatcher {
        private final PayloadColumns.Column column;
        private final Match match;
        private final FieldCondition.NumberRange range;
        private final Evaluated fallback;
        /** {@code match.value} of an integer, the commonest keyword-like condition. */
        private final boolean isIntValue;
        private final long intValue;
        private final String stringValue;
        /** The range's bounds unboxed ({@code has*} false = unbounded on that side). */
        private final boolean hasGt;
        private final boolean hasGte;
        private final boolean hasLt;
        private final boolean hasLte;
        private final double gt;
        private final double gte;
        private final double lt;
        private final double lte;

        ColumnField(PayloadColumns.Column column, FieldCondition condition, Evaluated fallback) {
            this.column = column;
            this.match = condition.match();
            this.range = condition.range();
            this.fallback = fallback;
            boolean isInt = false;
            long iv = 0;
            String sv = null;
            if (match instanceof Match.Value v) {
                if (v.value() instanceof Long l) {
                    isInt = true;
                    iv = l;
                } else if (v.value() instanceof String str) {
                    sv = str;
                }
            }
            this.isIntValue = isInt;
            this.intValue = iv;
            this.stringValue = sv;
            FieldCondition.NumberRange r = range;
            this.hasGt = r != null && r.gt() != null;
            this.hasGte = r != null && r.gte() != null;
            this.hasLt = r != null && r.lt() != null;
            this.hasLte = r != null && r.lte() != null;
            this.gt = hasGt ? r.gt() : 0;
            this.gte = hasGte ? r.gte() : 0;
            this.lt = hasLt ? r.lt() : 0;
            this.lte = hasLte ? r.lte() : 0;
        }

        /** True for the single-part conditions this matcher implements (match value/any/except, or range). */
        static boolean handles(FieldCondition c) {
            if (!c.key().equals(c.fullKey()) || c.datetimeRange() != null || c.valuesCount() != null || c.hasGeo()
                    || c.isEmpty() != null || c.isNull() != null) {
                return false;
            }
            if (c.match() != null) {
                return c.range() == null && !(c.match() instanceof Match.Text);
            }
            return c.range() != null;
        }

        /** {@link FieldCondition.NumberRange#test} without unboxing. */
        private boolean inRange(double v) {
            return (!hasLt || v < lt) && (!hasGt || v > gt) && (!hasLte || v <= lte) && (!hasGte || v >= gte);
        }

        @Override
        long[] scan(long[] candidates) {
            if (!isIntValue && range == null) {
                return super.scan(candidates);
            }
            byte[] kinds = column.kinds;
            long[] bits = column.bits;
            int size = column.size;
            long[] out = new long[candidates.length];
            for (int w = 0; w < candidates.length; w++) {
                long word = candidates[w];
                long hits = 0;
                while (word != 0) {
                    int bit = Long.numberOfTrailingZeros(word);
                    word &= word - 1;
                    int ord = (w << 6) | bit;
                    byte kind = ord < size ? kinds[ord] : PayloadColumns.OTHER;
                    boolean match;
                    if (kind == PayloadColumns.INT) {
                        match = isIntValue ? bits[ord] == intValue : inRange((double) bits[ord]);
                    } else if (kind == PayloadColumns.OTHER) {
                        match = fallback.matches(ord);
                    } else {
                        match = range != null && kind == PayloadColumns.FLOAT
                                && inRange(Double.longBitsToDouble(bits[ord]));
                    }
                    if (match) {
                        hits |= 1L << bit;
                    }
                }
                out[w] = hits;
            }
            return out;
        }

        @Override
        boolean matches(int ord) {
            byte kind = column.kind(ord);
            if (isIntValue) { // the common case first: integer equality
                return kind == PayloadColumns.INT ? column.bits(ord) == intValue
                        : kind == PayloadColumns.OTHER && fallback.matches(ord);
            }
            return switch (kind) {
                case PayloadColumns.MISSING -> false;
                case PayloadColumns.INT -> {
                    long v = column.bits(ord);
                    yield range != null ? inRange((double) v) : matchInteger(v);
                }
                case PayloadColumns.FLOAT -> range != null
                        ? inRange(Double.longBitsToDouble(column.bits(ord)))
                        : match instanceof Match.Except; // a non-integer number: only except passes
                case PayloadColumns.STRING -> range == null && matchString(column.string(ord));
                case PayloadColumns.BOOL -> range == null && matchBool(column.bits(ord) != 0);
                default -> fallback.matches(ord);
            };
        }

        private boolean matchInteger(long v) {
            return switch (match) {
                case Match.Value mv -> mv.value() instanceof Long l && l == v;
                case Match.Any a -> a.values().containsInteger(v);
                case Match.Except e -> !e.values().isIntegers() || !e.values().containsInteger(v);
                case Match.Text t -> false;
            };
        }

        private boolean matchString(String s) {
            return switch (match) {
                case Match.Value mv -> stringValue != null && stringValue.equals(s);
                case Match.Any a -> a.values().containsString(s);
                case Match.Except e -> e.values().isIntegers() || !e.values().containsString(s);
                case Match.Text t -> false;
            };
        }

        private boolean matchBool(boolean b) {
            return switch (match) {
                case Match.Value mv -> mv.value() instanceof Boolean x && x == b;
                case Match.Any a -> false;
                case Match.Except e -> true;
                case Match.Text t -> false;
            };
        }

        @Override
        boolean parsesPayloads() {
            return false;
        }
    }

    /** {@code has_id}: the ordinal's id is listed (ids are in memory, no payload involved). */
    static final class HasId extends OrdMatcher {
        private final Condition.HasId condition;
        private final SegmentPoints points;

        HasId(Condition.HasId condition, SegmentPoints points) {
            this.condition = condition;
            this.points = points;
        }

        @Override
        boolean matches(int ord) {
            return condition.ids().contains(points.pointId(ord));
        }

        @Override
        boolean parsesPayloads() {
            return false;
        }
    }

    /** A constant (e.g. {@code has_vector}, which does not depend on the point). */
    static final class Constant extends OrdMatcher {
        private final boolean value;

        Constant(boolean value) {
            this.value = value;
        }

        @Override
        boolean matches(int ord) {
            return value;
        }

        @Override
        boolean parsesPayloads() {
            return false;
        }
    }

    /** A filter's clauses over compiled conditions, with {@link FilterEvaluator}'s clause semantics. */
    static final class Clauses extends OrdMatcher {
        private final OrdMatcher[] must;
        private final OrdMatcher[] mustNot;
        private final OrdMatcher[] shouldOrNull;
        private final OrdMatcher[] minShouldOrNull;
        private final int minCount;
        private final boolean parses;

        Clauses(OrdMatcher[] must, OrdMatcher[] mustNot, OrdMatcher[] shouldOrNull, OrdMatcher[] minShouldOrNull,
                int minCount) {
            this.must = must;
            this.mustNot = mustNot;
            this.shouldOrNull = shouldOrNull;
            this.minShouldOrNull = minShouldOrNull;
            this.minCount = minCount;
            boolean p = false;
            for (OrdMatcher[] group : new OrdMatcher[][] {must, mustNot, shouldOrNull, minShouldOrNull}) {
                if (group != null) {
                    for (OrdMatcher m : group) {
                        p |= m.parsesPayloads();
                    }
                }
            }
            this.parses = p;
        }

        @Override
        boolean matches(int ord) {
            for (OrdMatcher m : must) {
                if (!m.matches(ord)) {
                    return false;
                }
            }
            for (OrdMatcher m : mustNot) {
                if (m.matches(ord)) {
                    return false;
                }
            }
            if (shouldOrNull != null) {
                boolean any = false;
                for (int i = 0; i < shouldOrNull.length && !any; i++) {
                    any = shouldOrNull[i].matches(ord);
                }
                if (!any) {
                    return false;
                }
            }
            if (minShouldOrNull != null) {
                int need = minCount;
                for (int i = 0; i < minShouldOrNull.length && need > 0; i++) {
                    if (minShouldOrNull[i].matches(ord)) {
                        need--;
                    }
                }
                return need <= 0;
            }
            return true;
        }

        @Override
        boolean parsesPayloads() {
            return parses;
        }
    }
}
