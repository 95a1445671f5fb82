package dev.turnout.resilience;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries before the first byte reaches the client: a refused connection, a time-to-first-byte
 * timeout, or a 502/503/429 answer can be tried again, since the client has seen nothing yet.
 * Bounded in attempts and in total time; delays grow exponentially with "equal jitter" (half
 * fixed, half random) so that instances retrying together do not hit the upstream in step.
 *
 * @param maxAttempts attempts on one version, the first included
 * @param budgetMs    no new attempt starts once this long has passed since the request arrived
 */
public record RetryPolicy(int maxAttempts, long baseDelayMs, long maxDelayMs, long budgetMs) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(3, 50, 1_000, 5_000);
    }

    public static boolean retryableStatus(int status) {
        return status == 502 || status == 503 || status == 429;
    }

    /** The delay before attempt {@code attempt + 1}, after {@code attempt} failed ones (1-based). */
    public long delayMs(int attempt) {
        long exponential = Math.min(maxDelayMs, baseDelayMs << Math.min(20, attempt - 1));
        return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
    }

    /** Whether another attempt may start after {@code attempt} failed ones and {@code elapsedMs}. */
    public boolean allows(int attempt, long elapsedMs) {
        return attempt < maxAttempts && elapsedMs + delayMsUpperBound(attempt) < budgetMs;
    }

    private long delayMsUpperBound(int attempt) {
        return Math.min(maxDelayMs, baseDelayMs << Math.min(20, attempt - 1));
    }
}
