package dev.turnout.route;

import static dev.turnout.route.Fields.bool;
import static dev.turnout.route.Fields.forEachEntry;
import static dev.turnout.route.Fields.number;
import static dev.turnout.route.Fields.text;
import static dev.turnout.route.Fields.unknownKeys;
import static dev.turnout.route.Fields.whole;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.turnout.config.YamlErrors;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the route document (the shape of {@code conf/routes.yaml} and of
 * {@code GET /admin/routes}). Reading reports every problem at once, shape and references alike,
 * each naming its field; unknown keys are errors, so a typo never silently drops a setting.
 */
public final class RouteCodec {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final Set<String> TOP_KEYS = Set.of("revision", "versions", "aliases", "clients");
    private static final Set<String> VERSION_KEYS = Set.of("url", "model", "apiKeyEnv", "timeoutMs", "passAuth", "breaker",
            "totalTimeoutMs");
    private static final Set<String> BREAKER_KEYS = Set.of("failureRatePercent", "window", "minimumCalls", "openMs");
    private static final Set<String> ALIAS_KEYS = Set.of("split", "sticky", "pins", "shadow", "noiseSample", "fallback");
    private static final Set<String> SHADOW_KEYS = Set.of("version", "sample");
    private static final Set<String> CLIENT_KEYS = Set.of("alias", "keySha256");

    private RouteCodec() {}

    /**
     * Parses a YAML (or JSON, which is YAML) document; the revision is the document's, or 0. Only
     * the gateway's own settings are refused as {@code apiKeyEnv}: pass the deployment's
     * {@link RoutePolicy} to check its allow-list too.
     */
    public static RouteTable fromYaml(String text) {
        return fromYaml(text, RoutePolicy.UNRESERVED);
    }

    public static RouteTable fromYaml(String text, RoutePolicy policy) {
        return fromTree(readTree(YAML, text), policy);
    }

    public static RouteTable fromJson(String text) {
        return fromJson(text, RoutePolicy.UNRESERVED);
    }

    /** What a store applies: throws {@link InvalidRoutesException} listing every problem, nothing else. */
    public static RouteTable fromJson(String text, RoutePolicy policy) {
        return fromTree(readTree(JSON, text), policy);
    }

    private static JsonNode readTree(ObjectMapper mapper, String text) {
        try {
            JsonNode node = mapper.readTree(text);
            return node == null ? JsonNodeFactory.instance.objectNode() : node;
        } catch (JsonProcessingException e) {
            throw new InvalidRoutesException(List.of(mapper == JSON ? "document: not valid JSON: " + e.getOriginalMessage()
                    : "document: not valid YAML: " + YamlErrors.describe(e)));
        }
    }

    public static RouteTable fromTree(JsonNode root) {
        return fromTree(root, RoutePolicy.UNRESERVED);
    }

    /** Builds and validates a table; throws {@link InvalidRoutesException} with every problem found. */
    public static RouteTable fromTree(JsonNode root, RoutePolicy policy) {
        List<String> errors = new ArrayList<>();
        if (!root.isObject()) {
            throw new InvalidRoutesException(List.of("document: must be an object with versions, aliases and clients"));
        }
        unknownKeys("", root, TOP_KEYS, errors);
        long revision = whole(root, "revision", "", 0, RouteLimits.MAX_REVISION, 0, errors);
        Map<String, ModelVersion> versions = new LinkedHashMap<>();
        forEachEntry("versions", root.get("versions"), errors, (id, node, at) -> {
            ModelVersion version = readVersion(id, node, at, errors);
            if (version != null) versions.put(id, version);
        });
        Map<String, Alias> aliases = new LinkedHashMap<>();
        forEachEntry("aliases", root.get("aliases"), errors, (name, node, at) -> {
            Alias alias = readAlias(name, node, at, errors);
            if (alias != null) aliases.put(name, alias);
        });
        Map<String, Client> clients = new LinkedHashMap<>();
        forEachEntry("clients", root.get("clients"), errors, (id, node, at) -> {
            unknownKeys(at, node, CLIENT_KEYS, errors);
            clients.put(id, new Client(id, text(node, "alias", at, errors), text(node, "keySha256", at, errors)));
        });
        RouteTable table = RouteTable.of(revision, versions, aliases, clients);
        errors.addAll(RouteValidator.problems(table, policy));
        if (!errors.isEmpty()) throw new InvalidRoutesException(errors);
        return table;
    }

