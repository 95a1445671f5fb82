package dev.turnout.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a parsed rollout document into a {@link RolloutSpec}, adding one problem per wrong field,
 * each prefixed with its path ({@code steps[2].weight: ...}), and carrying on with a harmless value
 * so that every problem of a document is reported in one answer.
 *
 * <p>Step fields a step omits are inherited from the previous step (explicit or inherited), and
 * the first step's from the defaults in {@link RolloutSpec}: {@code [{"weight": 1, "minSeconds":
 * 120}, {"weight": 10}]} waits 120 s at both steps, as an operator reading it would expect.
 */
final class SpecReader {

    /** The route table's own name rule, so that any alias or version name it accepts is accepted here. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** A user's text echoed in a message is cut to this, so an answer never grows with the document. */
    private static final int MAX_ECHOED = 64;

    private static final Set<String> TOP_KEYS = Set.of("alias", "candidate", "shadowFirst", "steps", "criteria", "onFailure", "gate");
    private static final Set<String> GATE_KEYS = Set.of("probe", "minPassRate", "maxDropVsBaseline");
    private static final Set<String> STEP_KEYS = Set.of("weight", "minRequests", "minSeconds", "maxSeconds");
    private static final Set<String> SHADOW_KEYS = Set.of("sample", "minPairs");

    private final List<String> problems = new ArrayList<>();

    /** The spec, or null when {@link #problems()} is not empty. */
    RolloutSpec read(JsonNode root) {
        if (root == null || !root.isObject()) {
            problems.add("document: must be an object such as {\"alias\": ..., \"candidate\": ..., \"steps\": [...],"
                    + " \"criteria\": {...}}");
            return null;
        }
        unknownKeys("", root, TOP_KEYS);
        String alias = name(root, "alias");
        String candidate = name(root, "candidate");
        RolloutSpec.ShadowFirst shadowFirst = readShadowFirst(root.get("shadowFirst"));
        List<RolloutSpec.Step> steps = readSteps(root.get("steps"));
        Map<Criterion, Double> criteria = readCriteria(root.get("criteria"));
        OnFailure onFailure = readOnFailure(root.get("onFailure"));
        RolloutSpec.Gate gate = readGate(root.get("gate"));
        if (!problems.isEmpty()) return null;
        return new RolloutSpec(alias, candidate, shadowFirst, steps, criteria, onFailure, gate);
    }

    List<String> problems() {
        return problems;
    }

