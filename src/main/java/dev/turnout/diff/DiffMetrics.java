package dev.turnout.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Everything measured about one primary/candidate pair; null fields were not measurable. */
public record DiffMetrics(Verdict verdict, int statusPrimary, int statusCandidate, String errorPrimary,
                          String errorCandidate, boolean exact, boolean normalizedExact, double tokenF1, double rougeL,
                          double levenshtein, boolean finishReasonEqual, boolean toolNamesEqual, List<String> toolArgDiffs,
                          Boolean jsonValidPrimary, Boolean jsonValidCandidate, Integer completionTokenDelta,
                          double latencyDeltaMs, Double ttftDeltaMs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public DiffMetrics {
        toolArgDiffs = List.copyOf(toolArgDiffs);
    }

    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode()
                .put("verdict", verdict.label())
                .put("statusPrimary", statusPrimary)
                .put("statusCandidate", statusCandidate)
                .put("errorPrimary", errorPrimary)
                .put("errorCandidate", errorCandidate)
                .put("exact", exact)
                .put("normalizedExact", normalizedExact)
                .put("tokenF1", round(tokenF1))
                .put("rougeL", round(rougeL))
                .put("levenshtein", round(levenshtein))
                .put("finishReasonEqual", finishReasonEqual)
                .put("toolNamesEqual", toolNamesEqual);
        toolArgDiffs.forEach(node.putArray("toolArgDiffs")::add);
        node.put("jsonValidPrimary", jsonValidPrimary).put("jsonValidCandidate", jsonValidCandidate)
                .put("completionTokenDelta", completionTokenDelta)
                .put("latencyDeltaMs", round(latencyDeltaMs))
                .put("ttftDeltaMs", ttftDeltaMs == null ? null : round(ttftDeltaMs));
        return node;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