    private static ModelVersion readVersion(String id, JsonNode node, String at, List<String> errors) {
        unknownKeys(at, node, VERSION_KEYS, errors);
        String url = text(node, "url", at, errors);
        if (url == null) {
            errors.add(at + ".url: required, e.g. http://127.0.0.1:9101/v1");
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            errors.add(at + ".url: not a URL: " + e.getMessage());
            return null;
        }
        String model = text(node, "model", at, errors);
        long timeoutMs = whole(node, "timeoutMs", at, RouteLimits.MIN_TIMEOUT_MS, RouteLimits.MAX_TIMEOUT_MS,
                ModelVersion.DEFAULT_TIMEOUT_MS, errors);
        long totalTimeoutMs = whole(node, "totalTimeoutMs", at, 0, RouteLimits.MAX_TOTAL_TIMEOUT_MS, 0, errors);
        boolean passAuth = bool(node, "passAuth", at, errors);
        return new ModelVersion(id, uri, model == null ? id : model, text(node, "apiKeyEnv", at, errors),
                timeoutMs, passAuth, readBreaker(node.get("breaker"), at + ".breaker", errors), totalTimeoutMs);
    }

    private static BreakerPolicy readBreaker(JsonNode node, String at, List<String> errors) {
        if (node == null || node.isNull()) return BreakerPolicy.DEFAULT;
        int errorsBefore = errors.size();
        unknownKeys(at, node, BREAKER_KEYS, errors);
        if (!node.isObject()) return BreakerPolicy.DEFAULT;
        BreakerPolicy d = BreakerPolicy.DEFAULT;
        double failureRate = number(node, "failureRatePercent", at, d.failureRatePercent(), errors);
        RouteLimits.checkRange(at + ".failureRatePercent", failureRate, RouteLimits.MIN_FAILURE_RATE_PERCENT,
                RouteLimits.MAX_FAILURE_RATE_PERCENT, errors);
        long window = whole(node, "window", at, 1, RouteLimits.MAX_BREAKER_WINDOW, d.window(), errors);
        long minimumCalls = whole(node, "minimumCalls", at, 1, RouteLimits.MAX_BREAKER_WINDOW, d.minimumCalls(), errors);
        long openMs = whole(node, "openMs", at, RouteLimits.MIN_OPEN_MS, RouteLimits.MAX_OPEN_MS, d.openMs(), errors);
        if (errors.size() > errorsBefore) {
            // Every field was checked above; the defaults keep the validator from reporting a field twice.
            return d;
        }
        // Range-checked as longs first, so the narrowing is exact.
        return new BreakerPolicy(failureRate, Math.toIntExact(window), Math.toIntExact(minimumCalls), openMs);
    }

    private static Alias readAlias(String name, JsonNode node, String at, List<String> errors) {
        unknownKeys(at, node, ALIAS_KEYS, errors);
        Map<String, Double> split = new LinkedHashMap<>();
        forEachEntry(at + ".split", node.get("split"), errors, (version, weight, weightAt) -> {
            if (weight.isNumber()) split.put(version, weight.asDouble());
            else errors.add(weightAt + ": weight must be a number, got " + weight);
        });
        Sticky sticky = Sticky.CLIENT;
        String stickyText = text(node, "sticky", at, errors);
        if (stickyText != null) {
            sticky = Sticky.parse(stickyText);
            if (sticky == null) {
                errors.add(at + ".sticky: must be client | user | header:<Name> | none, got '" + stickyText + "'");
                sticky = Sticky.CLIENT;
            }
        }
        Map<String, String> pins = new LinkedHashMap<>();
        forEachEntry(at + ".pins", node.get("pins"), errors, (client, version, pinAt) -> {
            if (version.isTextual()) pins.put(client, version.asText());
            else errors.add(pinAt + ": must be a version name");
        });
        List<Shadow> shadows = new ArrayList<>();
        JsonNode shadowNode = node.get("shadow");
        if (shadowNode != null && !shadowNode.isNull()) {
            if (!shadowNode.isArray()) {
                errors.add(at + ".shadow: must be a list of {version, sample}");
            } else {
                for (int i = 0; i < shadowNode.size(); i++) {
                    String shadowAt = at + ".shadow[" + i + "]";
                    JsonNode entry = shadowNode.get(i);
                    unknownKeys(shadowAt, entry, SHADOW_KEYS, errors);
                    String version = text(entry, "version", shadowAt, errors);
                    if (version == null) {
                        errors.add(shadowAt + ".version: required");
                        continue;
                    }
                    shadows.add(new Shadow(version, number(entry, "sample", shadowAt, 1.0, errors)));
                }
            }
        }
        double noiseSample = number(node, "noiseSample", at, 0.0, errors);
        return new Alias(name, split, sticky, pins, shadows, noiseSample, text(node, "fallback", at, errors));
    }

