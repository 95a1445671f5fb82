package dev.turnout.rollout;

/**
 * What a step judges, each with the one threshold the document gives it. The bounds are the
 * values a threshold may take: a ratio below 1 (or an increase below 0) would fail a candidate
 * identical to its baseline, so it is refused rather than left to fail every rollout.
 */
public enum Criterion {
    /** Candidate error rate minus baseline error rate, as a fraction (0.01 = one point). */
    ERROR_RATE("errorRate", "maxIncrease", 0, 1),
    /** Candidate p95 latency over baseline p95 latency. */
    LATENCY_P95("latencyP95", "maxRatio", 1, 100),
    /** Candidate p95 time to first token over baseline's. */
    TTFT_P95("ttftP95", "maxRatio", 1, 100),
    /** Share of shadow pairs that differ beyond noise (issue 9), as a fraction. */
    BEYOND_NOISE("beyondNoise", "max", 0, 1),
    /** Candidate median completion tokens over baseline's (the median: one runaway answer does not decide a step). */
    COMPLETION_TOKENS("completionTokens", "maxRatio", 1, 100);

    private final String label;
    private final String thresholdName;
    private final double min;
    private final double max;

    Criterion(String label, String thresholdName, double min, double max) {
        this.label = label;
        this.thresholdName = thresholdName;
        this.min = min;
        this.max = max;
    }

    /** The key under {@code criteria} in the document. */
    public String label() {
        return label;
    }

    /** The threshold's key inside the criterion's object. */
    public String thresholdName() {
        return thresholdName;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** The criterion spelled {@code label}, or null when there is none. */
    static Criterion fromLabel(String label) {
        for (Criterion value : values()) {
            if (value.label.equals(label)) return value;
        }
        return null;
    }
}
