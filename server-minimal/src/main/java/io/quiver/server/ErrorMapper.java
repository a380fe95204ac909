package io.quiver.server;

import io.quiver.cluster.ClusterException;
import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.QuiverException;
import io.quiver.engine.ValidationException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps a failure of a route to Qdrant's status code and error text: the server's own {@link ApiException}s keep
 * theirs; the engine's typed errors map to 400 (wrong input), 404, 409 and 422; the cluster's by their kind; a timeout
 * to 408; anything else is a 500 with the cause's message. Stateless and threadsafe.
 */
final class ErrorMapper {

    ApiException map(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof NotFoundException) {
            return new ApiException(404, e.getMessage());
        }
        if (e instanceof AlreadyExistsException) {
            return new ApiException(409, e.getMessage());
        }
        if (e instanceof ValidationException) {
            return new ApiException(422, e.getMessage());
        }
        if (e instanceof BadRequestException) {
            return new ApiException(400, e.getMessage());
        }
        if (e instanceof ClusterException cluster) {
            return new ApiException(cluster.kind().httpStatus(), cluster.getMessage());
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            return new ApiException(408, "Timeout: the operation did not finish in time");
        }
        if (e instanceof QuiverException) {
            return new ApiException(500, e.getMessage());
        }
        if (e instanceof StackOverflowError) {
            return ApiException.badRequest("Format error in JSON body: nesting is too deep");
        }
        return new ApiException(500, "Service internal error: " + e);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
