package io.quiver.engine;

import io.quiver.engine.filter.Filter;

/** A page of points by ascending id, starting at {@code offsetOrNull} (inclusive). Immutable. */
public record ScrollRequest(PointId offsetOrNull, int limit, Filter filterOrNull, WithPayload withPayload,
        boolean withVector) {
    public ScrollRequest {
        if (limit < 1) {
            throw new BadRequestException("scroll limit must be at least 1, got " + limit);
        }
        withPayload = withPayload == null ? WithPayload.NONE : withPayload;
    }

    public static ScrollRequest firstPage(int limit) {
        return new ScrollRequest(null, limit, null, WithPayload.ALL, false);
    }
}
