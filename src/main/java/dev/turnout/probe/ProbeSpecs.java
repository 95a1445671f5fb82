package dev.turnout.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Echo;
import dev.turnout.route.RouteCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a probe document ({@code PUT /admin/probes/{name}}), reporting every problem at once. */
public final class ProbeSpecs {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> KEYS = Set.of("set", "versions", "alias", "everySeconds", "concurrency", "maxTokensPerRun",
            "timeoutMs");
    static final int MAX_VERSIONS = 32;
    static final int MAX_DOCUMENT_CHARS = 16 * 1024;

    private ProbeSpecs() {}

    public static ProbeSpec parse(String name, String body) {
        List<String> problems = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) problems.add("name: letters, digits, '.', '_' or '-', 1 to 64, got '" + Echo.cut(name) + "'");
        if (body == null || body.isBlank()) throw new InvalidProbeException(List.of("document: empty; expected {\"set\": ..., \"versions\": [...]}"));
        if (body.length() > MAX_DOCUMENT_CHARS) throw new InvalidProbeException(List.of("document: at most " + MAX_DOCUMENT_CHARS + " characters"));
        JsonNode root;
        try {
            root = RouteCodec.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidProbeException(List.of("document: not valid JSON: " + Echo.cut(e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) throw new InvalidProbeException(List.of("document: must be an object"));
        root.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) problems.add(Echo.cut(key) + ": unknown field (expected one of " + KEYS.stream().sorted().toList() + ")");
        });
        String set = root.path("set").isTextual() ? root.get("set").asText() : null;
        if (set == null || !NAME.matcher(set).matches()) problems.add("set: the name of a golden set, required");
        List<String> versions = new ArrayList<>();
        JsonNode versionsNode = root.get("versions");
        if (versionsNode != null) {
            if (!versionsNode.isArray() || versionsNode.isEmpty() || versionsNode.size() > MAX_VERSIONS) {
                problems.add("versions: a list of 1 to " + MAX_VERSIONS + " version names");
            } else {
                for (int i = 0; i < versionsNode.size(); i++) {
                    String version = versionsNode.get(i).isTextual() ? versionsNode.get(i).asText() : "";
                    if (!VERSION.matcher(version).matches()) problems.add("versions[" + i + "]: not a version name: " + Echo.cut(versionsNode.get(i).toString()));
                    else if (versions.contains(version)) problems.add("versions[" + i + "]: '" + version + "' listed twice");
                    else versions.add(version);
                }
            }
        }
        String alias = root.path("alias").isTextual() ? root.get("alias").asText() : null;
        if (root.has("alias") && (alias == null || !VERSION.matcher(alias).matches())) problems.add("alias: not an alias name");
        if ((versionsNode == null) == (alias == null)) problems.add("versions or alias: exactly one is required");
        long every = whole(root, "everySeconds", 0, 0, 7 * 86_400, problems);
        int concurrency = (int) whole(root, "concurrency", ProbeSpec.DEFAULT_CONCURRENCY, 1, 64, problems);
        long tokens = whole(root, "maxTokensPerRun", ProbeSpec.DEFAULT_MAX_TOKENS, 1, 100_000_000, problems);
        long timeout = whole(root, "timeoutMs", ProbeSpec.DEFAULT_TIMEOUT_MS, 100, 600_000, problems);
        if (!problems.isEmpty()) throw new InvalidProbeException(problems);
        return new ProbeSpec(name, set, versions, versionsNode == null ? alias : null, every, concurrency, tokens, timeout);
    }

    public static ObjectNode toTree(ProbeSpec spec) {
        ObjectNode node = RouteCodec.JSON.createObjectNode().put("name", spec.name()).put("set", spec.set());
        if (spec.alias() != null) node.put("alias", spec.alias());
        else spec.versions().forEach(node.putArray("versions")::add);
        return node.put("everySeconds", spec.everySeconds()).put("concurrency", spec.concurrency())
                .put("maxTokensPerRun", spec.maxTokensPerRun()).put("timeoutMs", spec.timeoutMs());
    }

    private static long whole(JsonNode root, String key, long fallback, long min, long max, List<String> problems) {
        JsonNode value = root.get(key);
        if (value == null) return fallback;
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            problems.add(key + ": a whole number from " + min + " to " + max + ", got " + Echo.cut(value.toString()));
            return fallback;
        }
        return value.asLong();
    }

}
