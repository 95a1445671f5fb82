package dev.turnout.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the server configuration: defaults, then the YAML file, then {@code TURNOUT_*}
 * environment variables, so several instances can share one file and differ by environment.
 * Unknown keys and bad values fail start-up with a message naming the key and where it came from.
 */
public final class ConfigLoader {

    /** Environment variable -> the file key it overrides (section.key). */
    public static final Map<String, String> ENVIRONMENT = orderedMap(
            "TURNOUT_HOST", "server.host",
            "TURNOUT_PORT", "server.port",
            "TURNOUT_MAX_BODY_BYTES", "server.maxBodyBytes",
            "TURNOUT_CLIENT_AUTH", "server.clientAuth",
            "TURNOUT_EVENT_LOOPS", "server.eventLoops",
            "TURNOUT_HEADER_TIMEOUT_MS", "server.headerTimeoutMs",
            "TURNOUT_BODY_TIMEOUT_MS", "server.bodyTimeoutMs",
            "TURNOUT_IDLE_TIMEOUT_MS", "server.idleTimeoutMs",
            "TURNOUT_MAX_BUFFERED_BYTES", "server.maxBufferedBytes",
            "TURNOUT_MAX_CONNECTIONS", "server.maxConnections",
            "TURNOUT_API_KEY_ENV_ALLOWED", "server.apiKeyEnvAllowed",
            "TURNOUT_ADMIN_HOST", "admin.host",
            "TURNOUT_ADMIN_PORT", "admin.port",
            "TURNOUT_ADMIN_TOKEN", "admin.token",
            "TURNOUT_ADMIN_ALLOWED_ORIGINS", "admin.allowedOrigins",
            "TURNOUT_ADMIN_TOKENS", "admin.tokens",
            "TURNOUT_ROUTES", "routes",
            "TURNOUT_STORE", "store.kind",
            "TURNOUT_REDIS_URI", "store.redisUri",
            "TURNOUT_REDIS_PREFIX", "store.prefix",
            "TURNOUT_HISTORY_LIMIT", "store.historyLimit",
            "TURNOUT_REDIS_COMMAND_TIMEOUT_MS", "store.commandTimeoutMs",
            "TURNOUT_REDIS_MAX_QUEUED_COMMANDS", "store.maxQueuedCommands",
            "TURNOUT_SHADOW_MAX_IN_FLIGHT", "shadow.maxInFlight",
            "TURNOUT_SHADOW_MAX_IN_FLIGHT_PER_VERSION", "shadow.maxInFlightPerVersion",
            "TURNOUT_SHADOW_CAPTURE_BYTES", "shadow.captureBytes",
            "TURNOUT_SHADOW_TIMEOUT_MS", "shadow.timeoutMs",
            "TURNOUT_SHADOW_PENDING_DIFF_BYTES", "shadow.pendingDiffBytes",
            "TURNOUT_DIFF_LOG", "diffs.log",
            "TURNOUT_DIFF_REDACT", "diffs.redact",
            "TURNOUT_SEMANTIC_ENABLED", "diffs.semantic.enabled",
            "TURNOUT_SEMANTIC_SAMPLE", "diffs.semantic.sample",
            "TURNOUT_SEMANTIC_THREADS", "diffs.semantic.threads",
            "TURNOUT_SEMANTIC_MAX_TOKENS", "diffs.semantic.maxTokens",
            "TURNOUT_SEMANTIC_QUEUE_PAIRS", "diffs.semantic.queuePairs",
            "TURNOUT_SEMANTIC_NOISE_QUANTILE", "diffs.semantic.noiseQuantile",
            "TURNOUT_SEMANTIC_MIN_NOISE_PAIRS", "diffs.semantic.minNoisePairs",
            "TURNOUT_ROLLOUT_LOOK_MS", "rollouts.lookMs",
            "TURNOUT_ROLLOUT_LEASE_MS", "rollouts.leaseMs",
            "TURNOUT_ROLLOUT_PUBLISH_MS", "rollouts.publishMs",
            "TURNOUT_RECORDING_ENABLED", "recording.enabled",
            "TURNOUT_RECORDING_SAMPLE", "recording.sample",
            "TURNOUT_RECORDING_ALIASES", "recording.aliases",
            "TURNOUT_RECORDING_MAX_REQUEST_BYTES", "recording.maxRequestBytes",
            "TURNOUT_RECORDING_MAX_ANSWER_BYTES", "recording.maxAnswerBytes",
            "TURNOUT_RECORDING_MAX_ENTRIES", "recording.maxEntries",
            "TURNOUT_RECORDING_MAX_PENDING_BYTES", "recording.maxPendingBytes",
            "TURNOUT_RECORDING_DROP_FIELDS", "recording.dropFields",
            "TURNOUT_RECORDING_MASK_EMAILS", "recording.maskEmails",
            "TURNOUT_RECORDING_MASK_PHONES", "recording.maskPhones",
            "TURNOUT_RECORDING_MASK_PATTERNS", "recording.maskPatterns");

