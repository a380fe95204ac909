package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.filter.FieldCondition;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.filter.Match;
import io.quiver.engine.filter.TextAnalyzer;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A full-text index: token → posting, built with the field's {@link TextAnalyzer} over every string value (and
 * string array element) at the path. Answers {@code match.text} (all query tokens) and {@code match.text_any} (any
 * token); {@code phrase} and other conditions fall back to the payload. Single writer; readers hold the read lock.
 */
final class FullTextIndex extends FieldIndex {

    private final TextAnalyzer analyzer;
    private final TreeMap<String, OrdPosting> postings = new TreeMap<>();
    private String[][] tokensByOrd = new String[16][];

    FullTextIndex(JsonPath path, PayloadFieldSchema schema) {
        super(path, schema);
        this.analyzer = schema.analyzerOrNull();
    }

    @Override
    void add(int ord, JsonNode payload) {
        remove(ord);
        Set<String> tokens = new LinkedHashSet<>();
        boolean anyString = false;
        for (JsonNode e : elements(payload)) {
            if (e.isTextual()) {
                anyString = true;
                tokens.addAll(analyzer.tokenizeDoc(e.textValue()));
            }
        }
        put(ord, new ArrayList<>(tokens), anyString);
    }

    private void put(int ord, List<String> tokens, boolean anyString) {
        if (!anyString) {
            return;
        }
        if (ord >= tokensByOrd.length) {
            tokensByOrd = Arrays.copyOf(tokensByOrd, Math.max(ord + 1, tokensByOrd.length * 2));
        }
        String[] arr = tokens.toArray(new String[0]);
        tokensByOrd[ord] = arr;
        for (String t : arr) {
            postings.computeIfAbsent(t, x -> new OrdPosting()).add(ord);
        }
        indexed.set(ord);
    }

    @Override
    void remove(int ord) {
        indexed.clear(ord);
        if (ord >= tokensByOrd.length || tokensByOrd[ord] == null) {
            return;
        }
        for (String t : tokensByOrd[ord]) {
            OrdPosting p = postings.get(t);
            if (p != null && p.remove(ord)) {
                postings.remove(t);
            }
        }
        tokensByOrd[ord] = null;
    }

    @Override
    BitSet answer(FieldCondition c) {
        if (!c.isIndexAnswerable() || !(c.match() instanceof Match.Text text)
                || text.kind() == Match.TextKind.PHRASE) {
            return null;
        }
        List<String> query = analyzer.tokenizeQuery(text.text());
        BitSet out = new BitSet();
        if (query.isEmpty()) {
            return out;
        }
        if (text.kind() == Match.TextKind.TEXT_ANY) {
            for (String q : query) {
                OrdPosting p = postings.get(q);
                if (p != null) {
                    p.orInto(out);
                }
            }
            return out;
        }
        boolean first = true;
        for (String q : query) {
            OrdPosting p = postings.get(q);
            if (p == null) {
                return new BitSet();
            }
            BitSet part = new BitSet();
            p.orInto(part);
            if (first) {
                out = part;
                first = false;
            } else {
                out.and(part);
            }
        }
        return out;
    }

    @Override
    void writeEntries(DataOutput out) throws IOException {
        int count = 0;
        for (String[] t : tokensByOrd) {
            if (t != null) {
                count++;
            }
        }
        out.writeInt(count);
        for (int ord = 0; ord < tokensByOrd.length; ord++) {
            String[] tokens = tokensByOrd[ord];
            if (tokens == null) {
                continue;
            }
            out.writeInt(ord);
            out.writeInt(tokens.length);
            for (String t : tokens) {
                KeyCodec.writeString(out, t);
            }
        }
    }

    @Override
    void readEntries(DataInput in) throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            int ord = in.readInt();
            int n = in.readInt();
            if (ord < 0 || n < 0 || n > (1 << 24)) {
                throw new IOException("corrupt text index entry: ord " + ord + ", tokens " + n);
            }
            List<String> tokens = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                tokens.add(KeyCodec.readString(in));
            }
            put(ord, tokens, true);
        }
    }
}
