package io.quiver.engine.filter;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.tartarus.snowball.ext.ArabicStemmer;
import org.tartarus.snowball.ext.ArmenianStemmer;
import org.tartarus.snowball.ext.DanishStemmer;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FinnishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.GreekStemmer;
import org.tartarus.snowball.ext.HungarianStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.NorwegianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.RomanianStemmer;
import org.tartarus.snowball.ext.RussianStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.tartarus.snowball.ext.SwedishStemmer;
import org.tartarus.snowball.ext.TamilStemmer;
import org.tartarus.snowball.ext.TurkishStemmer;

/**
 * The Snowball stemmer of one language (a text index's {@code stemmer: {"type":"snowball","language":…}}), backed
 * by the Snowball programs shipped in Lucene's analysis-common. Equal by language. Threadsafe: a Snowball program
 * holds the word being stemmed, so each thread stems with its own.
 */
public final class SnowballStemmer {

    /** Qdrant's snowball language names → the Snowball program of each. */
    private static final Map<String, Supplier<org.tartarus.snowball.SnowballStemmer>> PROGRAMS = programs();

    private final String language;
    private final ThreadLocal<org.tartarus.snowball.SnowballStemmer> program;

    private SnowballStemmer(String language, Supplier<org.tartarus.snowball.SnowballStemmer> factory) {
        this.language = language;
        this.program = ThreadLocal.withInitial(factory);
    }

    private static Map<String, Supplier<org.tartarus.snowball.SnowballStemmer>> programs() {
        Map<String, Supplier<org.tartarus.snowball.SnowballStemmer>> m = new TreeMap<>();
        m.put("arabic", ArabicStemmer::new);
        m.put("armenian", ArmenianStemmer::new);
        m.put("danish", DanishStemmer::new);
        m.put("dutch", DutchStemmer::new);
        m.put("english", EnglishStemmer::new);
        m.put("finnish", FinnishStemmer::new);
        m.put("french", FrenchStemmer::new);
        m.put("german", GermanStemmer::new);
        m.put("greek", GreekStemmer::new);
        m.put("hungarian", HungarianStemmer::new);
        m.put("italian", ItalianStemmer::new);
        m.put("norwegian", NorwegianStemmer::new);
        m.put("portuguese", PortugueseStemmer::new);
        m.put("romanian", RomanianStemmer::new);
        m.put("russian", RussianStemmer::new);
        m.put("spanish", SpanishStemmer::new);
        m.put("swedish", SwedishStemmer::new);
        m.put("tamil", TamilStemmer::new);
        m.put("turkish", TurkishStemmer::new);
        return m;
    }

    /** The stemmer of {@code language} (Qdrant's lower-case name), or null when there is none. */
    public static SnowballStemmer ofOrNull(String language) {
        Supplier<org.tartarus.snowball.SnowballStemmer> factory = PROGRAMS.get(language);
        return factory == null ? null : new SnowballStemmer(language, factory);
    }

    /** The supported language names, sorted. */
    public static Iterable<String> languages() {
        return PROGRAMS.keySet();
    }

    /** The language name, as given in the index params. */
    public String language() {
        return language;
    }

    /** The stem of {@code word}. */
    public String stem(String word) {
        org.tartarus.snowball.SnowballStemmer p = program.get();
        p.setCurrent(word);
        p.stem();
        return p.getCurrent();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnowballStemmer s && s.language.equals(language);
    }

    @Override
    public int hashCode() {
        return language.hashCode();
    }

    @Override
    public String toString() {
        return "snowball:" + language;
    }
}
