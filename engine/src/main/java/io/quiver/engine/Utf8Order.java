package io.quiver.engine;

import java.util.Comparator;

/**
 * The order of strings by Unicode code point, which is the byte order of their UTF-8 encodings: the order of Qdrant's
 * sorted string sets and maps (Rust compares strings bytewise), unlike {@link String#compareTo}, which compares UTF-16
 * units and so puts supplementary characters before U+E000–U+FFFF. Stateless; threadsafe.
 */
public final class Utf8Order {
    /** {@link #compare} as a comparator. */
    public static final Comparator<String> COMPARATOR = Utf8Order::compare;

    private Utf8Order() {
    }

    /** Negative, zero or positive as {@code a} sorts before, with or after {@code b} in UTF-8 byte order. */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
