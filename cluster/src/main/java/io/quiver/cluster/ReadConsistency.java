package io.quiver.cluster;

import io.quiver.engine.BadRequestException;

/**
 * Qdrant's read {@code consistency}: how many Active replicas of each shard a read asks, and how their answers are
 * combined: {@code factor N} (default 1), {@code majority} and {@code quorum} (more than half of the shard's Active
 * replicas) or {@code all}. With several answers, a point is kept when it is in every answer ({@code all}) or in
 * more than half of them (otherwise); a count takes the smallest ({@code all}) or the lower median. Immutable.
 */
public record ReadConsistency(Kind kind, int factor) {
    public enum Kind { FACTOR, MAJORITY, QUORUM, ALL }

    /** One replica per shard: the default. */
    public static final ReadConsistency ONE = new ReadConsistency(Kind.FACTOR, 1);

    public ReadConsistency {
        if (kind == Kind.FACTOR && factor < 1) {
            throw new BadRequestException("consistency must be at least 1, got " + factor);
        }
    }

    /** Parses the query parameter: {@code majority}, {@code quorum}, {@code all} or a positive integer; null → ONE. */
    public static ReadConsistency parse(String text) {
        if (text == null || text.isBlank()) {
            return ONE;
        }
        return switch (text.trim()) {
            case "majority" -> new ReadConsistency(Kind.MAJORITY, 0);
            case "quorum" -> new ReadConsistency(Kind.QUORUM, 0);
            case "all" -> new ReadConsistency(Kind.ALL, 0);
            default -> {
                try {
                    yield new ReadConsistency(Kind.FACTOR, Integer.parseInt(text.trim()));
                } catch (NumberFormatException e) {
                    throw new BadRequestException("consistency must be majority, quorum, all or a number, got " + text);
                }
            }
        };
    }

    /**
     * How many answers a shard with {@code active} Active replicas must give. A factor above the replica count asks
     * every replica (Qdrant clamps it to {@code 1..replicas} rather than failing the read).
     */
    int required(int active) {
        return switch (kind) {
            case FACTOR -> Math.max(1, Math.min(factor, active));
            case MAJORITY, QUORUM -> active / 2 + 1;
            case ALL -> active;
        };
    }

    /** Whether an item seen in {@code seen} of {@code answers} answers is kept. */
    boolean keeps(int seen, int answers) {
        return kind == Kind.ALL ? seen == answers : seen * 2 > answers;
    }
}