    private String name(JsonNode root, String key) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            problems.add(key + ": required");
            return null;
        }
        if (!value.isTextual()) {
            problems.add(key + ": must be a string, got " + shown(value));
            return null;
        }
        if (!NAME.matcher(value.asText()).matches()) {
            problems.add(key + ": must match [A-Za-z0-9._:-]{1,128}, got " + shown(value));
            return null;
        }
        return value.asText();
    }

    private RolloutSpec.ShadowFirst readShadowFirst(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!unknownKeys("shadowFirst", node, SHADOW_KEYS)) return null;
        Double sample = real(node, "sample", "shadowFirst", 0, false, 1);
        Long minPairs = whole(node, "minPairs", "shadowFirst", 1, RolloutSpec.MAX_MIN_PAIRS);
        return new RolloutSpec.ShadowFirst(sample == null ? RolloutSpec.DEFAULT_SHADOW_SAMPLE : sample,
                minPairs == null ? RolloutSpec.DEFAULT_MIN_PAIRS : minPairs);
    }

    private List<RolloutSpec.Step> readSteps(JsonNode node) {
        String example = "[{\"weight\": 10}, {\"weight\": 100}]";
        if (node == null || node.isNull()) {
            problems.add("steps: required, a list such as " + example);
            return List.of();
        }
        if (!node.isArray()) {
            problems.add("steps: must be a list such as " + example + ", got " + shown(node));
            return List.of();
        }
        if (node.isEmpty()) {
            problems.add("steps: must hold at least one step, such as " + example);
            return List.of();
        }
        if (node.size() > RolloutSpec.MAX_STEPS) {
            // Checking each of thousands of steps would only bury this one message.
            problems.add("steps: at most " + RolloutSpec.MAX_STEPS + " steps, got " + node.size());
            return List.of();
        }
        List<RolloutSpec.Step> steps = new ArrayList<>();
        long minRequests = RolloutSpec.DEFAULT_MIN_REQUESTS;
        long minSeconds = RolloutSpec.DEFAULT_MIN_SECONDS;
        long maxSeconds = RolloutSpec.DEFAULT_MAX_SECONDS;
        Double previousWeight = null;
        for (int i = 0; i < node.size(); i++) {
            String at = "steps[" + i + "]";
            JsonNode step = node.get(i);
            if (!unknownKeys(at, step, STEP_KEYS)) {
                previousWeight = null;
                continue;
            }
            Double weight = real(step, "weight", at, 0, false, 100);
            if (weight == null && step.get("weight") == null) problems.add(at + ".weight: required, the candidate's percent");
            minRequests = orInherited(whole(step, "minRequests", at, 0, RolloutSpec.MAX_MIN_REQUESTS), minRequests);
            minSeconds = orInherited(whole(step, "minSeconds", at, 0, RolloutSpec.MAX_STEP_SECONDS), minSeconds);
            maxSeconds = orInherited(whole(step, "maxSeconds", at, 1, RolloutSpec.MAX_STEP_SECONDS), maxSeconds);
            if (maxSeconds < minSeconds) {
                problems.add(at + ": maxSeconds " + maxSeconds + " is less than minSeconds " + minSeconds
                        + " (a field a step omits is the previous step's)");
            }
            if (weight != null && previousWeight != null && weight <= previousWeight) {
                problems.add("steps: weights must increase, " + at + ".weight " + plain(weight) + " <= steps["
                        + (i - 1) + "].weight " + plain(previousWeight));
            }
            previousWeight = weight;
            if (weight != null && maxSeconds >= minSeconds) {
                steps.add(new RolloutSpec.Step(weight, minRequests, minSeconds, maxSeconds));
            }
        }
        return steps;
    }

    private Map<Criterion, Double> readCriteria(JsonNode node) {
        String example = "{\"errorRate\": {\"maxIncrease\": 0.01}}";
        Map<Criterion, Double> criteria = new EnumMap<>(Criterion.class);
        if (node == null || node.isNull()) {
            // Minimums alone would make a blind timed ramp, which is not what a rollout promises.
            problems.add("criteria: required, at least one criterion such as " + example);
            return criteria;
        }
        if (!node.isObject()) {
            problems.add("criteria: must be an object such as " + example + ", got " + shown(node));
            return criteria;
        }
        if (node.isEmpty()) {
            problems.add("criteria: must hold at least one criterion such as " + example);
            return criteria;
        }
        node.fields().forEachRemaining(entry -> {
            Criterion criterion = Criterion.fromLabel(entry.getKey());
            if (criterion == null) {
                problems.add("criteria." + echoed(entry.getKey()) + ": unknown criterion (expected one of "
                        + labels() + ")");
                return;
            }
            String at = "criteria." + criterion.label();
            if (!unknownKeys(at, entry.getValue(), Set.of(criterion.thresholdName()))) return;
            JsonNode threshold = entry.getValue().get(criterion.thresholdName());
            if (threshold == null) {
                problems.add(at + "." + criterion.thresholdName() + ": required");
                return;
            }
            Double value = real(entry.getValue(), criterion.thresholdName(), at, criterion.min(), true, criterion.max());
            if (value != null) criteria.put(criterion, value);
        });
        return criteria;
    }

    private OnFailure readOnFailure(JsonNode node) {
        if (node == null || node.isNull()) return OnFailure.ROLLBACK;
        OnFailure onFailure = node.isTextual() ? OnFailure.fromLabel(node.asText()) : null;
        if (onFailure == null) {
            problems.add("onFailure: must be one of [rollback, pause], got " + shown(node));
            return OnFailure.ROLLBACK;
        }
        return onFailure;
    }

    /** Adds a problem per unknown key; false (after a problem) when the node is not an object at all. */
    /** {@code minPassRate} defaults to 0 (only the comparison with the baseline), {@code maxDropVsBaseline} to 0.02. */
    private RolloutSpec.Gate readGate(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!unknownKeys("gate", node, GATE_KEYS)) return null;
        JsonNode probe = node.get("probe");
        boolean named = probe != null && probe.isTextual() && probe.asText().matches("[A-Za-z0-9._-]{1,64}");
        if (!named) problems.add("gate.probe: the name of a probe ([A-Za-z0-9._-]{1,64}), required, got " + (probe == null ? "nothing" : shown(probe)));
        Double minPassRate = real(node, "minPassRate", "gate", 0, true, 1);
        Double maxDrop = real(node, "maxDropVsBaseline", "gate", 0, true, 1);
        if (!named) return null;
        return new RolloutSpec.Gate(probe.asText(), minPassRate == null ? 0 : minPassRate, maxDrop == null ? 0.02 : maxDrop);
    }

    private boolean unknownKeys(String at, JsonNode node, Set<String> known) {
        String prefix = at.isEmpty() ? "" : at + ".";
        List<String> expected = known.stream().sorted().toList();
        if (!node.isObject()) {
            problems.add((at.isEmpty() ? "document" : at) + ": must be an object with " + expected + ", got " + shown(node));
            return false;
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(prefix + echoed(key) + ": unknown field (expected one of " + expected + ")");
            }
        });
        return true;
    }

    /** A finite number in the interval, or null (after a problem when present). */
    private Double real(JsonNode node, String key, String at, double min, boolean minInclusive, double max) {
        JsonNode value = node.get(key);
        if (value == null) return null;
        String interval = (minInclusive ? "[" : "(") + plain(min) + ", " + plain(max) + "]";
        double number = value.isNumber() ? value.asDouble() : Double.NaN;
        boolean aboveMin = minInclusive ? number >= min : number > min;
        if (!value.isNumber() || !aboveMin || !(number <= max)) {
            problems.add(at + "." + key + ": must be a number in " + interval + ", got " + shown(value));
            return null;
        }
        return number;
    }

    /**
     * A whole number in [min, max], or null (after a problem when present). Checked as a long
     * before use: 4294967301 is refused, never read as 5; 1.5, "10" and 1e30 are refused too.
     */
    private Long whole(JsonNode node, String key, String at, long min, long max) {
        JsonNode value = node.get(key);
        if (value == null) return null;
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            problems.add(at + "." + key + ": must be a whole number from " + min + " to " + max + ", got " + shown(value));
            return null;
        }
        return value.asLong();
    }

    private static long orInherited(Long explicit, long inherited) {
        return explicit == null ? inherited : explicit;
    }

    private static List<String> labels() {
        List<String> labels = new ArrayList<>();
        for (Criterion criterion : Criterion.values()) labels.add(criterion.label());
        return labels;
    }

    static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** The value as written; numbers unquoted, so 1e400 reads "Infinity", not "\"Infinity\"". */
    private static String shown(JsonNode value) {
        return echoed(value.isNumber() ? value.asText() : value.toString());
    }

    static String echoed(String text) {
        return text.length() <= MAX_ECHOED ? text : text.substring(0, MAX_ECHOED) + "... (" + text.length() + " characters)";
    }
}
