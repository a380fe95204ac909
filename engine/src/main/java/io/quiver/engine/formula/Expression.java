package io.quiver.engine.formula;

import io.quiver.engine.BadRequestException;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.JsonPath;

import java.util.List;
import java.util.Objects;

/**
 * One node of a score-boosting formula (Qdrant 1.14's {@code Expression}), already checked: constants are the
 * {@code f32} values Qdrant reads widened to double, decays carry their lambda. Evaluated by {@link Formula};
 * immutable and threadsafe.
 */
public sealed interface Expression {

    /** A number ({@code 1.5}); Qdrant reads it as an f32. */
    record Constant(double value) implements Expression {
        /** The constant as Qdrant keeps a JSON number: rounded to f32, then widened. */
        public static Constant ofF32(double value) {
            return new Constant((float) value);
        }
    }

    /** {@code "$score"} / {@code "$score[i]"}: the score the point had in prefetch {@code prefetch} (0 when absent). */
    record Score(int prefetch) implements Expression {
        public Score {
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch index " + prefetch);
            }
        }
    }

    /** A payload key: its one number value, else the formula's default for the key, else an error. */
    record Variable(JsonPath path) implements Expression {
        public Variable {
            Objects.requireNonNull(path, "path");
        }
    }

    /** A filter condition: 1 when the point matches it, else 0. */
    record Condition(Filter filter) implements Expression {
        public Condition {
            Objects.requireNonNull(filter, "filter");
        }
    }

    /** Haversine distance in meters from {@code (originLat, originLon)} to the geo point stored under {@code to}. */
    record GeoDistance(double originLat, double originLon, JsonPath to) implements Expression {
        public GeoDistance {
            Objects.requireNonNull(to, "to");
        }
    }

    /** A datetime constant ({@code {"datetime": …}}), in seconds since the epoch. */
    record Datetime(double epochSeconds) implements Expression {
    }

    /** {@code {"datetime_key": key}}: the datetime stored under the key, in seconds since the epoch. */
    record DatetimeKey(JsonPath path) implements Expression {
        public DatetimeKey {
            Objects.requireNonNull(path, "path");
        }
    }

    /** The product of the operands (1 for none); stops at the first zero operand. */
    record Mult(List<Expression> operands) implements Expression {
        public Mult {
            operands = List.copyOf(operands);
        }
    }

    /** The sum of the operands (0 for none). */
    record Sum(List<Expression> operands) implements Expression {
        public Sum {
            operands = List.copyOf(operands);
        }
    }

    /**
     * A function of one operand: {@code neg}, {@code abs}, {@code sqrt}, {@code exp}, {@code log10} or {@code ln}; a
     * result that is not finite is an error naming the call as Qdrant names it.
     */
    record Unary(UnaryOp op, Expression operand) implements Expression {
        public Unary {
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(operand, "operand");
        }
    }

    /** The functions of one operand, each with the JSON key that names it. */
    enum UnaryOp {
        NEG("neg"), ABS("abs"), SQRT("sqrt"), EXP("exp"), LOG10("log10"), LN("ln");

        private final String key;

        UnaryOp(String key) {
            this.key = key;
        }

        /** The key of the expression object, e.g. {@code "log10"}. */
        public String key() {
            return key;
        }

        /** The function's value at {@code x} (not checked for finiteness). */
        public double apply(double x) {
            return switch (this) {
                case NEG -> -x;
                case ABS -> Math.abs(x);
                case SQRT -> Math.sqrt(x);
                case EXP -> Math.exp(x);
                case LOG10 -> Math.log10(x);
                case LN -> Math.log(x);
            };
        }
    }

    /**
     * {@code left / right}: 0 when {@code left} is 0 (right is then not evaluated), {@code byZeroDefaultOrNull} when
     * {@code right} is 0 and a default is given, else an error unless the quotient is finite.
     */
    record Div(Expression left, Expression right, Double byZeroDefaultOrNull) implements Expression {
        public Div {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    record Pow(Expression base, Expression exponent) implements Expression {
        public Pow {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(exponent, "exponent");
        }
    }

    /** The three decay shapes; each is 1 at the target and {@code midpoint} at {@code |x - target| = scale}. */
    enum DecayKind {
        /** {@code max(0, 1 - lambda·|x - target|)}, lambda = (1 - midpoint) / scale. */
        LIN,
        /** {@code exp(lambda·|x - target|)}, lambda = ln(midpoint) / scale. */
        EXP,
        /** {@code exp(lambda·(x - target)²)}, lambda = ln(midpoint) / scale². */
        GAUSS
    }

    /** A decay of {@code x} around {@code targetOrNull} (0 when null) with a precomputed {@code lambda}. */
    record Decay(DecayKind kind, Expression x, Expression targetOrNull, double lambda) implements Expression {
        public Decay {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(x, "x");
        }

        /** Qdrant's default midpoint. */
        public static final float DEFAULT_MIDPOINT = 0.5f;
        /** Qdrant's default scale. */
        public static final float DEFAULT_SCALE = 1f;

        /**
         * A decay with Qdrant's parameters ({@code f32}; null for the defaults 0.5 and 1), checked as Qdrant checks
         * them: a linear midpoint in [0, 1], an exponential or Gaussian one in (0, 1), a scale above 0
         * (BadRequestException with Qdrant's reason otherwise).
         */
        public static Decay of(DecayKind kind, Expression x, Expression targetOrNull, Float midpointOrNull,
                Float scaleOrNull) {
            double midpoint = midpointOrNull == null ? DEFAULT_MIDPOINT : midpointOrNull;
            double scale = scaleOrNull == null ? DEFAULT_SCALE : scaleOrNull;
            if (kind == DecayKind.LIN) {
                if (!(midpoint >= 0 && midpoint <= 1)) {
                    throw new BadRequestException(
                            "Validation failed: Linear decay midpoint should be in the range [0.0, 1.0], got "
                            + Formula.display(midpoint) + ".");
                }
            } else if (!(midpoint > 0 && midpoint < 1)) {
                throw new BadRequestException(
                        "Validation failed: Decay midpoint should be in the range (0.0, 1.0), got "
                        + Formula.display(midpoint) + ".");
            }
            if (!(scale > 0)) {
                throw new BadRequestException("Validation failed: Decay scale should be non-zero positive, got "
                        + Formula.display(scale) + ".");
            }
            double lambda = switch (kind) {
                case LIN -> (1 - midpoint) / scale;
                case EXP -> Math.log(midpoint) / scale;
                case GAUSS -> Math.log(midpoint) / (scale * scale);
            };
            return new Decay(kind, x, targetOrNull, lambda);
        }
    }
}
