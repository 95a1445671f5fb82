package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * Everything measured about one primary/candidate pair; null fields were not measurable.
 *
 * @param lengthRatio    the shorter answer's length over the longer's, in characters (1 when both
 *                       are empty); null for an error pair
 * @param similarity     the cosine similarity of the two answers' embeddings; null when not scored
 * @param semanticStatus why {@code similarity} is or is not there: {@link #SCORED},
 *                       {@link #NOT_APPLICABLE} (an error pair, or an answer with tool calls: those
 *                       keep their JSON comparison), {@link #DISABLED} (no scorer consulted), or
 *                       {@code skipped:<reason>} ({@link #skipped(String)})
 */
public record DiffMetrics(Verdict verdict, int statusPrimary, int statusCandidate, String errorPrimary,
                          String errorCandidate, boolean exact, boolean normalizedExact, double tokenF1, double rougeL,
                          double levenshtein, boolean finishReasonEqual, boolean toolNamesEqual, List<String> toolArgDiffs,
                          Boolean jsonValidPrimary, Boolean jsonValidCandidate, Integer completionTokenDelta,
                          double latencyDeltaMs, Double ttftDeltaMs, Double lengthRatio, Double similarity,
                          String semanticStatus) {

    public static final String SCORED = "scored";
    public static final String NOT_APPLICABLE = "not_applicable";
    public static final String DISABLED = "disabled";
    private static final String SKIPPED = "skipped:";

    private static final ObjectMapper JSON = new ObjectMapper();

    public DiffMetrics {
        toolArgDiffs = List.copyOf(toolArgDiffs);
        requireNonNull(semanticStatus, "semanticStatus");
        if (SCORED.equals(semanticStatus) != (similarity != null)) {
            throw new IllegalArgumentException("similarity " + similarity + " with semantic status " + semanticStatus
                    + " (expected: a similarity exactly when scored)");
        }
    }

    /** The lexical comparison alone, as before semantic scoring: no length ratio, not scored. */
    public DiffMetrics(Verdict verdict, int statusPrimary, int statusCandidate, String errorPrimary,
                       String errorCandidate, boolean exact, boolean normalizedExact, double tokenF1, double rougeL,
                       double levenshtein, boolean finishReasonEqual, boolean toolNamesEqual, List<String> toolArgDiffs,
                       Boolean jsonValidPrimary, Boolean jsonValidCandidate, Integer completionTokenDelta,
                       double latencyDeltaMs, Double ttftDeltaMs) {
        this(verdict, statusPrimary, statusCandidate, errorPrimary, errorCandidate, exact, normalizedExact, tokenF1, rougeL,
                levenshtein, finishReasonEqual, toolNamesEqual, toolArgDiffs, jsonValidPrimary, jsonValidCandidate,
                completionTokenDelta, latencyDeltaMs, ttftDeltaMs, null, null,
                verdict == Verdict.ERROR ? NOT_APPLICABLE : DISABLED);
    }

    /** The status of a pair whose score was skipped, e.g. {@code skipped:pool_full}. */
    public static String skipped(String reason) {
        return SKIPPED + requireNonNull(reason, "reason");
    }

    /** The skip reason of a status that is neither scored nor not applicable ({@code disabled} counts as one). */
    static String skipReason(String status) {
        if (SCORED.equals(status) || NOT_APPLICABLE.equals(status)) return null;
        return status.startsWith(SKIPPED) ? status.substring(SKIPPED.length()) : status;
    }

    /** Whether the pair's answers are worth embedding: both answered, and in text rather than tool calls. */
    public boolean semanticApplicable() {
        return !NOT_APPLICABLE.equals(semanticStatus);
    }

    /**
     * Whether the answers disagree on what a program would read: tool names, tool arguments or JSON
     * validity. Such a pair stays {@code different} whatever its text similarity.
     */
    public boolean callsDisagree() {
        return !toolNamesEqual || !toolArgDiffs.isEmpty() || !Objects.equals(jsonValidPrimary, jsonValidCandidate);
    }

    /** This pair with a (calibrated) verdict and its semantic outcome. */
    public DiffMetrics withSemantic(Verdict newVerdict, Double newSimilarity, String newStatus) {
        return new DiffMetrics(newVerdict, statusPrimary, statusCandidate, errorPrimary, errorCandidate, exact,
                normalizedExact, tokenF1, rougeL, levenshtein, finishReasonEqual, toolNamesEqual, toolArgDiffs,
                jsonValidPrimary, jsonValidCandidate, completionTokenDelta, latencyDeltaMs, ttftDeltaMs, lengthRatio,
                newSimilarity, newStatus);
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
                .put("ttftDeltaMs", ttftDeltaMs == null ? null : round(ttftDeltaMs))
                .put("lengthRatio", lengthRatio == null ? null : round(lengthRatio))
                .put("similarity", similarity == null ? null : round(similarity))
                .put("semanticStatus", semanticStatus);
        return node;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
