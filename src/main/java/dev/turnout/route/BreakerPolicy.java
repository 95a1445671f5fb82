package dev.turnout.route;

/**
 * When a version's circuit breaker opens: {@code failureRatePercent} of the last {@code window}
 * calls failed (counted once {@code minimumCalls} were made); it then refuses calls for
 * {@code openMs} before letting a few trial calls through.
 */
public record BreakerPolicy(double failureRatePercent, int window, int minimumCalls, long openMs) {

    public static final BreakerPolicy DEFAULT = new BreakerPolicy(50, 20, 10, 10_000);
}
