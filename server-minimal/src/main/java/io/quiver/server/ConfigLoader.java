package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the merged configuration tree from its layers, later layers winning: the embedded default YAML, an optional
 * YAML file in Qdrant's layout, {@code QUIVER__SECTION__KEY} environment variables and {@code --set key.path=value}
 * command-line overrides. Keys the default does not know are warned about, not rejected, as Qdrant does.
 * <p>Threading: a loader is used once, on the thread that starts the server.
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "QUIVER__";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ObjectNode tree;
    private final List<String> unknownKeys = new ArrayList<>();

    private ConfigLoader(ObjectNode defaults) {
        this.tree = defaults;
    }

    /** Starts from the embedded defaults. */
    public static ConfigLoader withDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("default-config.yaml")) {
            if (in == null) {
                throw new IllegalStateException("default-config.yaml is missing from the server jar");
            }
            return new ConfigLoader((ObjectNode) YAML.readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded default configuration", e);
        }
    }

    /** Merges a YAML file over the current tree. */
    public ConfigLoader file(Path file) {
        JsonNode node;
        try {
            node = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidConfigException("config file " + file + ": " + e.getMessage(), e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return this;
        }
        if (!node.isObject()) {
            throw new InvalidConfigException("config file " + file + " must hold a YAML mapping at its top level");
        }
        merge(tree, (ObjectNode) node, "");
        return this;
    }

    /** Applies every {@code QUIVER__A__B=value} variable as the override of key {@code a.b}. */
    public ConfigLoader environment(Map<String, String> env) {
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith(ENV_PREFIX))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String path = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", ".");
                    set(path, e.getValue());
                });
        return this;
    }

    /** Sets one dotted key to a value written as a YAML scalar ({@code 7333}, {@code true}, {@code null}, text). */
    public ConfigLoader set(String dottedKey, String rawValue) {
        if (dottedKey.isBlank()) {
            throw new InvalidConfigException("empty configuration key");
        }
        JsonNode value = parseScalar(rawValue);
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            at.append(i == 0 ? "" : ".").append(parts[i]);
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                if (child == null) {
                    noteUnknown(at.toString());
                }
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (!node.has(leaf)) {
            noteUnknown(dottedKey);
        }
        node.set(leaf, value);
        return this;
    }

    /** The merged tree, after warning once about every unknown key seen. */
    public ObjectNode tree() {
        for (String key : unknownKeys) {
            LOG.warn("unknown configuration key '{}' is ignored", key);
        }
        unknownKeys.clear();
        return tree;
    }

    List<String> unknownKeys() {
        return List.copyOf(unknownKeys);
    }

    private static JsonNode parseScalar(String raw) {
        try {
            JsonNode parsed = YAML.readTree(raw);
            if (parsed == null || parsed.isMissingNode()) {
                return JsonNodeFactory.instance.nullNode();
            }
            return parsed.isValueNode() ? parsed : JsonNodeFactory.instance.textNode(raw);
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(raw);
        }
    }

    private void merge(ObjectNode into, ObjectNode from, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> fields = from.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            JsonNode existing = into.get(key);
            if (existing == null) {
                noteUnknown(path);
                into.set(key, field.getValue());
            } else if (existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), path);
            } else {
                into.set(key, field.getValue());
            }
        }
    }

    private void noteUnknown(String path) {
        unknownKeys.add(path);
    }
}