    /** The document for a table: what {@code GET /admin/routes} returns and {@code PUT} takes. */
    public static ObjectNode toTree(RouteTable table) {
        ObjectNode root = JSON.createObjectNode();
        root.put("revision", table.revision());
        ObjectNode versions = root.putObject("versions");
        for (ModelVersion version : table.versions().values()) {
            ObjectNode node = versions.putObject(version.id());
            node.put("url", version.url().toString());
            node.put("model", version.model());
            if (version.apiKeyEnv() != null) node.put("apiKeyEnv", version.apiKeyEnv());
            node.put("timeoutMs", version.timeoutMs());
            if (version.passAuth()) node.put("passAuth", true);
            if (version.totalTimeoutMs() > 0) node.put("totalTimeoutMs", version.totalTimeoutMs());
            if (!version.breaker().equals(BreakerPolicy.DEFAULT)) {
                BreakerPolicy breaker = version.breaker();
                node.putObject("breaker").put("failureRatePercent", breaker.failureRatePercent())
                        .put("window", breaker.window()).put("minimumCalls", breaker.minimumCalls()).put("openMs", breaker.openMs());
            }
        }
        ObjectNode aliases = root.putObject("aliases");
        for (Alias alias : table.aliases().values()) aliases.set(alias.name(), aliasTree(alias));
        ObjectNode clients = root.putObject("clients");
        for (Client client : table.clients().values()) {
            ObjectNode node = clients.putObject(client.id());
            if (client.alias() != null) node.put("alias", client.alias());
            if (client.keySha256() != null) node.put("keySha256", client.keySha256());
        }
        return root;
    }

    /** One alias as the routes document writes it under {@code aliases.<name>}. */
    public static ObjectNode aliasTree(Alias alias) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode split = node.putObject("split");
        alias.split().forEach((version, weight) -> {
            if (weight == Math.rint(weight) && Math.abs(weight) < 1e15) split.put(version, weight.longValue());
            else split.put(version, weight);
        });
        node.put("sticky", alias.sticky().toString());
        if (!alias.pins().isEmpty()) {
            ObjectNode pins = node.putObject("pins");
            alias.pins().forEach(pins::put);
        }
        if (!alias.shadows().isEmpty()) {
            ArrayNode shadows = node.putArray("shadow");
            for (Shadow shadow : alias.shadows()) {
                shadows.addObject().put("version", shadow.version()).put("sample", shadow.sample());
            }
        }
        if (alias.noiseSample() > 0) node.put("noiseSample", alias.noiseSample());
        if (alias.fallback() != null) node.put("fallback", alias.fallback());
        return node;
    }

    /**
     * Reads one alias written by {@link #aliasTree} (a rollout keeps the baseline it restores this
     * way); the shape is checked, the references are not (the table it goes into is validated).
     *
     * @throws InvalidRoutesException listing every problem
     */
    public static Alias aliasFromTree(String name, JsonNode node) {
        List<String> errors = new ArrayList<>();
        if (node == null || !node.isObject()) throw new InvalidRoutesException(List.of(name + ": must be an alias object"));
        Alias alias = readAlias(name, node, name, errors);
        if (!errors.isEmpty()) throw new InvalidRoutesException(errors);
        return alias;
    }

    public static String toJson(RouteTable table) {
        return toTree(table).toString();
    }
}
