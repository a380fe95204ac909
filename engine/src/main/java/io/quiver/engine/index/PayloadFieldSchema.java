package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.filter.TextAnalyzer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parsed {@code field_schema} of {@code PUT /collections/{c}/index}: a bare type ({@code "keyword"}) or an object
 * ({@code {"type":"text","tokenizer":"word","lowercase":true}}). The text tokenizers other than {@code word} /
 * {@code whitespace}, stop words and stemming are rejected as unsupported. Immutable.
 *
 * @param type the data type
 * @param paramsOrNull the object form as given (including {@code type}), or null for the bare form
 * @param analyzerOrNull the tokenizer settings of a {@code text} index, else null
 */
public record PayloadFieldSchema(PayloadSchemaType type, ObjectNode paramsOrNull, TextAnalyzer analyzerOrNull) {

    /** A bare-type schema. */
    public static PayloadFieldSchema of(PayloadSchemaType type) {
        return parse(JsonNodeFactory.instance.textNode(type.jsonName()));
    }

    /** Parses {@code field_schema}; BadRequest naming the problem for unknown types, params or wrong value types. */
    public static PayloadFieldSchema parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new BadRequestException("field_schema is required");
        }
        if (node.isTextual()) {
            PayloadSchemaType type = type(node.textValue());
            return new PayloadFieldSchema(type, null, type == PayloadSchemaType.TEXT ? TextAnalyzer.DEFAULT : null);
        }
        if (!node.isObject()) {
            throw new BadRequestException("field_schema: expected a type name or an object with \"type\", got "
                    + node);
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new BadRequestException("field_schema.type: expected one of " + typeNames() + ", got " + typeNode);
        }
        PayloadSchemaType type = type(typeNode.textValue());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("type")) {
                continue;
            }
            if (!type.params().contains(name)) {
                throw new BadRequestException("field_schema: unknown field `" + name + "` for a " + type.jsonName()
                        + " index, expected one of " + type.params().stream().sorted().toList());
            }
            checkParamType(name, e.getValue());
        }
        TextAnalyzer analyzer = type == PayloadSchemaType.TEXT ? analyzer((ObjectNode) node) : null;
        return new PayloadFieldSchema(type, ((ObjectNode) node).deepCopy(), analyzer);
    }

    private static PayloadSchemaType type(String name) {
        PayloadSchemaType type = PayloadSchemaType.byJsonName(name);
        if (type == null) {
            throw new BadRequestException("field_schema: unknown variant `" + name + "`, expected one of "
                    + typeNames());
        }
        return type;
    }

    private static String typeNames() {
        return Arrays.stream(PayloadSchemaType.values()).map(PayloadSchemaType::jsonName)
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static void checkParamType(String name, JsonNode v) {
        if (v.isNull()) {
            return;
        }
        boolean ok = switch (name) {
            case "tokenizer" -> v.isTextual();
            case "min_token_len", "max_token_len" -> v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= 0;
            case "stopwords", "stemmer" -> true;
            default -> v.isBoolean();
        };
        if (!ok) {
            throw new BadRequestException("field_schema." + name + ": invalid value " + v);
        }
    }

    private static TextAnalyzer analyzer(ObjectNode node) {
        TextAnalyzer.Tokenizer tokenizer = TextAnalyzer.Tokenizer.WORD;
        JsonNode t = node.get("tokenizer");
        if (t != null && !t.isNull()) {
            tokenizer = switch (t.textValue()) {
                case "word" -> TextAnalyzer.Tokenizer.WORD;
                case "whitespace" -> TextAnalyzer.Tokenizer.WHITESPACE;
                case "prefix", "multilingual" -> throw new BadRequestException("field_schema.tokenizer: `"
                        + t.textValue() + "` is not supported by Quiver, use word or whitespace");
                default -> throw new BadRequestException("field_schema.tokenizer: unknown variant `" + t.textValue()
                        + "`, expected one of [prefix, whitespace, word, multilingual]");
            };
        }
        for (String unsupported : new String[] {"stopwords", "stemmer", "ascii_folding"}) {
            JsonNode v = node.get(unsupported);
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue())) {
                throw new BadRequestException("field_schema." + unsupported + " is not supported by Quiver");
            }
        }
        JsonNode lower = node.get("lowercase");
        boolean lowercase = lower == null || lower.isNull() || lower.booleanValue();
        JsonNode min = node.get("min_token_len");
        JsonNode max = node.get("max_token_len");
        return new TextAnalyzer(tokenizer, lowercase, min == null || min.isNull() ? 0 : min.intValue(),
                max == null || max.isNull() ? 0 : max.intValue());
    }

    /** The schema as given: the bare type name or the object. */
    public JsonNode toJson() {
        return paramsOrNull == null ? JsonNodeFactory.instance.textNode(type.jsonName()) : paramsOrNull.deepCopy();
    }
}
