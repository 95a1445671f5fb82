package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One compared pair, as logged and reported. {@code kind} is {@code candidate} (primary vs a
 * shadow version) or {@code noise} (primary vs itself asked again: the model's own randomness).
 * Samples are null when redaction is on.
 */
public record DiffRecord(String id, Instant time, String alias, String primary, String candidate, String kind,
                         DiffMetrics metrics, String requestSample, String primarySample, String candidateSample) {

    public static final String CANDIDATE = "candidate";
    public static final String NOISE = "noise";

    private static final ObjectMapper JSON = new ObjectMapper();

    public DiffRecord {
        requireNonNull(id, "id");
        requireNonNull(time, "time");
        requireNonNull(alias, "alias");
        requireNonNull(primary, "primary");
        requireNonNull(candidate, "candidate");
        requireNonNull(kind, "kind");
        requireNonNull(metrics, "metrics");
    }

    public boolean noise() {
        return NOISE.equals(kind);
    }

    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode()
                .put("id", id).put("time", time.toString()).put("alias", alias)
                .put("primary", primary).put("candidate", candidate).put("kind", kind);
        node.set("metrics", metrics.toJson());
        if (requestSample != null) node.put("request", requestSample);
        if (primarySample != null) node.put("primaryText", primarySample);
        if (candidateSample != null) node.put("candidateText", candidateSample);
        return node;
    }
}
