package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.PointId;

import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's discovery inputs, read into an example query: a {@code target} with context pairs
 * ({@code [{"positive": …, "negative": …}]}) is a discovery ({@link ExampleQuery.Discover}: rank by the pairs, then
 * nearness to the target), pairs alone a context search ({@link ExampleQuery.Context}). Three forms: the body of
 * {@code points/discover} (both optional, but not both missing; {@code context} an array), the
 * {@code {"discover": {"target": …, "context": …}}} query (target required) and the {@code {"context": …}} query
 * (context one pair, an array of them, or null). Examples are point ids or vectors ({@link ExampleVectors}); shapes
 * are checked before any id is looked up. Stateless and threadsafe.
 */
final class DiscoverInput {
    private DiscoverInput() {
    }

    /** The query and the point ids among its examples, which results leave out. */
    record Resolved(ExampleQuery query, List<PointId> examples) {
    }

    /**
     * A DiscoverRequest body: discovery with a {@code target}, context search without; a 400 when it has neither a
     * target nor a pair.
     */
    static Resolved ofRequest(ExampleSource source, JsonNode body) {
        JsonNode target = body.get("target");
        JsonNode context = body.get("context");
        List<JsonNode> pairs = pairNodes(context, "context", false);
        boolean hasTarget = target != null && !target.isNull();
        if (!hasTarget && pairs.isEmpty()) {
            throw ApiException.badRequest("Bad request: target and/or context_pairs must be specified");
        }
        ExampleVectors examples = new ExampleVectors(source);
        float[] targetVector = hasTarget ? examples.vector(target, "target") : null;
        List<ExampleQuery.ContextPair> resolved = resolve(pairs, "context", examples);
        ExampleQuery query = hasTarget ? new ExampleQuery.Discover(targetVector, resolved)
                : new ExampleQuery.Context(resolved);
        return new Resolved(query, examples.ids());
    }

    /** The object of a {@code {"discover": …}} query: {@code target} and {@code context} (both required). */
    static Resolved ofDiscoverQuery(ExampleSource source, JsonNode spec, String field) {
        if (!spec.isObject()) {
            throw JsonFields.typeError(field, spec, "struct DiscoverInput");
        }
        JsonNode target = spec.get("target");
        if (target == null || target.isNull()) {
            throw ApiException.badRequest("Format error in JSON body: " + field + ": missing field `target`");
        }
        if (!spec.has("context")) { // Qdrant's DiscoverInput has no default for it: no pairs is an explicit null
            throw ApiException.badRequest("Format error in JSON body: " + field + ": missing field `context`");
        }
        List<JsonNode> pairs = pairNodes(spec.get("context"), field + ".context", true);
        ExampleVectors examples = new ExampleVectors(source);
        float[] targetVector = examples.vector(target, field + ".target");
        return new Resolved(new ExampleQuery.Discover(targetVector, resolve(pairs, field + ".context", examples)),
                examples.ids());
    }

    /** The value of a {@code {"context": …}} query: one pair, an array of pairs, or null (no pairs: every score 0). */
    static Resolved ofContextQuery(ExampleSource source, JsonNode value, String field) {
        List<JsonNode> pairs = pairNodes(value, field, true);
        ExampleVectors examples = new ExampleVectors(source);
        return new Resolved(new ExampleQuery.Context(resolve(pairs, field, examples)), examples.ids());
    }

    /**
     * The pair objects of a context (absent or null: none), each with its {@code positive} and {@code negative}
     * present; {@code oneOrMany}: a single pair object is taken as a list of one (Qdrant's MaybeOneOrMany).
     */
    private static List<JsonNode> pairNodes(JsonNode context, String field, boolean oneOrMany) {
        if (context == null || context.isNull()) {
            return List.of();
        }
        List<JsonNode> pairs = new ArrayList<>();
        if (context.isObject() && oneOrMany) {
            pairs.add(context);
        } else if (context.isArray()) {
            context.forEach(pairs::add);
        } else {
            throw oneOrMany ? ApiException.badRequest("Format error in JSON body: " + field
                    + ": data did not match any variant of untagged enum MaybeOneOrMany")
                    : JsonFields.typeError(field, context, "a sequence");
        }
        for (JsonNode pair : pairs) {
            if (!pair.isObject()) {
                throw JsonFields.typeError(field + "[]", pair, "struct ContextPair");
            }
            for (String side : List.of("positive", "negative")) {
                if (!JsonFields.present(pair, side)) {
                    throw ApiException.badRequest("Format error in JSON body: " + field + "[]: missing field `"
                            + side + "`");
                }
            }
        }
        return pairs;
    }

    private static List<ExampleQuery.ContextPair> resolve(List<JsonNode> pairs, String field,
            ExampleVectors examples) {
        List<ExampleQuery.ContextPair> out = new ArrayList<>(pairs.size());
        for (JsonNode pair : pairs) {
            out.add(new ExampleQuery.ContextPair(examples.vector(pair.get("positive"), field + "[].positive"),
                    examples.vector(pair.get("negative"), field + "[].negative")));
        }
        return out;
    }
}
