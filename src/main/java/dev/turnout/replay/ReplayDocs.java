package dev.turnout.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

/**
 * A replay's document as every instance reads it from Redis: what {@code GET /admin/replays/{id}}
 * answers, less {@code diffs}, plus the {@code instance} that runs it. Stored documents are hostile
 * (anyone with Redis access can write one): {@link #decode} rebuilds a document from checked fields
 * only, so what it returns has exactly the shape the instance that ran it would answer.
 */
final class ReplayDocs {

    /** A real document is under 1 KiB (alias and version names are short); anything much longer is not one. */
    static final int MAX_CHARS = 8_192;
    static final List<String> COUNTS = List.of("read", "sent", "noiseSent", "answered", "failed", "compared", "skipped");
    private static final List<String> STATES = Arrays.stream(Replay.State.values()).map(Replay.State::label).toList();

    private ReplayDocs() {}

    /**
     * The document stored under {@code id}; whatever is not one (too long, not JSON, a field missing
     * or of the wrong type, an id other than its key's) throws {@link IllegalArgumentException}.
     */
    static ObjectNode decode(String id, String stored) {
        if (stored.length() > MAX_CHARS) throw new IllegalArgumentException("longer than " + MAX_CHARS + " characters");
        JsonNode node;
        try {
            node = RecordedExchange.JSON.readTree(stored);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("not an object");
        if (!id.equals(text(node, "id"))) throw new IllegalArgumentException("id is not its key's");
        String state = text(node, "state");
        if (!STATES.contains(state)) throw new IllegalArgumentException("state is not one of " + STATES);
        ObjectNode out = RecordedExchange.JSON.createObjectNode().put("id", id).put("alias", text(node, "alias"))
                .put("candidate", text(node, "candidate")).put("diffAlias", "replay:" + id).put("state", state)
                .put("reason", textOrNull(node, "reason")).put("from", instant(node, "from")).put("to", instant(node, "to"))
                .put("limit", limit(node)).put("ratePerSecond", number(node, "ratePerSecond"))
                .put("noiseSample", number(node, "noiseSample")).put("startedAt", instant(node, "startedAt"));
        JsonNode finished = node.get("finishedAt");
        if (finished == null || finished.isNull()) out.putNull("finishedAt");
        else out.put("finishedAt", instant(node, "finishedAt"));
        JsonNode counts = node.get("counts");
        if (counts == null || !counts.isObject()) throw new IllegalArgumentException("counts is not an object");
        ObjectNode checked = out.putObject("counts");
        for (String name : COUNTS) checked.put(name, count(counts, name));
        out.put("instance", text(node, "instance"));
        return out;
    }

    /** When it started, for ordering; {@link #decode} has checked it. */
    static Instant startedAt(ObjectNode document) {
        return Instant.parse(document.get("startedAt").asText());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) throw new IllegalArgumentException(field + " is not text");
        return value.asText();
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : text(node, field);
    }

    private static String instant(JsonNode node, String field) {
        try {
            return Instant.parse(text(node, field)).toString();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an instant");
        }
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw new IllegalArgumentException(field + " is not a number");
        }
        return value.doubleValue();
    }

    /** An int, as the spec holds it, so a document read back equals one written. */
    private static int limit(JsonNode node) {
        long limit = count(node, "limit");
        if (limit > Integer.MAX_VALUE) throw new IllegalArgumentException("limit is too large");
        return (int) limit;
    }

    private static long count(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() < 0) {
            throw new IllegalArgumentException(field + " is not a count");
        }
        return value.longValue();
    }
}
