package io.quiver.engine;

import io.quiver.engine.filter.Filter;
import java.util.List;

/** Which points a delete or payload operation touches: a list of ids or a filter. Immutable values. */
public sealed interface PointsSelector {
    record Ids(List<PointId> ids) implements PointsSelector {
        public Ids {
            ids = List.copyOf(ids);
        }
    }

    record ByFilter(Filter filter) implements PointsSelector {}

    static PointsSelector ids(List<PointId> ids) {
        return new Ids(ids);
    }

    static PointsSelector ids(PointId... ids) {
        return new Ids(List.of(ids));
    }

    static PointsSelector filter(Filter filter) {
        return new ByFilter(filter);
    }
}
