package io.quiver.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A query scored against example vectors instead of by the distance to one vector: Qdrant's {@code best_score} and
 * {@code sum_scores} recommendations, discovery (a target constrained by context pairs) and context search. A point's
 * score is computed from its similarities to the examples — the collection distance's similarity, larger is better:
 * the dot product for Cosine (examples normalised like stored vectors) and Dot, minus the squared Euclidean distance
 * for Euclid, minus the L1 distance for Manhattan — and is reported as computed, in float arithmetic as Qdrant does;
 * larger scores are better whatever the distance. The formulas are Qdrant's ({@code reco_query.rs},
 * {@code discover_query.rs}, {@code context_query.rs}). Immutable; the example arrays are shared, never changed.
 */
public sealed interface ExampleQuery {

    /** Every example vector, in the order {@link #score} reads their similarities. */
    List<float[]> examples();

    /** The score of a point whose similarity to {@code examples().get(i)} is {@code similarities[i]}. */
    float score(float[] similarities);

    /** The same query with each example vector replaced by {@code f} of it (dimension checks, normalisation). */
    ExampleQuery mapExamples(UnaryOperator<float[]> f);

    /** Qdrant's name of the query kind: {@code best_score}, {@code sum_scores}, {@code discover} or {@code context}. */
    String kind();

    /** One context pair: a point should be nearer its positive than its negative. */
    record ContextPair(float[] positive, float[] negative) {
        ContextPair map(UnaryOperator<float[]> f) {
            return new ContextPair(f.apply(positive), f.apply(negative));
        }

        /** Appends each pair's positive then negative to {@code out}: the order the pair scores read them in. */
        static void addAll(List<ContextPair> pairs, List<float[]> out) {
            for (ContextPair p : pairs) {
                out.add(p.positive());
                out.add(p.negative());
            }
        }
    }

    /**
     * {@code best_score}: with {@code p} the best similarity to a positive and {@code n} the best to a negative (minus
     * infinity for a side without examples), {@code sigmoid(p)} when {@code p > n}, else {@code -sigmoid(n)}, where
     * {@code sigmoid(x) = (x / (1 + |x|) + 1) / 2}: a point nearer a positive than any negative scores in (0, 1), one
     * nearer a negative in (-1, 0), the nearer that negative the lower. Needs at least one example.
     */
    record BestScore(List<float[]> positives, List<float[]> negatives) implements ExampleQuery {
        public BestScore {
            positives = List.copyOf(positives);
            negatives = List.copyOf(negatives);
            if (positives.isEmpty() && negatives.isEmpty()) {
                throw new BadRequestException("At least one positive or negative example is required");
            }
        }

        @Override
        public List<float[]> examples() {
            return concat(positives, negatives);
        }

        @Override
        public float score(float[] similarities) {
            int p = positives.size();
            float bestPositive = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < p; i++) {
                if (Float.compare(similarities[i], bestPositive) > 0) {
                    bestPositive = similarities[i];
                }
            }
            float bestNegative = Float.NEGATIVE_INFINITY;
            for (int i = p; i < p + negatives.size(); i++) {
                if (Float.compare(similarities[i], bestNegative) > 0) {
                    bestNegative = similarities[i];
                }
            }
            return bestPositive > bestNegative ? scaledFastSigmoid(bestPositive) : -scaledFastSigmoid(bestNegative);
        }

        @Override
        public ExampleQuery mapExamples(UnaryOperator<float[]> f) {
            return new BestScore(positives.stream().map(f).toList(), negatives.stream().map(f).toList());
        }

