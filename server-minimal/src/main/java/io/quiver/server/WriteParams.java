package io.quiver.server;

import java.util.List;

/**
 * The query parameters Qdrant's point and payload-index writes take ({@code UpdateParams}): {@code wait} (default
 * false), {@code ordering} ({@code weak}, {@code medium} or {@code strong}; default weak) and {@code timeout} (whole
 * seconds; {@code 0} is accepted, as Qdrant's {@code DurationSeconds} accepts it). A value of the wrong shape is a 400
 * "Format error in query parameters". Parsed once per request, before the body; immutable.
 */
record WriteParams(boolean waitRequested, String ordering, Long timeoutSecondsOrNull) {
    private static final List<String> ORDERINGS = List.of("weak", "medium", "strong");

    static WriteParams of(ApiRequest request) {
        boolean wait = request.queryFlag("wait", false);
        String ordering = request.query("ordering");
        if (ordering == null || ordering.isEmpty()) {
            ordering = "weak";
        } else if (!ORDERINGS.contains(ordering)) {
            throw ApiException.badRequest("Format error in query parameters: ordering: unknown variant `" + ordering
                    + "`, expected one of `weak`, `medium`, `strong`");
        }
        return new WriteParams(wait, ordering, request.querySeconds("timeout", null));
    }
}