    private static final java.util.regex.Pattern TOKEN_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Set<String>> SECTIONS = Map.of(
            "server", Set.of("host", "port", "maxBodyBytes", "clientAuth", "eventLoops", "headerTimeoutMs",
                    "bodyTimeoutMs", "idleTimeoutMs", "maxBufferedBytes", "maxConnections", "apiKeyEnvAllowed"),
            "admin", Set.of("host", "port", "token", "allowedOrigins", "tokens"),
            "store", Set.of("kind", "redisUri", "prefix", "historyLimit", "commandTimeoutMs", "maxQueuedCommands"),
            "shadow", Set.of("maxInFlight", "maxInFlightPerVersion", "captureBytes", "timeoutMs", "pendingDiffBytes"),
            "diffs", Set.of("log", "redact", "semantic"),
            "rollouts", Set.of("lookMs", "leaseMs", "publishMs"),
            "recording", Set.of("enabled", "sample", "aliases", "maxRequestBytes", "maxAnswerBytes", "maxEntries",
                    "maxPendingBytes", "dropFields", "maskEmails", "maskPhones", "maskPatterns"));
    /** Mappings nested one level down: section.key -> their keys. */
    private static final Map<String, Set<String>> SUBSECTIONS = Map.of(
            "diffs.semantic", Set.of("enabled", "sample", "threads", "maxTokens", "queuePairs", "noiseQuantile",
                    "minNoisePairs"));

    private ConfigLoader() {}

