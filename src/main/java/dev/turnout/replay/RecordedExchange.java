package dev.turnout.replay;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One recorded request and the primary's answer to it, already redacted: what a replay sends again
 * and compares against.
 *
 * @param position   where it sits in its log ({@code <ms>-<seq>}, a Redis stream id); empty before it is stored
 * @param version    the primary version that answered
 * @param path       the path after {@code /v1}: {@code /chat/completions}, {@code /completions} or {@code /responses}
 * @param requestId  the client's {@code x-request-id}, or one the gateway made up
 * @param streamed   whether the answer was an event stream
 * @param truncated  whether the answer was cut at {@code recording.maxAnswerBytes}
 * @param durationMs from the request's arrival to the answer's last byte
 * @param ttftMs     from the request's arrival to the answer's first byte; null when none came
 */
public record RecordedExchange(String position, String alias, String version, String path, String requestId, Instant at,
                               int status, boolean streamed, boolean truncated, double durationMs, Double ttftMs,
                               String request, String answer) {

    static final ObjectMapper JSON = new ObjectMapper();

    public RecordedExchange {
        requireNonNull(position, "position");
        requireNonNull(alias, "alias");
        requireNonNull(version, "version");
        requireNonNull(path, "path");
        requireNonNull(requestId, "requestId");
        requireNonNull(at, "at");
        requireNonNull(request, "request");
        requireNonNull(answer, "answer");
    }

    /** The same exchange at {@code newPosition} in a log. */
    public RecordedExchange withPosition(String newPosition) {
        return new RecordedExchange(newPosition, alias, version, path, requestId, at, status, streamed, truncated, durationMs,
                ttftMs, request, answer);
    }

    /** The stored form; the position is the log's, not part of it. */
    String encode() {
        ObjectNode node = JSON.createObjectNode().put("alias", alias).put("version", version).put("path", path)
                .put("requestId", requestId).put("at", at.toString()).put("status", status).put("streamed", streamed)
                .put("truncated", truncated).put("durationMs", durationMs).put("request", request).put("answer", answer);
        if (ttftMs == null) node.putNull("ttftMs");
        else node.put("ttftMs", ttftMs);
        return node.toString();
    }

    /**
     * Reads a stored entry; whatever is not an exchange (garbage, a field missing or of the wrong
     * type, a path that is not one the gateway records) throws {@link IllegalArgumentException}.
     */
    static RecordedExchange decode(String position, String stored) {
        JsonNode node;
        try {
            node = JSON.readTree(stored);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("not an object");
        String path = text(node, "path");
        if (!path.equals("/chat/completions") && !path.equals("/completions") && !path.equals("/responses")) {
            throw new IllegalArgumentException("bad path");
        }
        JsonNode ttft = node.get("ttftMs");
        if (ttft != null && !ttft.isNull() && !ttft.isNumber()) throw new IllegalArgumentException("bad ttftMs");
        try {
            return new RecordedExchange(position, text(node, "alias"), text(node, "version"), path, text(node, "requestId"),
                    Instant.parse(text(node, "at")), number(node, "status").intValue(), bool(node, "streamed"),
                    bool(node, "truncated"), number(node, "durationMs").doubleValue(),
                    ttft == null || ttft.isNull() ? null : ttft.doubleValue(), text(node, "request"), text(node, "answer"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("bad at");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) throw new IllegalArgumentException(field + " is not text");
        return value.asText();
    }

    private static Number number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) throw new IllegalArgumentException(field + " is not a number");
        return value.numberValue();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isBoolean()) throw new IllegalArgumentException(field + " is not a boolean");
        return value.asBoolean();
    }
}
