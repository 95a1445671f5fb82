package dev.turnout.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Echo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What {@code POST /admin/replays} asks for: the recorded requests of {@code alias} from
 * {@code from} to {@code to}, at most {@code limit} of them, sent to {@code candidate} at
 * {@code ratePerSecond}, and a {@code noiseSample} share of them to the recorded primary again.
 */
public record ReplaySpec(String alias, String candidate, Instant from, Instant to, int limit, double ratePerSecond,
                         double noiseSample) {

    public static final int MAX_LIMIT = 10_000;
    public static final double MIN_RATE = 0.1;
    public static final double MAX_RATE = 1000;
    private static final Set<String> FIELDS = Set.of("alias", "candidate", "from", "to", "limit", "ratePerSecond",
            "noiseSample");

    /** Thrown with every problem of a request body, each naming its field. */
    public static final class InvalidReplayException extends RuntimeException {
        private final List<String> problems;

        public InvalidReplayException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Reads a request body; {@code now} is {@code to} when none is given. Every problem is listed
     * (a caller's text is echoed cut to 64 characters).
     */
    public static ReplaySpec parse(String body, Instant now) {
        JsonNode node;
        try {
            node = RecordedExchange.JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw new InvalidReplayException(List.of("the body must be a JSON object"));
        }
        if (node == null || !node.isObject()) throw new InvalidReplayException(List.of("the body must be a JSON object"));
        List<String> problems = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) problems.add("unknown field '" + Echo.cut(name) + "' (expected one of " + FIELDS.stream().sorted().toList() + ")");
        }
        String alias = text(node, "alias", problems);
        String candidate = text(node, "candidate", problems);
        Instant from = instant(node, "from", null, problems);
        Instant to = instant(node, "to", now, problems);
        if (from != null && to != null && !from.isBefore(to)) problems.add("from must be before to");
        int limit = (int) number(node, "limit", 1_000, 1, MAX_LIMIT, true, problems);
        double rate = number(node, "ratePerSecond", 10, MIN_RATE, MAX_RATE, false, problems);
        double noise = number(node, "noiseSample", 0.5, 0, 1, false, problems);
        if (!problems.isEmpty()) throw new InvalidReplayException(problems);
        return new ReplaySpec(alias, candidate, from, to, limit, rate, noise);
    }

    private static String text(JsonNode node, String field, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problems.add(field + " is required");
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(field + " must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    private static Instant instant(JsonNode node, String field, Instant fallback, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) problems.add(field + " is required (an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z)");
            return fallback;
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            problems.add(field + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not '" + Echo.cut(value.asText()) + "'");
            return null;
        }
    }

    private static double number(JsonNode node, String field, double fallback, double min, double max, boolean whole,
                                 List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return fallback;
        String range = " " + (whole ? (long) min + ".." + (long) max : min + ".." + max);
        if (!value.isNumber() || whole && !value.canConvertToLong() || whole && value.isFloatingPointNumber()
                && value.asDouble() != Math.rint(value.asDouble())) {
            problems.add(field + " must be a " + (whole ? "whole " : "") + "number," + range);
            return fallback;
        }
        double given = value.asDouble();
        if (!(given >= min && given <= max)) {
            problems.add(field + " must be" + range + ", got " + Echo.cut(value.asText()));
            return fallback;
        }
        return given;
    }

}
