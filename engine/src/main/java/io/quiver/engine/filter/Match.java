package io.quiver.engine.filter;

import java.util.Arrays;
import java.util.Set;

/** The {@code match} part of a field condition. Immutable values, threadsafe. */
public sealed interface Match permits Match.Value, Match.Text, Match.Any, Match.Except {

    /** {@code {"value": v}}: v is a String, a Long or a Boolean; equality per type (integers never equal floats). */
    record Value(Object value) implements Match {}

    /** Kind of a text match: {@code text} (all tokens), {@code text_any} (any token), {@code phrase} (token run). */
    enum TextKind { TEXT, TEXT_ANY, PHRASE }

    /**
     * {@code {"text"|"text_any"|"phrase": s}}. Without a full-text index on the field: substring ({@code text},
     * {@code phrase}) or any whitespace-separated word as a substring ({@code text_any}); with one: token semantics.
     */
    record Text(String text, TextKind kind) implements Match {}

    /** {@code {"any": [...]}}: the value is one of the listed strings or integers. */
    record Any(Values values) implements Match {}

    /** {@code {"except": [...]}}: the value is not one of the listed strings or integers (see evaluator for types). */
    record Except(Values values) implements Match {}

    /**
     * The list of an {@code any}/{@code except}: strings or integers (an empty list counts as strings, as in Qdrant).
     *
     * @param strings the strings, or null for an integer list
     * @param sortedIntegers the integers sorted ascending, or null for a string list
     */
    record Values(Set<String> strings, long[] sortedIntegers) {
        public static Values ofStrings(Set<String> strings) {
            return new Values(Set.copyOf(strings), null);
        }

        public static Values ofIntegers(long[] integers) {
            long[] sorted = integers.clone();
            Arrays.sort(sorted);
            return new Values(null, sorted);
        }

        public boolean isIntegers() {
            return sortedIntegers != null;
        }

        public boolean containsString(String s) {
            return strings != null && strings.contains(s);
        }

        public boolean containsInteger(long v) {
            return sortedIntegers != null && Arrays.binarySearch(sortedIntegers, v) >= 0;
        }

        public int size() {
            return strings != null ? strings.size() : sortedIntegers.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Values v && java.util.Objects.equals(strings, v.strings)
                    && Arrays.equals(sortedIntegers, v.sortedIntegers);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hashCode(strings) + Arrays.hashCode(sortedIntegers);
        }

        @Override
        public String toString() {
            return strings != null ? strings.toString() : Arrays.toString(sortedIntegers);
        }
    }
}