        @Override
        public String kind() {
            return "best_score";
        }
    }

    /** {@code sum_scores}: the sum of the similarities to the positives minus the sum of those to the negatives. */
    record SumScores(List<float[]> positives, List<float[]> negatives) implements ExampleQuery {
        public SumScores {
            positives = List.copyOf(positives);
            negatives = List.copyOf(negatives);
        }

        @Override
        public List<float[]> examples() {
            return concat(positives, negatives);
        }

        @Override
        public float score(float[] similarities) {
            int p = positives.size();
            float positive = 0f;
            for (int i = 0; i < p; i++) {
                positive += similarities[i];
            }
            float negative = 0f;
            for (int i = p; i < p + negatives.size(); i++) {
                negative += similarities[i];
            }
            return positive - negative;
        }

        @Override
        public ExampleQuery mapExamples(UnaryOperator<float[]> f) {
            return new SumScores(positives.stream().map(f).toList(), negatives.stream().map(f).toList());
        }

        @Override
        public String kind() {
            return "sum_scores";
        }
    }

    /**
     * Discovery: rank first, then nearness to the target. The rank sums, over the pairs, +1 where the point is more
     * similar to the positive, -1 where to the negative and 0 where equally; the score is {@code rank +
     * sigmoid(similarity to the target)}, so its integer part is the rank and its fraction, in (0, 1), the target's
     * share. Without pairs it is the target's part alone.
     */
    record Discover(float[] target, List<ContextPair> pairs) implements ExampleQuery {
        public Discover {
            pairs = List.copyOf(pairs);
        }

        @Override
        public List<float[]> examples() {
            List<float[]> all = new ArrayList<>(1 + 2 * pairs.size());
            all.add(target);
            ContextPair.addAll(pairs, all);
            return all;
        }

        @Override
        public float score(float[] similarities) {
            int rank = 0;
            for (int i = 0; i < pairs.size(); i++) {
                rank += Integer.signum(Float.compare(similarities[1 + 2 * i], similarities[2 + 2 * i]));
            }
            return rank + scaledFastSigmoid(similarities[0]);
        }

        @Override
        public ExampleQuery mapExamples(UnaryOperator<float[]> f) {
            return new Discover(f.apply(target), pairs.stream().map(p -> p.map(f)).toList());
        }

        @Override
        public String kind() {
            return "discover";
        }
    }

    /**
     * Context search: the sum over the pairs of a loss, {@code fastSigmoid(min(pos - neg - margin, 0))} with
     * {@code fastSigmoid(x) = x / (1 + |x|)} and {@code margin} float32's epsilon (2⁻²³). A point more similar to
     * every positive than to its negative (by more than the margin) scores 0, the best score; each pair it fails
     * costs up to 1. Without pairs every point scores 0.
     */
    record Context(List<ContextPair> pairs) implements ExampleQuery {
        /** Qdrant's margin: float32's machine epsilon. */
        static final float MARGIN = Math.ulp(1.0f);

        public Context {
            pairs = List.copyOf(pairs);
        }

        @Override
        public List<float[]> examples() {
            List<float[]> all = new ArrayList<>(2 * pairs.size());
            ContextPair.addAll(pairs, all);
            return all;
        }

        @Override
        public float score(float[] similarities) {
            float loss = 0f;
            for (int i = 0; i < pairs.size(); i++) {
                float difference = similarities[2 * i] - similarities[2 * i + 1] - MARGIN;
                loss += fastSigmoid(Math.min(difference, 0f));
            }
            return loss;
        }

        @Override
        public ExampleQuery mapExamples(UnaryOperator<float[]> f) {
            return new Context(pairs.stream().map(p -> p.map(f)).toList());
        }

        @Override
        public String kind() {
            return "context";
        }
    }

    /** {@code x / (1 + |x|)}: a sigmoid without the exponent, onto (-1, 1). */
    static float fastSigmoid(float x) {
        return x / (1.0f + Math.abs(x));
    }

    /** {@link #fastSigmoid} moved onto (0, 1). */
    static float scaledFastSigmoid(float x) {
        return 0.5f * (fastSigmoid(x) + 1.0f);
    }

    private static List<float[]> concat(List<float[]> a, List<float[]> b) {
        List<float[]> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