    /** Loads {@code file} (may be null: defaults only) and applies the given environment. */
    public static GatewayConfig load(Path file, Map<String, String> env) {
        ObjectNode root = YAML.createObjectNode();
        String source = file == null ? "defaults" : file.toString();
        if (file != null) {
            try {
                JsonNode read = YAML.readTree(Files.readString(file));
                if (read != null && !read.isNull()) {
                    if (!read.isObject()) throw new ConfigException(source + ": must be a YAML mapping");
                    root = (ObjectNode) read;
                }
            } catch (NoSuchFileException e) {
                throw new ConfigException(source + " does not exist");
            } catch (JsonProcessingException e) {
                throw new ConfigException(source + ": not valid YAML: " + YamlErrors.describe(e));
            } catch (IOException e) {
                throw new ConfigException(source + ": cannot read the configuration file: " + e.getMessage());
            }
        }
        checkKeys(root, source);
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, String> override : ENVIRONMENT.entrySet()) {
            String value = env.get(override.getKey());
            if (value == null || value.isEmpty()) continue;
            String[] path = override.getValue().split("\\.");
            ObjectNode section = root;
            for (int i = 0; i < path.length - 1; i++) section = section.with(path[i]);
            section.put(path[path.length - 1], value);
            origin.put(override.getValue(), "environment variable " + override.getKey());
        }
        Function<String, String> where = key -> origin.getOrDefault(key, source);
        GatewayConfig defaults = GatewayConfig.defaults();
        Path routes = defaults.routes();
        if (root.hasNonNull("routes")) {
            Path given = Path.of(root.get("routes").asText());
            // A path written in the file is relative to the file; one from the environment to the working directory.
            routes = file != null && !origin.containsKey("routes") && !given.isAbsolute()
                    ? file.toAbsolutePath().getParent().resolve(given).normalize() : given;
        }
        JsonNode server = root.path("server");
        JsonNode admin = root.path("admin");
        JsonNode store = root.path("store");
        JsonNode shadow = root.path("shadow");
        JsonNode diffs = root.path("diffs");
        JsonNode semantic = diffs.path("semantic");
        JsonNode rollouts = root.path("rollouts");
        JsonNode recording = root.path("recording");
        List<String> errors = new ArrayList<>();
        Values v = new Values(errors, where);
        GatewayConfig.Server s = defaults.server();
        GatewayConfig.Admin a = defaults.admin();
        GatewayConfig.Store st = defaults.store();
        GatewayConfig.Shadow sh = defaults.shadow();
        GatewayConfig.Diffs df = defaults.diffs();
        GatewayConfig.Semantic se = df.semantic();
        GatewayConfig.Rollouts ro = defaults.rollouts();
        GatewayConfig.Recording rc = defaults.recording();
        GatewayConfig config = new GatewayConfig(
                new GatewayConfig.Server(
                        v.text(server, "server.host", s.host()),
                        v.port(server, "server.port", s.port()),
                        v.positiveLong(server, "server.maxBodyBytes", s.maxBodyBytes()),
                        v.bool(server, "server.clientAuth", s.clientAuth()),
                        v.nonNegativeInt(server, "server.eventLoops", s.eventLoops()),
                        v.positiveLong(server, "server.headerTimeoutMs", s.headerTimeoutMs()),
                        v.positiveLong(server, "server.bodyTimeoutMs", s.bodyTimeoutMs()),
                        v.positiveLong(server, "server.idleTimeoutMs", s.idleTimeoutMs()),
                        v.nonNegativeLong(server, "server.maxBufferedBytes", s.maxBufferedBytes()),
                        v.positiveInt(server, "server.maxConnections", s.maxConnections()),
                        v.list(server, "server.apiKeyEnvAllowed", s.apiKeyEnvAllowed())),
                new GatewayConfig.Admin(
                        v.text(admin, "admin.host", a.host()),
                        v.port(admin, "admin.port", a.port()),
                        v.text(admin, "admin.token", a.token()),
                        v.list(admin, "admin.allowedOrigins", a.allowedOrigins()),
                        v.tokens(admin, "admin.tokens", a.tokens(), v.text(admin, "admin.token", a.token()),
                                origin.containsKey("admin.tokens"))),
                new GatewayConfig.Store(
                        v.oneOf(store, "store.kind", st.kind(), Set.of("memory", "redis")),
                        v.text(store, "store.redisUri", st.redisUri()),
                        v.text(store, "store.prefix", st.prefix()),
                        v.positiveInt(store, "store.historyLimit", st.historyLimit()),
                        v.positiveLong(store, "store.commandTimeoutMs", st.commandTimeoutMs()),
                        v.positiveInt(store, "store.maxQueuedCommands", st.maxQueuedCommands())),
                new GatewayConfig.Shadow(
                        v.positiveInt(shadow, "shadow.maxInFlight", sh.maxInFlight()),
                        v.positiveInt(shadow, "shadow.maxInFlightPerVersion", sh.maxInFlightPerVersion()),
                        v.positiveInt(shadow, "shadow.captureBytes", sh.captureBytes()),
                        v.positiveLong(shadow, "shadow.timeoutMs", sh.timeoutMs()),
                        v.positiveLong(shadow, "shadow.pendingDiffBytes", sh.pendingDiffBytes())),
                new GatewayConfig.Diffs(
                        v.text(diffs, "diffs.log", df.log()),
                        v.bool(diffs, "diffs.redact", df.redact()),
                        new GatewayConfig.Semantic(
                                v.bool(semantic, "diffs.semantic.enabled", se.enabled()),
                                v.fraction(semantic, "diffs.semantic.sample", se.sample()),
                                v.boundedInt(semantic, "diffs.semantic.threads", se.threads(), 1, 64),
                                v.boundedInt(semantic, "diffs.semantic.maxTokens", se.maxTokens(), 16, 8192),
                                v.boundedInt(semantic, "diffs.semantic.queuePairs", se.queuePairs(), 1, 10_000),
                                v.fraction(semantic, "diffs.semantic.noiseQuantile", se.noiseQuantile()),
                                v.boundedInt(semantic, "diffs.semantic.minNoisePairs", se.minNoisePairs(), 1, 512))),
                routes,
                new GatewayConfig.Rollouts(
                        v.boundedLong(rollouts, "rollouts.lookMs", ro.lookMs(), 10, 60_000),
                        v.boundedLong(rollouts, "rollouts.leaseMs", ro.leaseMs(), 100, 600_000),
                        v.boundedLong(rollouts, "rollouts.publishMs", ro.publishMs(), 10, 60_000)),
                new GatewayConfig.Recording(
                        v.bool(recording, "recording.enabled", rc.enabled()),
                        v.fraction(recording, "recording.sample", rc.sample()),
                        v.list(recording, "recording.aliases", rc.aliases()),
                        v.boundedInt(recording, "recording.maxRequestBytes", rc.maxRequestBytes(), 1, 16 << 20),
                        v.boundedInt(recording, "recording.maxAnswerBytes", rc.maxAnswerBytes(), 1, 16 << 20),
                        v.boundedInt(recording, "recording.maxEntries", rc.maxEntries(), 1, 10_000_000),
                        v.positiveLong(recording, "recording.maxPendingBytes", rc.maxPendingBytes()),
                        v.list(recording, "recording.dropFields", rc.dropFields()),
                        v.bool(recording, "recording.maskEmails", rc.maskEmails()),
                        v.bool(recording, "recording.maskPhones", rc.maskPhones()),
                        v.list(recording, "recording.maskPatterns", rc.maskPatterns())));
        for (String pattern : config.recording().maskPatterns()) {
            try {
                java.util.regex.Pattern.compile(pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                errors.add(where.apply("recording.maskPatterns") + ": 'recording.maskPatterns' holds a pattern that is not a"
                        + " valid regular expression: " + e.getDescription() + " in '" + pattern + "'");
            }
        }
        if (config.rollouts().leaseMs() < 2 * config.rollouts().lookMs()) {
            errors.add(where.apply("rollouts.leaseMs") + ": rollouts.leaseMs must be at least twice rollouts.lookMs, or the leader loses its lease"
                    + " between two renewals");
        }
        if (!errors.isEmpty()) throw new ConfigException(String.join("\n", errors));
        return config;
    }

