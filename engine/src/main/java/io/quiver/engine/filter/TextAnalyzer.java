package io.quiver.engine.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;

/**
 * Turns text into tokens the way a full-text payload index is configured, following Qdrant's text index. Each raw
 * token (a maximal run of letters and numbers for {@code word} and {@code prefix}, a run of non-white-space for
 * {@code whitespace}) is ASCII-folded when {@code asciiFolding}, lower-cased when {@code lowercase}, dropped when it is
 * a stop word, stemmed, and dropped when it has fewer than {@code minTokenLen} or more than {@code maxTokenLen} code
 * points. A stored text ({@link #tokenizeDoc}) and a query ({@link #tokenizeQuery}) are tokenized alike except under
 * {@code prefix}: a stored word yields its prefixes of {@code minTokenLen} (default 1) up to {@code maxTokenLen}
 * code points (the whole word when shorter), while a query word is cut to {@code maxTokenLen} and not checked
 * against the stop words. Immutable, threadsafe.
 *
 * @param tokenizer how text splits into raw tokens
 * @param lowercase lower-case tokens (Qdrant's default: true)
 * @param asciiFolding fold accented Latin letters and similar characters to ASCII (Lucene's ASCIIFoldingFilter
 *     mapping, which Qdrant's folding transcribes)
 * @param minTokenLen the least code points of a token, or {@link #UNSET}
 * @param maxTokenLen the most code points of a token, or {@link #UNSET}
 * @param stopwords tokens to drop, compared after folding and lower-casing (already lower-cased when
 *     {@code lowercase})
 * @param stemmerOrNull the stemmer, or null
 */
public record TextAnalyzer(Tokenizer tokenizer, boolean lowercase, boolean asciiFolding, int minTokenLen,
        int maxTokenLen, Set<String> stopwords, SnowballStemmer stemmerOrNull) {

    /** Supported tokenizers. */
    public enum Tokenizer { WORD, WHITESPACE, PREFIX }

    /** A token length limit that is not set. */
    public static final int UNSET = -1;

    /** Qdrant's default full-text settings: word tokenizer, lower-case, nothing else. */
    public static final TextAnalyzer DEFAULT = of(Tokenizer.WORD, true, UNSET, UNSET);

    public TextAnalyzer {
        stopwords = Set.copyOf(stopwords);
    }

    /** An analyzer without folding, stop words or stemming. */
    public static TextAnalyzer of(Tokenizer tokenizer, boolean lowercase, int minTokenLen, int maxTokenLen) {
        return new TextAnalyzer(tokenizer, lowercase, false, minTokenLen, maxTokenLen, Set.of(), null);
    }

    /** The tokens of a stored text in order (duplicates kept), as the index holds them. */
    public List<String> tokenizeDoc(String text) {
        List<String> out = new ArrayList<>();
        if (tokenizer != Tokenizer.PREFIX) {
            forEachRawToken(text, raw -> {
                String t = process(raw, true);
                if (t != null) {
                    out.add(t);
                }
            });
            return out;
        }
        int minN = minTokenLen == UNSET ? 1 : minTokenLen;
        int maxN = maxTokenLen == UNSET ? Integer.MAX_VALUE : maxTokenLen;
        forEachRawToken(text, raw -> {
            String word = process(raw, false);
            if (word == null) {
                return;
            }
            int len = word.codePointCount(0, word.length());
            for (int n = minN; n <= maxN; n++) {
                if (len > n) {
                    out.add(word.substring(0, word.offsetByCodePoints(0, n)));
                } else {
                    out.add(word);
                    break;
                }
            }
        });
        return out;
    }

    /** The tokens of a {@code text} / {@code text_any} query in order. */
    public List<String> tokenizeQuery(String text) {
        if (tokenizer != Tokenizer.PREFIX) {
            return tokenizeDoc(text);
        }
        List<String> out = new ArrayList<>();
        forEachRawToken(text, raw -> {
            String word = normalize(raw);
            if (stemmerOrNull != null) {
                word = stemmerOrNull.stem(word);
            }
            int len = word.codePointCount(0, word.length());
            if (minTokenLen != UNSET && len < minTokenLen) {
                return;
            }
            out.add(maxTokenLen != UNSET && len > maxTokenLen
                    ? word.substring(0, word.offsetByCodePoints(0, maxTokenLen)) : word);
        });
        return out;
    }

    /** Qdrant's per-token processing; null when the token is dropped. */
    private String process(String raw, boolean checkMaxLen) {
        String t = normalize(raw);
        if (stopwords.contains(t)) {
            return null;
        }
        if (stemmerOrNull != null) {
            t = stemmerOrNull.stem(t);
        }
        int len = t.codePointCount(0, t.length());
        if ((minTokenLen != UNSET && len < minTokenLen) || (checkMaxLen && maxTokenLen != UNSET && len > maxTokenLen)) {
            return null;
        }
        return t;
    }

    private String normalize(String raw) {
        String t = asciiFolding ? fold(raw) : raw;
        return lowercase ? t.toLowerCase(Locale.ROOT) : t;
    }

    /** Lucene's ASCII folding of {@code s}; ASCII text is returned as is. */
    static String fold(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) < 0x80) {
            i++;
        }
        if (i == n) {
            return s;
        }
        char[] in = s.toCharArray();
        char[] out = new char[4 * n]; // the longest replacement of one char is four chars, e.g. "(10)"
        int len = ASCIIFoldingFilter.foldToASCII(in, 0, out, 0, n);
        return new String(out, 0, len);
    }

    private interface RawTokenSink {
        void accept(String raw);
    }

    private void forEachRawToken(String text, RawTokenSink sink) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int cp = text.codePointAt(i);
            if (!isTokenChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n) {
                cp = text.codePointAt(i);
                if (!isTokenChar(cp)) {
                    break;
                }
                i += Character.charCount(cp);
            }
            sink.accept(text.substring(start, i));
        }
    }

    private boolean isTokenChar(int cp) {
        return tokenizer == Tokenizer.WHITESPACE ? !isUnicodeWhiteSpace(cp) : isAlphanumeric(cp);
    }

    /** Unicode's Alphabetic property or a number (Nd, Nl, No): what Rust's {@code char::is_alphanumeric} tests. */
    static boolean isAlphanumeric(int cp) {
        if (Character.isAlphabetic(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Unicode's White_Space property (which {@link Character#isWhitespace} does not follow for no-break spaces). */
    static boolean isUnicodeWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }
}
