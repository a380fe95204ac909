package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the merged configuration tree from its layers, later layers winning: the embedded default YAML, an optional
 * YAML file in Qdrant's layout, {@code QUIVER__SECTION__KEY} environment variables and {@code --set key.path=value}
 * command-line overrides. A value from the environment or {@code --set} is kept as the exact text given, never read as
 * YAML (Qdrant's config crate keeps environment values as strings too): {@link QuiverConfig}'s typed getters convert
 * it by the key's type, so {@code !Sup3rSecret}, {@code &abc} or {@code 007} stay what they are for a text key. Keys
 * the default does not know are noted ({@link #unknownKeys()}) for a warning, not rejected, as Qdrant does.
 * <p>Threading: a loader is used once, on the thread that starts the server. It logs nothing, so that the server's
 * {@code log_level} can be applied before the first logger is made.
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "QUIVER__";
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

    /**
     * Merges a YAML file over the current tree. An API key the file names but leaves without a text value (YAML reads
     * an unquoted {@code &x}, {@code *x}, {@code !x}, {@code |}, {@code >} or {@code #} specially; {@code api_key:}
     * alone is null) is refused here, where it can still be told from a key the file does not set.
     */
    public ConfigLoader file(Path file) {
        JsonNode node;
        try {
            node = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("config file " + file + ": not found", e);
        } catch (IOException e) {
            throw new InvalidConfigException("config file " + file + ": " + e.getMessage(), e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return this;
        }
        if (!node.isObject()) {
            throw new InvalidConfigException("config file " + file + " must hold a YAML mapping at its top level");
        }
        for (String key : QuiverConfig.SECRET_KEYS) {
            JsonNode secret = QuiverConfig.at(node, key);
            if (secret != null && !(secret.isTextual() && !secret.textValue().isEmpty())) {
                throw new InvalidConfigException(key + " in config file " + file + ": expected a non-empty string, got "
                        + (secret.isNull() ? "no value" : secret.getNodeType().name().toLowerCase(Locale.ROOT))
                        + "; quote the key in YAML, or leave the line out to run without it");
            }
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

    /**
     * Sets one dotted key to the exact text {@code rawValue}; the key's typed getter converts it ({@code 7333},
     * {@code true}, {@code null} for a key of that type) or keeps it as it is (a text key).
     */
    public ConfigLoader set(String dottedKey, String rawValue) {
        if (dottedKey.isBlank()) {
            throw new InvalidConfigException("empty configuration key");
        }
        JsonNode value = JsonNodeFactory.instance.textNode(rawValue);
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

    /** The merged tree. */
    public ObjectNode tree() {
        return tree;
    }

    /** The keys set by a layer that the embedded default does not know, in the order seen. */
    List<String> unknownKeys() {
        return List.copyOf(unknownKeys);
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