    private static void checkKeys(ObjectNode root, String source) {
        List<String> errors = new ArrayList<>();
        root.fieldNames().forEachRemaining(key -> {
            if (key.equals("routes")) return;
            Set<String> known = SECTIONS.get(key);
            if (known == null) {
                errors.add(source + ": unknown key '" + key + "' (expected server, admin, store, shadow, diffs, rollouts, recording or routes)");
            } else if (!root.get(key).isObject()) {
                errors.add(source + ": '" + key + "' must be a mapping");
            } else {
                root.get(key).fieldNames().forEachRemaining(inner -> {
                    String path = key + "." + inner;
                    if (!known.contains(inner)) {
                        errors.add(source + ": unknown key '" + path + "' (expected one of "
                                + known.stream().sorted().toList() + ")");
                    } else if (SUBSECTIONS.containsKey(path)) {
                        JsonNode nested = root.get(key).get(inner);
                        if (nested.isNull()) return;
                        if (!nested.isObject()) {
                            errors.add(source + ": '" + path + "' must be a mapping");
                            return;
                        }
                        Set<String> nestedKeys = SUBSECTIONS.get(path);
                        nested.fieldNames().forEachRemaining(leaf -> {
                            if (!nestedKeys.contains(leaf)) {
                                errors.add(source + ": unknown key '" + path + "." + leaf + "' (expected one of "
                                        + nestedKeys.stream().sorted().toList() + ")");
                            }
                        });
                    }
                });
            }
        });
        if (!errors.isEmpty()) throw new ConfigException(String.join("\n", errors));
    }

    /** Reads typed values, collecting one message per bad value that says where it came from. */
    private record Values(List<String> errors, Function<String, String> where) {

        String text(JsonNode section, String key, String fallback) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return fallback;
            if (!node.isValueNode()) {
                errors.add(where.apply(key) + ": '" + key + "' must be a string");
                return fallback;
            }
            return node.asText();
        }

        long positiveLong(JsonNode section, String key, long fallback) {
            Long value = number(section, key);
            if (value == null) return fallback;
            if (value <= 0) errors.add(where.apply(key) + ": '" + key + "' must be > 0, got " + value);
            return value;
        }

        long nonNegativeLong(JsonNode section, String key, long fallback) {
            Long value = number(section, key);
            if (value == null) return fallback;
            if (value < 0) errors.add(where.apply(key) + ": '" + key + "' must be >= 0, got " + value);
            return value;
        }

