package dev.turnout.semantic;

/** Why {@link SemanticScorer#score} refused a pair: the {@code reason} label of {@code turnout_semantic_skipped_total}. */
public enum Refusal {
    /** {@code diffs.semantic.enabled} is false, or the scorer is closed. */
    DISABLED("disabled"),
    /** The request's id hashes outside {@code diffs.semantic.sample}. */
    NOT_SAMPLED("not_sampled"),
    /** {@code diffs.semantic.queuePairs} pairs already wait for a worker. */
    POOL_FULL("pool_full"),
    /** The model is still loading (the first ~1.5 s after start). */
    MODEL_LOADING("model_loading"),
    /** The model failed to load; the warning logged at start says why. Lasts until restart. */
    MODEL_UNAVAILABLE("model_unavailable");

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
