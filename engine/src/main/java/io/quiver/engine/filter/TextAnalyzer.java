package io.quiver.engine.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into tokens the way a full-text payload index is configured: the {@code word} tokenizer takes maximal
 * runs of letters and digits, {@code whitespace} splits on whitespace; tokens are lower-cased when {@code lowercase}
 * and dropped when shorter than {@code minTokenLen} or longer than {@code maxTokenLen} (0 = no limit). The same
 * analyzer tokenizes stored text and queries. Immutable, threadsafe.
 */
public record TextAnalyzer(Tokenizer tokenizer, boolean lowercase, int minTokenLen, int maxTokenLen) {

    /** Supported tokenizers. */
    public enum Tokenizer { WORD, WHITESPACE }

    /** Qdrant's default full-text settings: word tokenizer, lower-case, no length limits. */
    public static final TextAnalyzer DEFAULT = new TextAnalyzer(Tokenizer.WORD, true, 0, 0);

    /** The tokens of {@code text} in order (duplicates kept). */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
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
            String token = text.substring(start, i);
            if (lowercase) {
                token = token.toLowerCase(Locale.ROOT);
            }
            int len = token.codePointCount(0, token.length());
            if ((minTokenLen <= 0 || len >= minTokenLen) && (maxTokenLen <= 0 || len <= maxTokenLen)) {
                out.add(token);
            }
        }
        return out;
    }

    private boolean isTokenChar(int cp) {
        return tokenizer == Tokenizer.WORD ? Character.isLetterOrDigit(cp) : !Character.isWhitespace(cp);
    }
}