        /** A YAML list of strings, or one comma-separated string (as environment variables give it). */
        List<String> list(JsonNode section, String key, List<String> fallback) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return fallback;
            List<String> items = new ArrayList<>();
            if (node.isArray()) {
                for (JsonNode item : node) {
                    if (!item.isValueNode()) {
                        errors.add(where.apply(key) + ": '" + key + "' must be a list of strings");
                        return fallback;
                    }
                    items.add(item.asText().trim());
                }
            } else if (node.isValueNode()) {
                for (String item : node.asText().split(",")) items.add(item.trim());
            } else {
                errors.add(where.apply(key) + ": '" + key + "' must be a list of strings");
                return fallback;
            }
            items.removeIf(String::isEmpty);
            return List.copyOf(items);
        }

        /**
         * {@code admin.tokens}: a list of {@code {name, sha256, role}} mappings, every problem reported with its
         * index. Names must be unique (history records them), including against the legacy token's {@code admin}.
         * From the environment ({@code TURNOUT_ADMIN_TOKENS}) it is one string, {@code name:role:sha256,...}: each
         * entry becomes the same mapping and is checked the same way, but no value of it is ever echoed, since
         * fields known only by position are easily swapped and one of them may be the token itself.
         */
        List<GatewayConfig.Admin.Token> tokens(JsonNode section, String key, List<GatewayConfig.Admin.Token> fallback,
                                               String legacyToken, boolean fromEnvironment) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return fallback;
            List<JsonNode> items = new ArrayList<>();
            int before = errors.size();
            if (fromEnvironment && node.isTextual()) {
                items = entries(node.asText(), key);
            } else if (node.isArray()) {
                node.forEach(items::add);
            } else {
                errors.add(where.apply(key) + ": '" + key + "' must be a list of {name, sha256, role} mappings");
                return fallback;
            }
            List<GatewayConfig.Admin.Token> tokens = new ArrayList<>();
            Set<String> names = new java.util.HashSet<>();
            if (legacyToken != null && !legacyToken.isEmpty()) names.add(GatewayConfig.Admin.LEGACY_TOKEN_NAME);
            for (int i = 0; i < items.size(); i++) {
                String at = where.apply(key) + ": '" + key + "[" + i + "]";
                int itemBefore = errors.size();
                JsonNode item = items.get(i);
                if (item == null) continue; // a malformed environment entry, already reported
                if (!item.isObject()) {
                    errors.add(at + "' must be a mapping with name, sha256 and role");
                    continue;
                }
                item.fieldNames().forEachRemaining(field -> {
                    if (!Set.of("name", "sha256", "role").contains(field)) {
                        errors.add(at + "." + field + "' is unknown (expected name, sha256 or role)");
                    }
                });
                String name = item.path("name").isValueNode() ? item.path("name").asText() : null;
                if (name == null || !TOKEN_NAME.matcher(name).matches()) {
                    errors.add(at + ".name' must be 1 to 64 of A-Z a-z 0-9 . _ @ -"
                            + (fromEnvironment ? "" : ", got '" + item.path("name").asText() + "'"));
                } else if (!names.add(name)) {
                    errors.add(at + ".name' '" + name + "' is already taken"
                            + (name.equals(GatewayConfig.Admin.LEGACY_TOKEN_NAME) ? " (by admin.token)" : ""));
                }
                String sha256 = item.path("sha256").isValueNode() ? item.path("sha256").asText().toLowerCase(Locale.ROOT) : "";
                if (!SHA256_HEX.matcher(sha256).matches()) {
                    // Never echo the value: someone may have pasted the token itself here.
                    errors.add(at + ".sha256' must be 64 hex characters (turnout hash-token prints it)");
                }
                String role = item.path("role").asText("");
                GatewayConfig.Admin.Role parsed = switch (role) {
                    case "read" -> GatewayConfig.Admin.Role.READ;
                    case "write" -> GatewayConfig.Admin.Role.WRITE;
                    default -> null;
                };
                if (parsed == null) errors.add(at + ".role' must be read or write" + (fromEnvironment ? "" : ", got '" + role + "'"));
                if (errors.size() == itemBefore) tokens.add(new GatewayConfig.Admin.Token(name, sha256, parsed));
            }
            return errors.size() == before ? List.copyOf(tokens) : fallback;
        }

        /**
         * {@code name:role:sha256} entries separated by commas, as mappings in their order; an entry without
         * exactly three parts is reported by its index and part count and stands as null. Empty entries (a
         * trailing comma) are skipped but keep their index, so every message points at the entry as written.
         */
        private List<JsonNode> entries(String text, String key) {
            List<JsonNode> items = new ArrayList<>();
            String[] entries = text.split(",", -1);
            for (int i = 0; i < entries.length; i++) {
                if (entries[i].isBlank()) {
                    items.add(null);
                    continue;
                }
                String[] parts = entries[i].split(":", -1);
                if (parts.length != 3) {
                    errors.add(where.apply(key) + ": '" + key + "[" + i + "]' must be name:role:sha256 (3 parts separated by ':'), got "
                            + parts.length + (parts.length == 1 ? " part" : " parts"));
                    items.add(null);
                    continue;
                }
                items.add(YAML.createObjectNode().put("name", parts[0].trim()).put("role", parts[1].trim()).put("sha256", parts[2].trim()));
            }
            return items;
        }

        int positiveInt(JsonNode section, String key, int fallback) {
            long value = positiveLong(section, key, fallback);
            if (value > Integer.MAX_VALUE) errors.add(where.apply(key) + ": '" + key + "' is too large, got " + value);
            return (int) Math.min(Integer.MAX_VALUE, value);
        }

        int nonNegativeInt(JsonNode section, String key, int fallback) {
            Long value = number(section, key);
            if (value == null) return fallback;
            if (value < 0 || value > 1024) errors.add(where.apply(key) + ": '" + key + "' must be 0..1024, got " + value);
            return value.intValue();
        }

        long boundedLong(JsonNode section, String key, long fallback, long min, long max) {
            Long value = number(section, key);
            if (value == null) return fallback;
            if (value < min || value > max) {
                errors.add(where.apply(key) + ": '" + key + "' must be " + min + ".." + max + ", got " + value);
                return fallback;
            }
            return value;
        }

        int boundedInt(JsonNode section, String key, int fallback, int min, int max) {
            return (int) boundedLong(section, key, fallback, min, max);
        }

        /** A share from 0 to 1. */
        double fraction(JsonNode section, String key, double fallback) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return fallback;
            double value;
            try {
                value = node.isNumber() ? node.asDouble() : Double.parseDouble(node.asText().trim());
            } catch (NumberFormatException e) {
                errors.add(where.apply(key) + ": '" + key + "' must be a number from 0 to 1, got '" + node.asText() + "'");
                return fallback;
            }
            if (!(value >= 0 && value <= 1)) {
                errors.add(where.apply(key) + ": '" + key + "' must be a number from 0 to 1, got " + node.asText());
                return fallback;
            }
            return value;
        }

        int port(JsonNode section, String key, int fallback) {
            Long value = number(section, key);
            if (value == null) return fallback;
            if (value < 0 || value > 65535) errors.add(where.apply(key) + ": '" + key + "' must be a port 0..65535, got " + value);
            return value.intValue();
        }

        boolean bool(JsonNode section, String key, boolean fallback) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return fallback;
            String text = node.asText();
            if (text.equalsIgnoreCase("true")) return true;
            if (text.equalsIgnoreCase("false")) return false;
            errors.add(where.apply(key) + ": '" + key + "' must be true or false, got '" + text + "'");
            return fallback;
        }

        String oneOf(JsonNode section, String key, String fallback, Set<String> allowed) {
            String value = text(section, key, fallback);
            if (!allowed.contains(value)) {
                errors.add(where.apply(key) + ": '" + key + "' must be one of " + allowed.stream().sorted().toList()
                        + ", got '" + value + "'");
            }
            return value;
        }

        private Long number(JsonNode section, String key) {
            JsonNode node = section.get(leaf(key));
            if (node == null || node.isNull()) return null;
            if (node.isIntegralNumber()) return node.asLong();
            try {
                return Long.parseLong(node.asText().trim());
            } catch (NumberFormatException e) {
                errors.add(where.apply(key) + ": '" + key + "' must be a whole number, got '" + node.asText() + "'");
                return null;
            }
        }

        private static String leaf(String key) {
            return key.substring(key.lastIndexOf('.') + 1);
        }
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(map);
    }
}
