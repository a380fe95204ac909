package io.quiver.server;

import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.BadRequestException;

/**
 * The query parameters Qdrant's reads take ({@code ReadParams}): {@code consistency} ({@code majority},
 * {@code quorum}, {@code all} or a positive number) and {@code timeout} (whole seconds, a non-zero unsigned integer:
 * {@code 0} fails Qdrant's {@code NonZeroU64} parse, a 400 like any other malformed value). Parsed once per request,
 * before the body; immutable.
 */
record ReadParams(ReadConsistency consistency, Long timeoutSecondsOrNull) {

    static ReadParams of(ApiRequest request) {
        Long timeout = request.querySeconds("timeout", null);
        if (timeout != null && timeout == 0) {
            throw ApiException.badRequest(
                    "Format error in query parameters: timeout: invalid value: integer `0`, expected a nonzero u64");
        }
        ReadConsistency consistency;
        try {
            consistency = ReadConsistency.parse(request.query("consistency"));
        } catch (BadRequestException e) {
            throw ApiException.badRequest("Format error in query parameters: consistency: " + e.getMessage());
        }
        return new ReadParams(consistency, timeout);
    }
}
