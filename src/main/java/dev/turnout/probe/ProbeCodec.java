package dev.turnout.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Echo;
import dev.turnout.diff.Statistics.Interval;
import dev.turnout.route.RouteCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs as JSON: what the store keeps, what {@code GET /admin/probes/{name}/results} shows, and the
 * one line logged per run. What the store holds is hostile input: {@link #read} refuses a run it
 * cannot trust with {@link IllegalArgumentException}, bounded in items and versions.
 */
public final class ProbeCodec {

    static final int MAX_VERSIONS = ProbeSpecs.MAX_VERSIONS;
    static final int MAX_ITEMS = 10_000;

    private ProbeCodec() {}

    public static ObjectNode toTree(ProbeRun run, boolean withItems) {
        ObjectNode node = RouteCodec.JSON.createObjectNode().put("id", run.id()).put("probe", run.probe()).put("set", run.set())
                .put("trigger", run.trigger()).put("startedAt", run.startedAt().toString())
                .put("finishedAt", run.finishedAt().toString());
        ArrayNode versions = node.putArray("versions");
        for (VersionRun version : run.versions()) {
            ObjectNode entry = versions.addObject().put("version", version.version()).put("asked", version.asked())
                    .put("passed", version.passed()).put("passRate", version.passRate()).put("tokens", version.tokens())
                    .put("skipped", version.outcomes().size() - version.asked());
            Drift.Verdict drift = version.drift();
            if (drift != null) {
                entry.putObject("drift").put("drifted", drift.drifted()).put("baselineRun", drift.baselineRun())
                        .put("baselinePassRate", drift.baselinePassRate()).put("passRate", drift.passRate())
                        .put("passRateLow", drift.passRateInterval().low()).put("passRateHigh", drift.passRateInterval().high())
                        .put("comparedAnswers", drift.comparedAnswers()).put("movedAnswers", drift.movedAnswers())
                        .put("reason", drift.reason());
            }
            if (!withItems) continue;
            ArrayNode items = entry.putArray("items");
            for (ItemOutcome outcome : version.outcomes()) {
                ObjectNode item = items.addObject().put("id", outcome.id()).put("check", outcome.kind())
                        .put("passed", outcome.passed()).put("skipped", outcome.skipped()).put("detail", outcome.detail())
                        .put("answer", outcome.answer()).put("latencyMs", outcome.latencyMs()).put("tokens", outcome.tokens());
                if (outcome.repeat() != null) item.put("repeat", outcome.repeat());
            }
        }
        return node;
    }

    public static ProbeRun read(String json) {
        JsonNode root;
        try {
            root = RouteCodec.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + Echo.cut(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("a run is an object");
        JsonNode versionsNode = root.path("versions");
        if (!versionsNode.isArray() || versionsNode.size() > MAX_VERSIONS) throw new IllegalArgumentException("versions: at most " + MAX_VERSIONS);
        List<VersionRun> versions = new ArrayList<>();
        for (JsonNode entry : versionsNode) {
            JsonNode itemsNode = entry.path("items");
            if (!itemsNode.isArray() || itemsNode.size() > MAX_ITEMS) throw new IllegalArgumentException("items: at most " + MAX_ITEMS);
            List<ItemOutcome> outcomes = new ArrayList<>();
            for (JsonNode item : itemsNode) {
                outcomes.add(new ItemOutcome(text(item, "id"), text(item, "check"), item.path("passed").asBoolean(),
                        item.path("skipped").asBoolean(), item.path("detail").asText(), item.path("answer").asText(),
                        item.hasNonNull("repeat") ? item.get("repeat").asText() : null, item.path("latencyMs").asLong(),
                        item.path("tokens").asLong()));
            }
            Drift.Verdict drift = null;
            JsonNode d = entry.get("drift");
            if (d != null && d.isObject()) {
                drift = new Drift.Verdict(d.path("drifted").asBoolean(), d.path("baselineRun").asText(),
                        d.path("baselinePassRate").asDouble(), d.path("passRate").asDouble(),
                        new Interval(d.path("passRateLow").asDouble(), d.path("passRateHigh").asDouble()),
                        d.path("comparedAnswers").asInt(), d.path("movedAnswers").asInt(), d.path("reason").asText());
            }
            versions.add(new VersionRun(text(entry, "version"), outcomes, entry.path("tokens").asLong(), drift));
        }
        try {
            return new ProbeRun(text(root, "id"), text(root, "probe"), text(root, "set"), text(root, "trigger"),
                    Instant.parse(text(root, "startedAt")), Instant.parse(text(root, "finishedAt")), versions);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("startedAt, finishedAt: ISO-8601 instants");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) throw new IllegalArgumentException(field + ": text required");
        return value.asText();
    }
}
