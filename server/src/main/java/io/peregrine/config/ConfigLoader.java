package io.peregrine.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link PeregrineConfig} from, lowest precedence first: the defaults, a YAML file,
 * environment variables {@code PEREGRINE_<KEY>}, and {@code --set key=value} arguments. Unknown
 * keys in the file or in {@code --set} are errors (with the closest known key suggested), so a
 * typo never silently leaves a default in place.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * @param file a YAML file, or null for none
     * @param env  the environment (usually {@code System.getenv()})
     * @param sets {@code key=value} overrides
     */
    public static PeregrineConfig load(Path file, Map<String, String> env, List<String> sets) {
        Map<String, Object> defaults = PeregrineConfig.defaults().values();
        Map<String, Object> values = new LinkedHashMap<>(defaults);
        Set<String> explicit = new LinkedHashSet<>();
        if (file != null) {
            readFile(file).forEach((name, raw) -> {
                ConfigKey<?> key = known(name, "in " + file);
                Object value = key.convert(raw, file.toString());
                values.put(name, value);
                // A file that writes out a default (as the shipped one writes every key) sets nothing.
                if (!Objects.equals(value, defaults.get(name))) {
                    explicit.add(name);
                }
            });
        }
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            String raw = env.get(key.envName());
            if (raw != null) {
                values.put(key.name(), key.convert(raw, "environment variable " + key.envName()));
                explicit.add(key.name());
            }
        }
        // The keys of upstreams have no fixed names: every variable under their prefix is read.
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
            String name = ConfigKey.nameOfEnvironmentVariable(e.getKey());
            if (name != null) {
                ConfigKey<?> key = known(name, "from environment variable " + e.getKey());
                values.put(name, key.convert(e.getValue(), "environment variable " + e.getKey()));
                explicit.add(name);
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + set + " (expected: key=value)");
            }
            String name = set.substring(0, eq).trim();
            ConfigKey<?> key = known(name, "in --set");
            values.put(name, key.convert(set.substring(eq + 1), "--set " + set));
            explicit.add(name);
        }
        return new PeregrineConfig(values, explicit);
    }

    private static ConfigKey<?> known(String name, String where) {
        ConfigKey<?> key = ConfigKey.find(name);
        if (key == null) {
            String hint = closest(name);
            throw new ConfigException("unknown key \"" + name + "\" " + where
                    + (hint != null ? " (did you mean \"" + hint + "\"?)" : ""));
        }
        return key;
    }

    private static Map<String, Object> readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage(), e);
        }
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage(), e);
        } catch (YamlEngineException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (doc == null) {
            return flat;
        }
        if (!(doc instanceof Map)) {
            throw new ConfigException("configuration file " + file + " must hold a mapping of keys to values");
        }
        flatten("", (Map<?, ?>) doc, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = prefix + e.getKey();
            if (e.getValue() instanceof Map) {
                flatten(name + ".", (Map<?, ?>) e.getValue(), out);
            } else {
                out.put(name, e.getValue());
            }
        }
    }

    /** The known key nearest to {@code name} by edit distance, if it is near enough to be a typo. */
    private static String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> candidates = new java.util.ArrayList<>(ConfigKey.all().keySet());
        String[] parts = name.split("\\.");
        if (name.startsWith(ConfigKey.UPSTREAMS_PREFIX) && parts.length >= 4) {
            for (String t : ConfigKey.templates().keySet()) {
                candidates.add(t.replace("<name>", parts[2]));
            }
        }
        for (String candidate : candidates) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
