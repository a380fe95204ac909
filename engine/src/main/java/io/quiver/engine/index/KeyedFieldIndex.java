package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.DateTimeParser;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.FilterEvaluator;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.filter.Match;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A map index (keyword, uuid, integer, float, bool, datetime, geo): sorted distinct keys → posting of ordinals,
 * plus the keys of each ordinal for removal. Conditions are answered by applying the evaluator's own
 * {@code match} / range / geo semantics to each key, so answers equal a payload scan. Single writer; readers hold
 * the segment's read lock.
 */
final class KeyedFieldIndex<K extends Comparable<K>> extends FieldIndex {

    private final KeyCodec<K> codec;
    private final TreeMap<K, OrdPosting> postings = new TreeMap<>();
    private Object[] keysByOrd = new Object[16];

    KeyedFieldIndex(JsonPath path, PayloadFieldSchema schema, KeyCodec<K> codec) {
        super(path, schema);
        this.codec = codec;
    }

    @Override
    void add(int ord, JsonNode payload) {
        remove(ord);
        List<K> keys = new ArrayList<>(2);
        boolean unsure = false;
        for (JsonNode e : elements(payload)) {
            if (e.isNull()) {
                continue;
            }
            K k = codec.keyOf(e);
            if (k == null) {
                unsure = true;
            } else if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        put(ord, unsure, keys);
    }

    @SuppressWarnings("unchecked")
    private void put(int ord, boolean unsure, List<K> keys) {
        if (unsure) {
            uncertain.set(ord);
        }
        if (keys.isEmpty()) {
            return;
        }
        if (ord >= keysByOrd.length) {
            keysByOrd = Arrays.copyOf(keysByOrd, Math.max(ord + 1, keysByOrd.length * 2));
        }
        K[] arr = (K[]) keys.toArray(new Comparable[0]);
        keysByOrd[ord] = arr;
        for (K k : arr) {
            postings.computeIfAbsent(k, x -> new OrdPosting()).add(ord);
        }
        indexed.set(ord);
    }

    @Override
    @SuppressWarnings("unchecked")
    void remove(int ord) {
        uncertain.clear(ord);
        indexed.clear(ord);
        if (ord >= keysByOrd.length || keysByOrd[ord] == null) {
            return;
        }
        for (K k : (K[]) keysByOrd[ord]) {
            OrdPosting p = postings.get(k);
            if (p != null && p.remove(ord)) {
                postings.remove(k);
            }
        }
        keysByOrd[ord] = null;
    }

    @Override
    BitSet answer(FieldCondition c) {
        if (!c.isIndexAnswerable()) {
            return null;
        }
        BitSet out = new BitSet();
        if (c.hasGeo()) {
            if (codec == KeyCodec.GEO) {
                for (Map.Entry<K, OrdPosting> e : postings.entrySet()) {
                    if (FilterEvaluator.checkGeo(c, codec.matchJson(e.getKey()))) {
                        e.getValue().orInto(out);
                    }
                }
            }
            return out;
        }
        if (c.range() != null) {
            if (!codec.numericKeys()) {
                return out;
            }
            FieldCondition.NumberRange r = c.range();
            for (Map.Entry<K, OrdPosting> e : numericView(r).entrySet()) {
                if (r.test(codec.numberOf(e.getKey()))) {
                    e.getValue().orInto(out);
                }
            }
            return out;
        }
        if (c.datetimeRange() != null) {
            if (codec.numericKeys() || codec == KeyCodec.BOOL || codec == KeyCodec.GEO) {
                return out;
            }
            FieldCondition.DatetimeRange r = c.datetimeRange();
            NavigableMap<K, OrdPosting> view = codec == KeyCodec.DATETIME ? datetimeView(r) : postings;
            for (Map.Entry<K, OrdPosting> e : view.entrySet()) {
                long micros = codec.datetimeOf(e.getKey());
                if (micros != DateTimeParser.INVALID && r.test(micros)) {
                    e.getValue().orInto(out);
                }
            }
            return out;
        }
        Match m = c.match();
        if (postings.isEmpty()) {
            return out;
        }
        if (codec.matchJson(postings.firstKey()) == null) {
            return null;
        }
        if (m instanceof Match.Value v) {
            orPosting(codec.lookupKey(v.value()), out);
            return out;
        }
        if (m instanceof Match.Any a) {
            if (a.values().isIntegers()) {
                for (long x : a.values().sortedIntegers()) {
                    orPosting(codec.lookupKey(x), out);
                }
            } else {
                for (String s : a.values().strings()) {
                    orPosting(codec.lookupKey(s), out);
                }
            }
            return out;
        }
        for (Map.Entry<K, OrdPosting> e : postings.entrySet()) {
            if (FilterEvaluator.checkMatch(m, codec.matchJson(e.getKey()))) {
                e.getValue().orInto(out);
            }
        }
        return out;
    }

    private void orPosting(K key, BitSet out) {
        if (key != null) {
            OrdPosting p = postings.get(key);
            if (p != null) {
                p.orInto(out);
            }
        }
    }

    /**
     * Visits the keys of an integer, float or datetime index in order (descending when asked), each with the
     * ordinals holding it; with {@code startFromOrNull}, only keys at or beyond it (compared as {@code order_by}
     * compares: a Long key as a double against the bound). Stops when the visitor returns false. False when this is
     * not such an index.
     */
    boolean scanInOrder(boolean descending, Double startFromOrNull, PayloadIndexes.OrderedKeyVisitor visitor) {
        if (codec != KeyCodec.INTEGER && codec != KeyCodec.FLOAT && codec != KeyCodec.DATETIME) {
            return false;
        }
        NavigableMap<K, OrdPosting> view = startFromOrNull == null ? postings : from(startFromOrNull, descending);
        if (descending) {
            view = view.descendingMap();
        }
        for (Map.Entry<K, OrdPosting> e : view.entrySet()) {
            Number key = (Number) e.getKey();
            if (startFromOrNull != null) {
                int vsStart = Double.compare(key.doubleValue(), startFromOrNull);
                if (descending ? vsStart > 0 : vsStart < 0) {
                    continue; // the seek below rounds a Long bound outwards; the exact test is this one
                }
            }
            if (!visitor.visit(key, e.getValue().toArray())) {
                break;
            }
        }
        return true;
    }

    /** The keys at or beyond {@code start} (ascending view), rounded outwards for Long keys. */
    @SuppressWarnings("unchecked")
    private NavigableMap<K, OrdPosting> from(double start, boolean descending) {
        if (codec == KeyCodec.FLOAT) {
            NavigableMap<Double, OrdPosting> doubles = (NavigableMap<Double, OrdPosting>) (NavigableMap<?, ?>) postings;
            return (NavigableMap<K, OrdPosting>) (NavigableMap<?, ?>) (descending ? doubles.headMap(start, true)
                    : doubles.tailMap(start, true));
        }
        long bound = start >= 0x1p63 ? Long.MAX_VALUE : start <= -0x1p63 ? Long.MIN_VALUE
                : (long) (descending ? Math.ceil(start) : Math.floor(start));
        NavigableMap<Long, OrdPosting> longs = (NavigableMap<Long, OrdPosting>) (NavigableMap<?, ?>) postings;
        return (NavigableMap<K, OrdPosting>) (NavigableMap<?, ?>) (descending ? longs.headMap(bound, true)
                : longs.tailMap(bound, true));
    }

    @SuppressWarnings("unchecked")
    private NavigableMap<K, OrdPosting> numericView(FieldCondition.NumberRange r) {
        double lo = Math.max(r.gt() == null ? Double.NEGATIVE_INFINITY : r.gt(),
                r.gte() == null ? Double.NEGATIVE_INFINITY : r.gte());
        double hi = Math.min(r.lt() == null ? Double.POSITIVE_INFINITY : r.lt(),
                r.lte() == null ? Double.POSITIVE_INFINITY : r.lte());
        if (lo > hi) {
            return new TreeMap<>();
        }
        if (codec == KeyCodec.FLOAT) {
            // widened by one ulp: Double.compare orders -0.0 below 0.0 while the range test treats them as equal
            return (NavigableMap<K, OrdPosting>) (NavigableMap<?, ?>) ((NavigableMap<Double, OrdPosting>)
                    (NavigableMap<?, ?>) postings).subMap(Math.nextDown(lo), true, Math.nextUp(hi), true);
        }
        // integer keys: widen to whole numbers (the exact double test filters afterwards)
        long from = lo == Double.NEGATIVE_INFINITY || lo <= Long.MIN_VALUE ? Long.MIN_VALUE : (long) Math.floor(lo) - 1;
        long to = hi == Double.POSITIVE_INFINITY || hi >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(hi) + 1;
        return (NavigableMap<K, OrdPosting>) (NavigableMap<?, ?>) ((NavigableMap<Long, OrdPosting>)
                (NavigableMap<?, ?>) postings).subMap(from, true, to, true);
    }

    @SuppressWarnings("unchecked")
    private NavigableMap<K, OrdPosting> datetimeView(FieldCondition.DatetimeRange r) {
        long lo = Math.max(r.gt() == null ? Long.MIN_VALUE : r.gt(), r.gte() == null ? Long.MIN_VALUE : r.gte());
        long hi = Math.min(r.lt() == null ? Long.MAX_VALUE : r.lt(), r.lte() == null ? Long.MAX_VALUE : r.lte());
        if (lo > hi) {
            return new TreeMap<>();
        }
        return (NavigableMap<K, OrdPosting>) (NavigableMap<?, ?>) ((NavigableMap<Long, OrdPosting>)
                (NavigableMap<?, ?>) postings).subMap(lo, true, hi, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    void writeEntries(DataOutput out) throws IOException {
        int count = 0;
        int bound = Math.max(keysByOrd.length, uncertain.length());
        for (int ord = 0; ord < bound; ord++) {
            if ((ord < keysByOrd.length && keysByOrd[ord] != null) || uncertain.get(ord)) {
                count++;
            }
        }
        out.writeInt(count);
        for (int ord = 0; ord < bound; ord++) {
            K[] keys = ord < keysByOrd.length ? (K[]) keysByOrd[ord] : null;
            if (keys == null && !uncertain.get(ord)) {
                continue;
            }
            out.writeInt(ord);
            out.writeBoolean(uncertain.get(ord));
            out.writeInt(keys == null ? 0 : keys.length);
            if (keys != null) {
                for (K k : keys) {
                    codec.write(out, k);
                }
            }
        }
    }

    @Override
    void readEntries(DataInput in) throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            int ord = in.readInt();
            boolean unsure = in.readBoolean();
            int n = in.readInt();
            if (ord < 0 || n < 0 || n > (1 << 24)) {
                throw new IOException("corrupt index entry: ord " + ord + ", keys " + n);
            }
            List<K> keys = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                keys.add(codec.read(in));
            }
            put(ord, unsure, keys);
        }
    }
}
