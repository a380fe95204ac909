package io.quiver.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-id float sums one {@link ScoreFusion} builds: the first addition for an id sets its sum, later ones add to
 * it, and the point of the first addition is kept; {@link #bestFirst} sorts them as {@link ScoreFusion} promises.
 * Created for one fusion and used by its one thread only.
 */
final class FusedScores {
    private final Map<PointId, ScoredPoint> first = new LinkedHashMap<>();
    private final Map<PointId, float[]> sums = new LinkedHashMap<>();

    void add(ScoredPoint p, float score) {
        float[] sum = sums.get(p.id());
        if (sum == null) {
            first.put(p.id(), p);
            sums.put(p.id(), new float[] {score});
        } else {
            sum[0] += score;
        }
    }

    /** Every id once, with its sum: best first, equal sums by id ascending. */
    List<ScoredPoint> bestFirst() {
        List<ScoredPoint> out = new ArrayList<>(first.size());
        first.forEach((id, p) -> out.add(new ScoredPoint(id, p.version(), sums.get(id)[0], p.payloadOrNull(),
                p.vectorOrNull())));
        out.sort((a, b) -> {
            int cmp = Float.compare(b.score(), a.score());
            return cmp != 0 ? cmp : a.id().compareTo(b.id());
        });
        return out;
    }
}
