package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.DistanceMatrix;
import io.quiver.engine.ValidationException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;

import static io.quiver.server.Route.Access.READ;

/**
 * Qdrant's distance matrix, {@code POST /collections/{c}/points/search/matrix/pairs} and {@code …/offsets}
 * (SearchMatrixRequest: {@code sample} default 10, at least 2; {@code limit} default 3, at least 1; {@code filter};
 * {@code using}, the collection's vector name, absent for the unnamed one; {@code shard_key} ignored): reads as the other searches do ({@code consistency},
 * {@code timeout}; the read-only key suffices), computed by the engine's {@link DistanceMatrix} through the
 * collection's own sample and search, so standalone and clustered alike. Stateless and threadsafe.
 */
final class DistanceMatrixRoutes {
    private final CollectionLookup collections;

    DistanceMatrixRoutes(CollectionLookup collections) {
        this.collections = collections;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/collections/{c}/points/search/matrix/pairs", READ,
                        request -> ApiResponse.ok(matrix(request).pairsJson())),
                new Route("POST", "/collections/{c}/points/search/matrix/offsets", READ,
                        request -> ApiResponse.ok(matrix(request).offsetsJson())));
    }

    /**
     * The body is read whole before any of it is validated, and validated before the collection is looked up, as
     * Qdrant's JSON extractor runs before its handler: a wrong type is a 400, then {@code sample} and {@code limit}
     * out of range a 422 naming each, then an unknown collection a 404, then another vector name a 400.
     */
    private DistanceMatrix.Result matrix(ApiRequest request) {
        ReadConsistency consistency = request.readParams().consistency();
        JsonNode body = request.jsonObject();
        Integer sample = JsonFields.optInt(body, "sample", null, 0);
        Integer limit = JsonFields.optInt(body, "limit", null, 0);
        Filter filter = RequestParser.filter(body, "filter");
        String using = JsonFields.optText(body, "using");
        List<String> problems = new ArrayList<>();
        if (limit != null && limit < 1) {
            problems.add("limit: value " + limit + " invalid, must be 1 or larger");
        }
        if (sample != null && sample < 2) {
            problems.add("sample: value " + sample + " invalid, must be 2 or larger");
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        CollectionService collection = collections.get(request.pathParam("c"));
        VectorName vectorName = VectorName.of(collection);
        vectorName.requireUsing(using);
        StrictModeCheck.of(collection).matrix(body).timeout(request.readParams());
        return DistanceMatrix.compute((f, n) -> collection.sample(f, n, WithPayload.NONE, true, consistency),
                search -> collection.search(search, consistency), vectorName.name(), filter,
                sample == null ? DistanceMatrix.DEFAULT_SAMPLE : sample,
                limit == null ? DistanceMatrix.DEFAULT_LIMIT : limit);
    }
}
