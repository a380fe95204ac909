package io.quiver.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.Utf8Order;
import io.quiver.engine.filter.SnowballStemmer;
import io.quiver.engine.filter.TextAnalyzer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A parsed {@code field_schema} of {@code PUT /collections/{c}/index}: a bare type ({@code "keyword"}) or an object
 * ({@code {"type":"text","tokenizer":"word","lowercase":true}}). A text index takes the {@code word},
 * {@code whitespace} and {@code prefix} tokenizers, token length limits, {@code lowercase}, {@code ascii_folding},
 * custom stop words and a Snowball stemmer; the {@code multilingual} tokenizer and the built-in stop word languages
 * are rejected as unsupported. Immutable.
 *
 * @param type the data type
 * @param paramsOrNull the object form (including {@code type}), or null for the bare form: as given, except that a
 *     text index's params are normalized the way Qdrant reports them
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
        if (type == PayloadSchemaType.TEXT) {
            TextAnalyzer analyzer = analyzer((ObjectNode) node); // validates before normalizing
            return new PayloadFieldSchema(type, normalizedText((ObjectNode) node), analyzer);
        }
        return new PayloadFieldSchema(type, ((ObjectNode) node).deepCopy(), null);
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

    /** Qdrant's stop word languages: Quiver has no lists that match Qdrant's, so they are refused by name. */
    private static final Set<String> STOPWORD_LANGUAGES = Set.of("arabic", "azerbaijani", "basque", "bengali",
            "catalan", "chinese", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hebrew",
            "hinglish", "hungarian", "indonesian", "italian", "kazakh", "nepali", "norwegian", "portuguese",
            "romanian", "russian", "slovene", "spanish", "swedish", "tajik", "turkish");

    /** The text params in the order and shape Qdrant serializes them (unset options left out). */
    private static final List<String> TEXT_PARAM_ORDER = List.of("type", "tokenizer", "min_token_len",
            "max_token_len", "lowercase", "ascii_folding", "phrase_matching", "stopwords", "on_disk", "stemmer",
            "enable_hnsw");

    private static TextAnalyzer analyzer(ObjectNode node) {
        TextAnalyzer.Tokenizer tokenizer = TextAnalyzer.Tokenizer.WORD;
        JsonNode t = node.get("tokenizer");
        if (t != null && !t.isNull()) {
            tokenizer = switch (t.textValue()) {
                case "word" -> TextAnalyzer.Tokenizer.WORD;
                case "whitespace" -> TextAnalyzer.Tokenizer.WHITESPACE;
                case "prefix" -> TextAnalyzer.Tokenizer.PREFIX;
                case "multilingual" -> throw new BadRequestException("field_schema.tokenizer: `multilingual` is "
                        + "not supported by Quiver, use word, whitespace or prefix");
                default -> throw new BadRequestException("field_schema.tokenizer: unknown variant `" + t.textValue()
                        + "`, expected one of [prefix, whitespace, word, multilingual]");
            };
        }
        boolean lowercase = flag(node, "lowercase", true);
        return new TextAnalyzer(tokenizer, lowercase, flag(node, "ascii_folding", false),
                length(node, "min_token_len"), length(node, "max_token_len"), stopwords(node.get("stopwords"),
                lowercase), stemmer(node.get("stemmer")));
    }

    private static boolean flag(ObjectNode node, String name, boolean dflt) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? dflt : v.booleanValue();
    }

    private static int length(ObjectNode node, String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? TextAnalyzer.UNSET : v.intValue();
    }

    /** The custom stop words (lower-cased when the index lower-cases, as Qdrant does); languages are refused. */
    private static Set<String> stopwords(JsonNode v, boolean lowercase) {
        if (v == null || v.isNull()) {
            return Set.of();
        }
        if (v.isTextual()) {
            if (STOPWORD_LANGUAGES.contains(v.textValue())) {
                throw languagesUnsupported();
            }
            throw new BadRequestException("field_schema.stopwords: unknown language `" + v.textValue()
                    + "`, expected one of " + new TreeSet<>(STOPWORD_LANGUAGES) + " or {\"custom\": [...]}");
        }
        if (!v.isObject()) {
            throw new BadRequestException("field_schema.stopwords: expected a language or an object with "
                    + "\"languages\" and/or \"custom\", got " + v);
        }
        JsonNode languages = v.get("languages");
        if (languages != null && !languages.isNull()) {
            if (!languages.isArray()) {
                throw new BadRequestException("field_schema.stopwords.languages: expected an array, got " + languages);
            }
            for (JsonNode l : languages) {
                if (!l.isTextual() || !STOPWORD_LANGUAGES.contains(l.textValue())) {
                    throw new BadRequestException("field_schema.stopwords.languages: unknown language " + l
                            + ", expected one of " + new TreeSet<>(STOPWORD_LANGUAGES));
                }
            }
            if (!languages.isEmpty()) {
                throw languagesUnsupported();
            }
        }
        JsonNode custom = v.get("custom");
        Set<String> out = new HashSet<>();
        if (custom != null && !custom.isNull()) {
            if (!custom.isArray()) {
                throw new BadRequestException("field_schema.stopwords.custom: expected an array of strings, got "
                        + custom);
            }
            for (JsonNode w : custom) {
                if (!w.isTextual()) {
                    throw new BadRequestException("field_schema.stopwords.custom: expected strings, got " + w);
                }
                out.add(lowercase ? w.textValue().toLowerCase(Locale.ROOT) : w.textValue());
            }
        }
        return out;
    }

    private static BadRequestException languagesUnsupported() {
        return new BadRequestException("field_schema.stopwords: the built-in language lists are not supported by "
                + "Quiver, give the words as {\"custom\": [...]}");
    }

    private static SnowballStemmer stemmer(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        JsonNode type = v.get("type");
        JsonNode language = v.get("language");
        if (!v.isObject() || type == null || !"snowball".equals(type.textValue())) {
            throw new BadRequestException("field_schema.stemmer: expected {\"type\": \"snowball\", \"language\": "
                    + "...}, got " + v);
        }
        SnowballStemmer stemmer = language != null && language.isTextual()
                ? SnowballStemmer.ofOrNull(language.textValue()) : null;
        if (stemmer == null) {
            throw new BadRequestException("field_schema.stemmer.language: unknown variant " + language
                    + ", expected one of " + SnowballStemmer.languages());
        }
        return stemmer;
    }

    /**
     * A text index's params as Qdrant shows and keeps them: {@code type} and {@code tokenizer} always, the other
     * options only when set, in Qdrant's field order; custom stop words sorted and without duplicates.
     */
    private static ObjectNode normalizedText(ObjectNode given) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String name : TEXT_PARAM_ORDER) {
            JsonNode v = given.get(name);
            if (name.equals("tokenizer")) {
                out.put(name, v == null || v.isNull() ? "word" : v.textValue());
            } else if (v != null && !v.isNull()) {
                out.set(name, switch (name) {
                    case "stopwords" -> normalizedStopwords(v);
                    case "stemmer" -> JsonNodeFactory.instance.objectNode().put("type", "snowball")
                            .put("language", v.get("language").textValue());
                    default -> v.deepCopy();
                });
            }
        }
        return out;
    }

    private static JsonNode normalizedStopwords(JsonNode v) {
        if (v.isTextual()) {
            return v.deepCopy();
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String part : new String[] {"languages", "custom"}) {
            JsonNode list = v.get(part);
            if (list != null && !list.isNull()) {
                TreeSet<String> sorted = new TreeSet<>(Utf8Order.COMPARATOR);
                list.forEach(e -> sorted.add(e.textValue()));
                ArrayNode arr = out.putArray(part);
                sorted.forEach(arr::add);
            }
        }
        return out;
    }

    /** The schema to keep and show: the bare type name or the (normalized) object. */
    public JsonNode toJson() {
        return paramsOrNull == null ? JsonNodeFactory.instance.textNode(type.jsonName()) : paramsOrNull.deepCopy();
    }
}
