package dev.turnout.rollout.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteCodec;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.RolloutSpecs;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout as JSON: what the store keeps and what {@code GET /admin/rollouts/{id}} shows. What the
 * store holds is hostile input (anyone with Redis access can write it), so {@link #read} checks every
 * field and refuses a document it cannot trust with {@link IllegalArgumentException}; the spec goes
 * through the same parser as {@code POST /admin/rollouts}.
 */
public final class RolloutCodec {

    private static final ObjectMapper JSON = RouteCodec.JSON;

    private RolloutCodec() {}

    public static ObjectNode toTree(Rollout rollout) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", rollout.id()).put("revision", rollout.revision())
                .put("alias", rollout.spec().alias()).put("candidate", rollout.spec().candidate())
                .put("state", rollout.state().label()).put("reason", rollout.reason())
                .put("step", rollout.step()).put("weight", rollout.stepWeight()).put("attempt", rollout.attempt())
                .put("stepKey", rollout.stepKey()).put("stepElapsedMs", rollout.stepElapsedMs())
                .put("ratioLooks", rollout.ratioLooks())
                .put("createdAt", rollout.createdAt().toString()).put("updatedAt", rollout.updatedAt().toString());
        if (rollout.resumeTo() != null) root.put("resumeTo", rollout.resumeTo().label());
        if (rollout.lastLookAt() != null) root.put("lastLookAt", rollout.lastLookAt().toString());
        ArrayNode keys = root.putArray("stepKeys");
        rollout.stepKeys().forEach(keys::add);
        root.set("spec", RolloutSpecs.toTree(rollout.spec()));
        root.set("baseline", RouteCodec.aliasTree(rollout.baseline()));
        root.set("written", RouteCodec.aliasTree(rollout.written()));
        if (rollout.pending() != null) {
            root.set("pending", RouteCodec.aliasTree(rollout.pending()));
            root.put("pendingReason", rollout.pendingReason());
        }
        Rollout.Look look = rollout.look();
        ObjectNode evidence = root.putObject("evidence").put("candidateRequests", look.candidateRequests())
                .put("baselineRequests", look.baselineRequests()).put("scoredPairs", look.scoredPairs())
                .put("beyondNoisePairs", look.beyondNoisePairs());
        ObjectNode pValues = evidence.putObject("pValues");
        look.pValues().forEach(pValues::put);
        ArrayNode criteria = root.putArray("criteria");
        for (CriterionStatus status : look.criteria()) {
            ObjectNode node = criteria.addObject().put("criterion", status.criterion()).put("threshold", status.threshold())
                    .put("decision", status.decision()).put("test", status.test());
            number(node, "candidate", status.candidate());
            number(node, "baseline", status.baseline());
            number(node, "estimate", status.estimate());
            if (Double.isFinite(status.low()) && Double.isFinite(status.high())) {
                node.putObject("interval").put("low", status.low()).put("high", status.high());
            }
            number(node, "pValue", status.pValue());
            node.put("summary", status.summary());
        }
        ArrayNode log = root.putArray("log");
        for (LogEntry entry : rollout.log()) {
            log.addObject().put("time", entry.time().toString()).put("step", entry.step()).put("weight", entry.weight())
                    .put("event", entry.event()).put("detail", entry.detail());
        }
        root.put("logDropped", rollout.logDropped());
        return root;
    }

    /** NaN and infinities are not JSON: a figure that has none is left out. */
    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) node.put(field, value);
    }

    /**
     * @param revision the store's revision for the document, which wins over the one inside it
     * @throws IllegalArgumentException naming what is wrong, for anything that is not a rollout this codec wrote
     */
    public static Rollout read(String id, long revision, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("rollout " + id + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("rollout " + id + ": not an object");
        try {
            RolloutSpec spec = RolloutSpecs.parse(root.path("spec").toString(), false);
            RolloutState state = state(root, "state");
            int step = (int) whole(root, "step", -1, spec.steps().size() - 1);
            List<String> stepKeys = new ArrayList<>();
            JsonNode keys = root.path("stepKeys");
            if (!keys.isArray() || keys.size() > 10_000) throw new IllegalArgumentException("stepKeys: a list of at most 10000 keys");
            keys.forEach(key -> stepKeys.add(key.asText()));
            Alias baseline = alias(spec, root, "baseline");
            Alias written = alias(spec, root, "written");
            Alias pending = root.hasNonNull("pending") ? alias(spec, root, "pending") : null;
            JsonNode evidence = root.path("evidence");
            Map<String, Double> pValues = new LinkedHashMap<>();
            evidence.path("pValues").fields().forEachRemaining(entry -> {
                double p = entry.getValue().asDouble(Double.NaN);
                if (p >= 0 && p <= 1 && pValues.size() < 16) pValues.put(entry.getKey(), p);
            });
            List<CriterionStatus> criteria = new ArrayList<>();
            for (JsonNode node : root.path("criteria")) {
                if (criteria.size() >= 16) break;
                criteria.add(new CriterionStatus(node.path("criterion").asText(), node.path("threshold").asDouble(),
                        node.path("decision").asText(), node.path("test").asText(), optional(node, "candidate"),
                        optional(node, "baseline"), optional(node, "estimate"), optional(node.path("interval"), "low"),
                        optional(node.path("interval"), "high"), optional(node, "pValue"), node.path("summary").asText()));
            }
            Rollout.Look look = new Rollout.Look(criteria, whole(evidence, "candidateRequests", 0, Long.MAX_VALUE),
                    whole(evidence, "baselineRequests", 0, Long.MAX_VALUE), whole(evidence, "scoredPairs", 0, Long.MAX_VALUE),
                    whole(evidence, "beyondNoisePairs", 0, Long.MAX_VALUE), pValues);
            List<LogEntry> log = new ArrayList<>();
            for (JsonNode node : root.path("log")) {
                if (log.size() >= Rollout.MAX_LOG) break;
                log.add(new LogEntry(instant(node, "time"), node.path("step").asInt(), node.path("weight").asDouble(),
                        node.path("event").asText(), node.path("detail").asText()));
            }
            return new Rollout(id, revision, spec, instant(root, "createdAt"), instant(root, "updatedAt"), state,
                    root.hasNonNull("resumeTo") ? state(root, "resumeTo") : null, root.path("reason").asText(),
                    step, (int) whole(root, "attempt", 1, Integer.MAX_VALUE), stepKeys,
                    whole(root, "stepElapsedMs", 0, Long.MAX_VALUE),
                    root.hasNonNull("lastLookAt") ? instant(root, "lastLookAt") : null,
                    (int) whole(root, "ratioLooks", 0, 1000), baseline, written, pending,
                    root.path("pendingReason").asText(""), look, log, whole(root, "logDropped", 0, Long.MAX_VALUE));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("rollout " + id + ": " + e.getMessage(), e);
        }
    }

    private static RolloutState state(JsonNode root, String field) {
        RolloutState state = RolloutState.fromLabel(root.path(field).asText());
        if (state == null) throw new IllegalArgumentException(field + ": not a rollout state: " + root.path(field));
        return state;
    }

    private static Alias alias(RolloutSpec spec, JsonNode root, String field) {
        return RouteCodec.aliasFromTree(spec.alias(), root.get(field));
    }

    private static long whole(JsonNode node, String field, long min, long max) {
        JsonNode value = node.path(field);
        if (!value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new IllegalArgumentException(field + ": a whole number in [" + min + ", " + max + "], got " + value);
        }
        return value.asLong();
    }

    private static double optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber() ? value.asDouble() : Double.NaN;
    }

    private static Instant instant(JsonNode node, String field) {
        try {
            return Instant.parse(node.path(field).asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": not an ISO-8601 instant: " + node.path(field));
        }
    }
}
