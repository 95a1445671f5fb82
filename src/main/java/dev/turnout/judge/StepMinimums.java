package dev.turnout.judge;

import java.time.Duration;
import java.util.Objects;

/**
 * A rollout step's bounds: it may pass only after {@code minRequests} candidate requests and
 * {@code minTime}, and is timed out once {@code maxTime} has passed without a decision.
 */
public record StepMinimums(long minRequests, Duration minTime, Duration maxTime) {

    public StepMinimums {
        Objects.requireNonNull(minTime, "minTime");
        Objects.requireNonNull(maxTime, "maxTime");
        if (minRequests < 0) throw new IllegalArgumentException("minRequests: " + minRequests + " (expected: >= 0)");
        if (minTime.isNegative()) throw new IllegalArgumentException("minSeconds: " + minTime.toSeconds() + " (expected: >= 0)");
        if (maxTime.compareTo(minTime) < 0) {
            throw new IllegalArgumentException("maxSeconds: " + maxTime.toSeconds() + " (expected: >= minSeconds = " + minTime.toSeconds() + ")");
        }
    }

    /** The field names: {@code minRequests}, {@code minSeconds}, {@code maxSeconds}. */
    public static StepMinimums of(long minRequests, long minSeconds, long maxSeconds) {
        return new StepMinimums(minRequests, Duration.ofSeconds(minSeconds), Duration.ofSeconds(maxSeconds));
    }
}
